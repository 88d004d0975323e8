#include "image/oci_layout.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "image/gzip_transcode.hpp"
#include "key/hash.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace xstage::image {

namespace {

constexpr std::string_view k_sha256_prefix = "sha256:";

struct Descriptor {
  std::string digest;
  std::uint64_t size = 0;
};

json descriptor_json(std::string_view media_type, const Descriptor& descriptor) {
  return {{"mediaType", media_type}, {"digest", descriptor.digest}, {"size", descriptor.size}};
}

// "<hex>" of a "sha256:<hex>" digest; throws naming the stage otherwise.
// (The hex becomes a file name, so nothing else may pass.)
std::string checked_hex(const std::string& digest, std::string_view what, const std::string& stage) {
  std::string_view view = digest;
  if (view.substr(0, k_sha256_prefix.size()) != k_sha256_prefix ||
      !key::is_sha256_hex(view.substr(k_sha256_prefix.size()))) {
    throw Error(fmt::format("the layer of stage '{}' has an invalid {} '{}'", stage, what, digest));
  }
  return std::string(view.substr(k_sha256_prefix.size()));
}

// Copies `source` to `target` through an AtomicFile, checking the copy
// against `expected` before committing it.
void copy_blob(const fs::path& source, const fs::path& target, const Descriptor& expected,
               const std::string& stage) {
  std::ifstream in(source, std::ios::binary);
  if (!in) {
    throw Error(fmt::format("cannot read the layer of stage '{}' at {}: {}", stage, source.string(),
                            std::strerror(errno)));
  }
  util::AtomicFile file(target);
  key::Sha256 hash;
  std::uint64_t size = 0;
  std::array<char, 1 << 16> buffer{};
  while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(in.gcount()));
    hash.update(chunk);
    size += chunk.size();
    file.write(chunk);
  }
  if (in.bad()) {
    throw Error(fmt::format("cannot read the layer of stage '{}' at {}: i/o error", stage, source.string()));
  }
  std::string digest = std::string(k_sha256_prefix) + hash.hex_digest();
  if (digest != expected.digest || size != expected.size) {
    throw Error(fmt::format("the layer of stage '{}' at {} is {} ({} bytes), not the recorded {} ({} bytes)",
                            stage, source.string(), digest, size, expected.digest, expected.size));
  }
  file.commit();
}

// Puts the blob `source` into the layout as `target`. A hard link costs no
// space or time; blobs are immutable (written once, atomically), so sharing
// the inode with the cache is safe. A link appears complete or not at all.
// Returns true when a new link was made (its directory then needs a sync).
bool install_blob(const fs::path& source, const fs::path& target, const Descriptor& expected,
                  const std::string& stage) {
  struct stat source_stat {};
  struct stat target_stat {};
  if (::stat(target.c_str(), &target_stat) == 0) {
    if (::stat(source.c_str(), &source_stat) == 0 && source_stat.st_dev == target_stat.st_dev &&
        source_stat.st_ino == target_stat.st_ino) {
      return false;
    }
    // Left by an earlier export: keep it if it is intact, else replace it.
    if (static_cast<std::uint64_t>(target_stat.st_size) == expected.size &&
        std::string(k_sha256_prefix) + key::sha256_file(target) == expected.digest) {
      return false;
    }
  } else if (::link(source.c_str(), target.c_str()) == 0) {
    return true;
  }
  // Another filesystem (EXDEV), no hard links there, or a damaged target.
  copy_blob(source, target, expected, stage);
  return false;
}

// AtomicFile syncs the directories it commits into; new hard links need the
// same so index.json never outlives the blobs it names.
void sync_directory(const fs::path& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int result = fd < 0 ? -1 : ::fsync(fd);
  int saved = errno;
  if (fd >= 0) {
    ::close(fd);
  }
  if (result != 0) {
    throw Error(fmt::format("cannot sync directory {}: {}", directory.string(), std::strerror(saved)));
  }
}

// Writes a JSON document as a blob, named by the digest of its canonical
// text.
Descriptor write_json_blob(const fs::path& blobs, const json& document) {
  std::string text = document.dump();
  std::string hex = key::sha256_hex(text);
  util::write_file_atomically(blobs / hex, text);
  return {std::string(k_sha256_prefix) + hex, text.size()};
}

json config_json(const std::vector<ImageLayer>& layers, const ImageConfig& config) {
  json runtime = json::object();
  if (!config.entrypoint.empty()) {
    runtime["Entrypoint"] = config.entrypoint;
  }
  if (!config.env.empty()) {
    runtime["Env"] = config.env;
  }
  if (!config.working_dir.empty()) {
    runtime["WorkingDir"] = config.working_dir;
  }
  if (!config.labels.empty()) {
    runtime["Labels"] = config.labels;
  }
  json diff_ids = json::array();
  json history = json::array();
  for (const ImageLayer& layer : layers) {
    diff_ids.push_back(layer.info.diff_id);
    history.push_back({{"created", k_image_created}, {"created_by", "xstage stage " + layer.stage}});
  }
  return {{"architecture", "arm64"},
          {"os", "linux"},
          {"created", k_image_created},
          {"config", runtime},
          {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}},
          {"history", history}};
}

bool is_ref_separator(char c) {
  return c == '-' || c == '.' || c == '_' || c == ':' || c == '@' || c == '+';
}

bool is_alphanumeric(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

} // namespace

std::string check_tag(std::string_view tag) {
  if (tag.empty()) {
    return "it is empty";
  }
  // component ("/" component)*; component := alphanum (separator alphanum)*
  std::size_t start = 0;
  while (start <= tag.size()) {
    std::size_t end = std::min(tag.find('/', start), tag.size());
    std::string_view component = tag.substr(start, end - start);
    if (component.empty() || !is_alphanumeric(component.front()) || !is_alphanumeric(component.back())) {
      return "each '/'-separated part must start and end with a letter or digit";
    }
    for (std::size_t i = 0; i < component.size(); ++i) {
      char c = component[i];
      if (!is_alphanumeric(c) && !is_ref_separator(c)) {
        return fmt::format("'{}' is not allowed (only letters, digits and \"-._:@+/\")", c);
      }
      if (is_ref_separator(c) && is_ref_separator(component[i + 1]) &&
          !(c == '-' && component[i + 1] == '-' && is_alphanumeric(component[i + 2]))) {
        return "separators may not repeat (except \"--\")";
      }
    }
    start = end + 1;
  }
  return "";
}

ImageResult write_oci_layout(const fs::path& dir, const std::string& tag,
                             const std::vector<ImageLayer>& layers, const ImageConfig& config,
                             Compression compression, const fs::path& transcode_cache) {
  if (std::string why = check_tag(tag); !why.empty()) {
    throw Error(fmt::format("invalid image tag '{}': {}", tag, why));
  }
  for (const ImageLayer& layer : layers) {
    checked_hex(layer.info.digest, "digest", layer.stage);
    checked_hex(layer.info.diff_id, "diff_id", layer.stage);
  }
  fs::path blobs = dir / "blobs" / "sha256";
  std::error_code error;
  fs::create_directories(blobs, error);
  if (error) {
    throw Error(fmt::format("cannot create {}: {}", blobs.string(), error.message()));
  }
  util::write_file_atomically(dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");

  ImageResult result;
  json layer_descriptors = json::array();
  bool linked = false;
  for (const ImageLayer& layer : layers) {
    fs::path source = layer.blob;
    Descriptor descriptor{layer.info.digest, layer.info.size};
    std::string_view media_type = k_zstd_layer_type;
    if (compression == Compression::gzip) {
      GzipBlob gzip = gzip_layer(layer.blob, layer.info, layer.stage, transcode_cache);
      result.layers_transcoded += gzip.transcoded ? 1 : 0;
      source = gzip.path;
      descriptor = {gzip.digest, gzip.size};
      media_type = k_gzip_layer_type;
    }
    std::string hex = descriptor.digest.substr(k_sha256_prefix.size());
    linked = install_blob(source, blobs / hex, descriptor, layer.stage) || linked;
    layer_descriptors.push_back(descriptor_json(media_type, descriptor));
    result.total_size += descriptor.size;
  }
  if (linked) {
    sync_directory(blobs);
  }

  Descriptor config_blob = write_json_blob(blobs, config_json(layers, config));
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", k_manifest_type},
                   {"config", descriptor_json(k_config_type, config_blob)},
                   {"layers", layer_descriptors}};
  Descriptor manifest_blob = write_json_blob(blobs, manifest);

  json entry = descriptor_json(k_manifest_type, manifest_blob);
  entry["platform"] = {{"architecture", "arm64"}, {"os", "linux"}};
  entry["annotations"] = {{"org.opencontainers.image.ref.name", tag}};
  json index = {{"schemaVersion", 2}, {"mediaType", k_index_type}, {"manifests", json::array({entry})}};
  util::write_file_atomically(dir / "index.json", index.dump());

  result.manifest_digest = manifest_blob.digest;
  result.total_size += config_blob.size + manifest_blob.size;
  return result;
}

} // namespace xstage::image
