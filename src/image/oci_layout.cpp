#include "image/oci_layout.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <system_error>

#include <sys/stat.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/atomic_file.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"
#include "util/text_file.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace xstage::image {

namespace {

// Copies `blob` to `target` through an AtomicFile, committed only once the
// copy is verified.
void copy_blob(const Blob& blob, const fs::path& target) {
  util::AtomicFile file(target);
  stream_verified_blob(blob, [&file](std::string_view chunk) { file.write(chunk); });
  file.commit();
}

// Puts the blob `source` into the layout as `target`. A hard link costs no
// space or time; blobs are immutable (written once, atomically), so sharing
// the inode with the cache is safe. A link appears complete or not at all.
void install_blob(const fs::path& source, const fs::path& target, const Blob& expected) {
  struct stat source_stat {};
  struct stat target_stat {};
  if (::stat(target.c_str(), &target_stat) == 0) {
    if (::stat(source.c_str(), &source_stat) == 0 && source_stat.st_dev == target_stat.st_dev &&
        source_stat.st_ino == target_stat.st_ino) {
      return;
    }
    // Left by an earlier export: keep it if it is intact, else replace it.
    if (static_cast<std::uint64_t>(target_stat.st_size) == expected.size &&
        util::Digest::of_file(target).str() == expected.digest) {
      return;
    }
  } else if (util::link_file_atomically(source, target)) {
    return; // durable before index.json, which names it, is written
  }
  // Another filesystem (EXDEV), no hard links there, or a damaged target.
  copy_blob(expected, target);
}

// Writes a JSON document as a blob named by its digest.
void write_json_blob(const fs::path& blobs, const std::string& digest, const std::string& text) {
  util::write_file_atomically(blobs / util::Digest::parse(digest).hex(), text);
}

// An output directory is written only when it is new, empty, or holds only
// what xstage would have written there (`ours`): `--context /etc` or
// `--oci ~` must not scatter blobs through a directory of the user's.
template <typename IsOurs>
void refuse_foreign_directory(const fs::path& dir, std::string_view what, IsOurs ours) {
  std::error_code error;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    if (!ours(it->path().filename().string(), it->symlink_status(error))) {
      throw Error(
          fmt::format("refusing to write {} into {}: it holds '{}', which xstage did not write there; "
                      "name a new or empty directory",
                      what, dir.string(), it->path().filename().string()));
    }
  }
}

// The image entries an existing layout's index.json lists, but for the ones
// tagged `tag` (this export replaces them). A layout whose index cannot be
// read is refused: rewriting it would lose every other tag.
json other_entries(const fs::path& dir, const std::string& tag) {
  json kept = json::array();
  if (!fs::exists(dir / "index.json")) {
    return kept;
  }
  json index = json::parse(util::read_text_file(dir / "index.json", (dir / "index.json").string(), 16 << 20),
                           nullptr, false);
  if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array()) {
    throw Error(
        fmt::format("refusing to write into the OCI layout {}: its index.json is not an OCI index, and "
                    "rewriting it would lose what it lists",
                    dir.string()));
  }
  for (const json& entry : index["manifests"]) {
    bool same_tag = entry.is_object() && entry.contains("annotations") && entry["annotations"].is_object() &&
                    entry["annotations"].value("org.opencontainers.image.ref.name", json()) == tag;
    if (!same_tag) {
      kept.push_back(entry);
    }
  }
  return kept;
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

ImageResult write_oci_layout(const fs::path& dir, const std::string& tag, const Image& image,
                             const std::vector<Referrer>& referrers) {
  if (std::string why = check_tag(tag); !why.empty()) {
    throw Error(fmt::format("invalid image tag '{}': {}", tag, why));
  }
  if (fs::is_directory(dir) && !fs::exists(dir / "oci-layout")) {
    refuse_foreign_directory(dir, "an OCI layout", [](const std::string&, fs::file_status) { return false; });
  }
  json manifests = other_entries(dir, tag);
  fs::path blobs = dir / "blobs" / "sha256";
  std::error_code error;
  fs::create_directories(blobs, error);
  if (error) {
    throw Error(fmt::format("cannot create {}: {}", blobs.string(), error.message()));
  }
  util::write_file_atomically(dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");

  for (const Blob& layer : image.layers) {
    std::string hex = digest_hex(layer.digest, "digest", layer.stage);
    install_blob(layer.file, blobs / hex, layer);
  }
  write_json_blob(blobs, image.config_digest, image.config);
  write_json_blob(blobs, image.manifest_digest, image.manifest);

  json entry = {{"mediaType", k_manifest_type},
                {"digest", image.manifest_digest},
                {"size", image.manifest.size()},
                {"platform", {{"architecture", "arm64"}, {"os", "linux"}}},
                {"annotations", {{"org.opencontainers.image.ref.name", tag}}}};
  // Other tags of the layout stay; referrers of this digest are listed again
  // below, so any listed before are dropped rather than doubled.
  std::set<std::string> listed_again = {image.manifest_digest};
  for (const Referrer& referrer : referrers) {
    listed_again.insert(referrer.manifest_digest);
  }
  manifests.erase(
      std::remove_if(manifests.begin(), manifests.end(),
                     [&](const json& listed) {
                       const json digest = listed.is_object() ? listed.value("digest", json()) : json();
                       return digest.is_string() && listed_again.count(digest.get<std::string>()) != 0;
                     }),
      manifests.end());
  manifests.insert(manifests.begin(), entry);
  if (!referrers.empty()) {
    write_json_blob(blobs, util::Digest::of(k_empty_config).str(), std::string(k_empty_config));
  }
  for (const Referrer& referrer : referrers) {
    write_json_blob(blobs, referrer.document_digest, referrer.document);
    write_json_blob(blobs, referrer.manifest_digest, referrer.manifest);
    manifests.push_back({{"mediaType", k_manifest_type},
                         {"digest", referrer.manifest_digest},
                         {"size", referrer.manifest.size()},
                         {"artifactType", referrer.artifact_type}});
  }
  json index = {{"schemaVersion", 2}, {"mediaType", k_index_type}, {"manifests", manifests}};
  util::write_file_atomically(dir / "index.json", index.dump());
  return {image.manifest_digest, image.total_size(), image.layers_transcoded};
}

std::vector<std::string> write_layer_files(const fs::path& dir, const Image& image) {
  if (fs::is_directory(dir)) {
    refuse_foreign_directory(dir, "a build context", [](const std::string& name, fs::file_status status) {
      return fs::is_regular_file(status) && (name.ends_with(".tar.gz") || name.ends_with(".tar.zst"));
    });
  }
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) {
    throw Error(fmt::format("cannot create {}: {}", dir.string(), error.message()));
  }
  std::vector<std::string> names;
  for (const Blob& layer : image.layers) {
    std::string name = layer.stage + (layer.media_type == k_gzip_layer_type ? ".tar.gz" : ".tar.zst");
    install_blob(layer.file, dir / name, layer);
    names.push_back(name);
  }
  return names;
}

ImageResult write_oci_layout(const fs::path& dir, const std::string& tag,
                             const std::vector<ImageLayer>& layers, const ImageConfig& config,
                             Compression compression, const fs::path& transcode_cache) {
  if (std::string why = check_tag(tag); !why.empty()) {
    throw Error(fmt::format("invalid image tag '{}': {}", tag, why));
  }
  return write_oci_layout(dir, tag, assemble_image(layers, config, compression, transcode_cache));
}

} // namespace xstage::image
