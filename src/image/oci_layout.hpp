#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "layer/layer.hpp"

namespace xstage::image {

inline constexpr std::string_view k_zstd_layer_type = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr std::string_view k_gzip_layer_type = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view k_manifest_type = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view k_config_type = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view k_index_type = "application/vnd.oci.image.index.v1+json";
// Every time an image records: images depend on content only.
inline constexpr std::string_view k_image_created = "1970-01-01T00:00:00Z";

// One layer of an image: a cached stage blob (.tar.zst) and its description,
// as the stage cache recorded it.
struct ImageLayer {
  layer::LayerInfo info;
  std::filesystem::path blob;
  std::string stage;
};

// The runtime part of the image config; empty fields are left out.
struct ImageConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> env; // "NAME=value"
  std::string working_dir;
  std::map<std::string, std::string> labels;
};

enum class Compression { zstd, gzip };

struct ImageResult {
  std::string manifest_digest;       // "sha256:<hex>"
  std::uint64_t total_size = 0;      // bytes of config + manifest + layers
  std::size_t layers_transcoded = 0; // gzip layers recompressed by this call
};

// Writes `dir` (created if missing) as an OCI image layout (image-spec 1.1)
// for linux/arm64 holding one image whose layers are `layers`, bottom first:
//
//   <dir>/oci-layout          {"imageLayoutVersion":"1.0.0"}
//   <dir>/blobs/sha256/<hex>  layers, config, manifest
//   <dir>/index.json          one manifest, annotated with
//                             org.opencontainers.image.ref.name = `tag`
//
// The config records architecture arm64, os linux, created
// k_image_created, rootfs.diff_ids from the layers' diff_ids, one history
// entry per layer naming its stage, and `config`. All JSON is canonical
// (sorted keys, no whitespace), so the same inputs give the same manifest
// digest wherever and whenever they are written.
//
// zstd: each blob is used as it is (media type k_zstd_layer_type), hard-
// linked into the layout when on the same filesystem and copied otherwise;
// the caller vouches for its content (Cache::restore re-hashes it), and a
// copy is checked against info.digest. gzip: each blob is transcoded once
// through gzip_layer(), cached under `transcode_cache`, so exporting again
// recompresses nothing; diff_ids are the same for both variants.
//
// Every file goes through util::AtomicFile, blobs before the manifest and
// the manifest before index.json, which replaces any earlier index (other
// tags in `dir` are dropped; unreferenced blobs stay). Throws xstage::Error
// for an invalid tag, a bad digest, a missing or mismatching blob (naming
// its stage) and any filesystem failure.
ImageResult write_oci_layout(const std::filesystem::path& dir, const std::string& tag,
                             const std::vector<ImageLayer>& layers, const ImageConfig& config,
                             Compression compression, const std::filesystem::path& transcode_cache);

// Why `tag` cannot name an image in index.json (image-spec's ref.name
// grammar: alphanumeric components joined by one of "-._:@+" or "--",
// separated by "/"), or "" when it can.
std::string check_tag(std::string_view tag);

} // namespace xstage::image
