#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
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
// The config of an OCI 1.1 artifact (a signature, an SBOM), which has none.
inline constexpr std::string_view k_empty_type = "application/vnd.oci.empty.v1+json";
inline constexpr std::string_view k_empty_config = "{}";
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

// A blob of an image as a file on disk, with its descriptor.
struct Blob {
  std::string media_type;
  std::string digest; // "sha256:<hex>"
  std::uint64_t size = 0;
  std::filesystem::path file;
  std::string stage; // whose layer it is, for messages
};

// Passes the bytes of `blob.file` to `sink` in chunks (at most blob.size of
// them), hashing as it goes, and throws xstage::Error naming the stage and
// file when the file cannot be read or is not the blob its digest and size
// name: a layer is never passed on unverified. The sink is the caller's to
// discard then.
void stream_verified_blob(const Blob& blob, const std::function<void(std::string_view)>& sink);

// An image ready to be written anywhere (a layout, a docker archive, a
// registry): layer blobs on disk, config and manifest as canonical JSON.
struct Image {
  std::vector<Blob> layers; // bottom first
  std::string config;       // the config's JSON text
  std::string config_digest;
  std::string manifest; // the manifest's JSON text
  std::string manifest_digest;
  std::size_t layers_transcoded = 0; // gzip layers recompressed to assemble it

  // Bytes of layers, config and manifest.
  std::uint64_t total_size() const;
};

// An OCI 1.1 artifact that refers to an image (its manifest's `subject`):
// one document as its one layer, over the empty config.
struct Referrer {
  std::string artifact_type;
  std::string document;
  std::string document_digest;
  std::string manifest; // canonical JSON
  std::string manifest_digest;
};

// Describes the linux/arm64 image whose layers are `layers`, bottom first.
//
// The config records architecture arm64, os linux, created
// k_image_created, rootfs.diff_ids from the layers' diff_ids, one history
// entry per layer naming its stage, and `config`. All JSON is canonical
// (sorted keys, no whitespace), so the same inputs give the same manifest
// digest wherever and whenever they are assembled.
//
// zstd: each cached blob is used as it is (media type k_zstd_layer_type);
// the caller vouches for its content (Cache::restore re-hashes it). gzip:
// each blob is transcoded once through gzip_layer(), cached under
// `transcode_cache`, so assembling again recompresses nothing; diff_ids are
// the same for both variants. Throws xstage::Error for a bad digest or a
// layer that does not match its record, naming its stage.
Image assemble_image(const std::vector<ImageLayer>& layers, const ImageConfig& config,
                     Compression compression, const std::filesystem::path& transcode_cache);

// "<hex>" of a "sha256:<hex>" digest; throws naming `stage` and `what`
// otherwise (the hex becomes a file name, so nothing else may pass).
std::string digest_hex(const std::string& digest, std::string_view what, const std::string& stage);

} // namespace xstage::image
