#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "layer/layer.hpp"

namespace xstage::image {

// The gzip level transcoded layers are compressed with: gzip's and Go's
// default, a fair trade for a blob that is made once and cached.
inline constexpr int k_gzip_level = 6;

// A gzip layer blob made from a zstd one.
struct GzipBlob {
  std::filesystem::path path; // inside the transcode cache
  std::string digest;         // "sha256:<hex>" of the .tar.gz
  std::uint64_t size = 0;     // bytes of the .tar.gz
  bool transcoded = false;    // made by this call (false: a cache hit)
};

// The gzip twin of the zstd layer `blob` (described by `info`), kept in the
// directory `cache_dir` (created if missing) and keyed by the zstd digest:
//
//   <cache_dir>/<zstd hex>.tar.gz   the gzip blob
//   <cache_dir>/<zstd hex>.json     {"source", "digest", "size", "level"}
//
// A hit is a record with this level whose blob still hashes to the recorded
// digest and inflates to exactly the layer's tar (info.diff_id and
// info.uncompressed_size): the record alone could be forged along with its
// blob. Anything else (missing, unreadable, corrupt, forged) is transcoded
// again.
// Transcoding streams: zstd is decompressed and the tar deflated into a gzip
// stream made like `gzip -n`: no file name, mtime 0, level k_gzip_level, so
// the bytes depend on the tar alone (for a given zlib). The blob and then
// its record are written through util::AtomicFile.
//
// While transcoding, the zstd blob is checked against info.digest and
// info.size and the tar against info.diff_id and info.uncompressed_size (the
// diff_id is what both image variants share); a mismatch, unreadable input
// or invalid zstd throws xstage::Error naming the blob and `stage`.
GzipBlob gzip_layer(const std::filesystem::path& blob, const layer::LayerInfo& info, const std::string& stage,
                    const std::filesystem::path& cache_dir);

} // namespace xstage::image
