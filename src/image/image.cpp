#include "image/image.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "image/gzip_transcode.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"

using nlohmann::json;

namespace xstage::image {

namespace {

json descriptor_json(const Blob& blob) {
  return {{"mediaType", blob.media_type}, {"digest", blob.digest}, {"size", blob.size}};
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

} // namespace

std::string digest_hex(const std::string& digest, std::string_view what, const std::string& stage) {
  std::optional<util::Digest> parsed = util::Digest::try_parse(digest);
  if (!parsed) {
    throw Error(fmt::format("the layer of stage '{}' has an invalid {} '{}'", stage, what, digest));
  }
  return parsed->hex();
}

void stream_verified_blob(const Blob& blob, const std::function<void(std::string_view)>& sink) {
  std::ifstream in(blob.file, std::ios::binary);
  if (!in) {
    throw Error(fmt::format("cannot read the layer of stage '{}' at {}: {}", blob.stage, blob.file.string(),
                            std::strerror(errno)));
  }
  util::Sha256 hash;
  std::uint64_t size = 0;
  std::array<char, 1 << 16> buffer{};
  while (in.read(buffer.data(), buffer.size()) || in.gcount() > 0) {
    std::string_view chunk(buffer.data(), static_cast<std::size_t>(in.gcount()));
    hash.update(chunk);
    if (size < blob.size) {
      sink(chunk.substr(0, blob.size - size));
    }
    size += chunk.size();
  }
  if (in.bad()) {
    throw Error(
        fmt::format("cannot read the layer of stage '{}' at {}: i/o error", blob.stage, blob.file.string()));
  }
  std::string digest = hash.finish().str();
  if (digest != blob.digest || size != blob.size) {
    throw Error(fmt::format("the layer of stage '{}' at {} is {} ({} bytes), not the recorded {} ({} bytes)",
                            blob.stage, blob.file.string(), digest, size, blob.digest, blob.size));
  }
}

std::uint64_t Image::total_size() const {
  std::uint64_t total = config.size() + manifest.size();
  for (const Blob& layer : layers) {
    total += layer.size;
  }
  return total;
}

Image assemble_image(const std::vector<ImageLayer>& layers, const ImageConfig& config,
                     Compression compression, const std::filesystem::path& transcode_cache) {
  Image image;
  json layer_descriptors = json::array();
  for (const ImageLayer& layer : layers) {
    digest_hex(layer.info.digest, "digest", layer.stage);
    digest_hex(layer.info.diff_id, "diff_id", layer.stage);
    Blob blob{std::string(k_zstd_layer_type), layer.info.digest, layer.info.size, layer.blob, layer.stage};
    if (compression == Compression::gzip) {
      GzipBlob gzip = gzip_layer(layer.blob, layer.info, layer.stage, transcode_cache);
      image.layers_transcoded += gzip.transcoded ? 1 : 0;
      blob = {std::string(k_gzip_layer_type), gzip.digest, gzip.size, gzip.path, layer.stage};
    }
    layer_descriptors.push_back(descriptor_json(blob));
    image.layers.push_back(std::move(blob));
  }
  image.config = config_json(layers, config).dump();
  image.config_digest = util::Digest::of(image.config).str();
  Blob config_blob{std::string(k_config_type), image.config_digest, image.config.size(), {}, ""};
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", k_manifest_type},
                   {"config", descriptor_json(config_blob)},
                   {"layers", layer_descriptors}};
  image.manifest = manifest.dump();
  image.manifest_digest = util::Digest::of(image.manifest).str();
  return image;
}

} // namespace xstage::image
