#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "image/image.hpp"

namespace xstage::image {

struct ImageResult {
  std::string manifest_digest;       // "sha256:<hex>"
  std::uint64_t total_size = 0;      // bytes of config + manifest + layers
  std::size_t layers_transcoded = 0; // gzip layers recompressed by this call
};

// Writes `dir` (created if missing) as an OCI image layout (image-spec 1.1)
// holding `image`:
//
//   <dir>/oci-layout          {"imageLayoutVersion":"1.0.0"}
//   <dir>/blobs/sha256/<hex>  layers, config, manifest
//   <dir>/index.json          one manifest, annotated with
//                             org.opencontainers.image.ref.name = `tag`,
//                             then each of `referrers` (an SBOM), untagged,
//                             with its artifactType, as image-spec 1.1
//                             lists referrers in a layout
//
// Layer blobs are hard-linked into the layout when on the same filesystem
// and copied otherwise; a copy is checked against its digest.
//
// Every file goes through util::AtomicFile, blobs before the manifest and
// the manifest before index.json, which replaces any earlier index (other
// tags in `dir` are dropped; unreferenced blobs stay). Throws xstage::Error
// for an invalid tag, a missing or mismatching blob (naming its stage) and
// any filesystem failure.
ImageResult write_oci_layout(const std::filesystem::path& dir, const std::string& tag, const Image& image,
                             const std::vector<Referrer>& referrers = {});

// assemble_image() and write_oci_layout() in one call.
ImageResult write_oci_layout(const std::filesystem::path& dir, const std::string& tag,
                             const std::vector<ImageLayer>& layers, const ImageConfig& config,
                             Compression compression, const std::filesystem::path& transcode_cache);

// Writes each layer of `image` into `dir` (created if missing) as
// <stage>.tar.gz or <stage>.tar.zst, by its media type, linked or copied as
// in a layout: the build context of the Dockerfiles in docker/, whose ADD
// lines name these files. Returns the file names, bottom layer first.
std::vector<std::string> write_layer_files(const std::filesystem::path& dir, const Image& image);

// Why `tag` cannot name an image in index.json (image-spec's ref.name
// grammar: alphanumeric components joined by one of "-._:@+" or "--",
// separated by "/"), or "" when it can.
std::string check_tag(std::string_view tag);

} // namespace xstage::image
