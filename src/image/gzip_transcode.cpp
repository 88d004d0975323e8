#include "image/gzip_transcode.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <zlib.h>
#include <zstd.h>

#include <fmt/format.h>

#include "image/image.hpp"
#include "util/atomic_file.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"
#include "util/stop.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace xstage::image {

namespace {

constexpr std::size_t k_chunk_size = 1 << 16;

// Deflates a tar stream into a gzip member written to an AtomicFile, hashing
// the compressed bytes on the way.
class GzipWriter {
public:
  GzipWriter(util::AtomicFile& file, const std::string& stage) : m_file(file), m_out(k_chunk_size) {
    // windowBits 15 + 16 asks zlib for a gzip wrapper; with no gz_header
    // set, zlib writes no name and mtime 0, as `gzip -n` does.
    if (deflateInit2(&m_stream, k_gzip_level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      throw Error(fmt::format("cannot set up gzip compression for the layer of stage '{}'", stage));
    }
  }
  ~GzipWriter() { deflateEnd(&m_stream); }
  GzipWriter(const GzipWriter&) = delete;
  GzipWriter& operator=(const GzipWriter&) = delete;

  void write(std::string_view tar) {
    while (!tar.empty()) {
      // avail_in is 32-bit; feed big inputs in slices.
      std::size_t slice = std::min(tar.size(), k_chunk_size);
      m_stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(tar.data()));
      m_stream.avail_in = static_cast<uInt>(slice);
      while (m_stream.avail_in > 0) {
        deflate_once(Z_NO_FLUSH);
      }
      tar.remove_prefix(slice);
    }
  }

  // Ends the gzip member; returns the blob's digest and size.
  std::pair<std::string, std::uint64_t> finish() {
    m_stream.next_in = nullptr;
    m_stream.avail_in = 0;
    while (deflate_once(Z_FINISH) != Z_STREAM_END) {
    }
    return {m_hash.finish().str(), m_size};
  }

private:
  int deflate_once(int flush) {
    m_stream.next_out = reinterpret_cast<Bytef*>(m_out.data());
    m_stream.avail_out = static_cast<uInt>(m_out.size());
    int status = deflate(&m_stream, flush);
    if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
      throw Error(fmt::format("cannot gzip {}: zlib error {}", m_file.target().string(), status));
    }
    std::string_view produced(m_out.data(), m_out.size() - m_stream.avail_out);
    m_hash.update(produced);
    m_size += produced.size();
    m_file.write(produced);
    return status;
  }

  util::AtomicFile& m_file;
  z_stream m_stream{};
  std::vector<char> m_out;
  util::Sha256 m_hash;
  std::uint64_t m_size = 0;
};

// Streams the zstd blob through GzipWriter, checking it against `info`.
std::pair<std::string, std::uint64_t> transcode(const fs::path& blob, const layer::LayerInfo& info,
                                                const std::string& stage, util::AtomicFile& file) {
  std::ifstream in(blob, std::ios::binary);
  if (!in) {
    throw Error(fmt::format("cannot read the layer of stage '{}' at {}: {}", stage, blob.string(),
                            std::strerror(errno)));
  }
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context(ZSTD_createDCtx(), &ZSTD_freeDCtx);
  if (context == nullptr) {
    throw Error(fmt::format("cannot set up zstd decompression for the layer of stage '{}'", stage));
  }
  GzipWriter gzip(file, stage);
  std::vector<char> input(ZSTD_DStreamInSize());
  std::vector<char> output(ZSTD_DStreamOutSize());
  util::Sha256 zst_hash;
  util::Sha256 tar_hash;
  std::uint64_t zst_size = 0;
  std::uint64_t tar_size = 0;
  std::size_t pending = 1; // an empty file is not a layer
  while (in.read(input.data(), static_cast<std::streamsize>(input.size())) || in.gcount() > 0) {
    util::throw_if_stopped(fmt::format("transcoding the layer of stage '{}'", stage));
    std::string_view chunk(input.data(), static_cast<std::size_t>(in.gcount()));
    zst_hash.update(chunk);
    zst_size += chunk.size();
    ZSTD_inBuffer source{chunk.data(), chunk.size(), 0};
    while (source.pos < source.size) {
      ZSTD_outBuffer sink{output.data(), output.size(), 0};
      pending = ZSTD_decompressStream(context.get(), &sink, &source);
      if (ZSTD_isError(pending)) {
        throw Error(fmt::format("the layer of stage '{}' at {} is not valid zstd: {}", stage, blob.string(),
                                ZSTD_getErrorName(pending)));
      }
      std::string_view tar(output.data(), sink.pos);
      tar_hash.update(tar);
      tar_size += tar.size();
      gzip.write(tar);
    }
  }
  if (in.bad()) {
    throw Error(fmt::format("cannot read the layer of stage '{}' at {}: i/o error", stage, blob.string()));
  }
  if (pending != 0) {
    throw Error(fmt::format("the layer of stage '{}' at {} is truncated", stage, blob.string()));
  }
  std::string zst_digest = zst_hash.finish().str();
  if (zst_digest != info.digest || zst_size != info.size) {
    throw Error(fmt::format("the layer of stage '{}' at {} is {} ({} bytes), not the recorded {} ({} bytes)",
                            stage, blob.string(), zst_digest, zst_size, info.digest, info.size));
  }
  std::string diff_id = tar_hash.finish().str();
  if (diff_id != info.diff_id || tar_size != info.uncompressed_size) {
    throw Error(
        fmt::format("the layer of stage '{}' at {} unpacks to {} ({} bytes), not the recorded diff_id {} "
                    "({} bytes)",
                    stage, blob.string(), diff_id, tar_size, info.diff_id, info.uncompressed_size));
  }
  return gzip.finish();
}

// Whether the gzip blob at `path` hashes to `digest` and holds exactly the
// tar `info` describes (its diff_id and size), in one pass: the blob's own
// record is written by whoever can write the cache, so only the zstd layer's
// diff_id, which the cache entry and image share, vouches for its content.
// Reading stops once the tar passes the recorded size (a gzip bomb costs no
// more) or at trailing bytes after the gzip member.
bool holds_layer(const fs::path& path, const std::string& digest, const layer::LayerInfo& info) {
  std::ifstream in(path, std::ios::binary);
  z_stream stream{};
  if (!in || inflateInit2(&stream, 15 + 16) != Z_OK) {
    return false;
  }
  std::unique_ptr<z_stream, decltype(&inflateEnd)> guard(&stream, &inflateEnd);
  std::vector<char> input(k_chunk_size);
  std::vector<char> output(k_chunk_size);
  util::Sha256 gz_hash;
  util::Sha256 tar_hash;
  std::uint64_t tar_size = 0;
  int status = Z_OK;
  while (in.read(input.data(), static_cast<std::streamsize>(input.size())) || in.gcount() > 0) {
    util::throw_if_stopped("checking " + path.string());
    std::string_view chunk(input.data(), static_cast<std::size_t>(in.gcount()));
    gz_hash.update(chunk);
    if (status == Z_STREAM_END) {
      return false; // bytes after the gzip member
    }
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
    stream.avail_in = static_cast<uInt>(chunk.size());
    while (stream.avail_in > 0 && status != Z_STREAM_END) {
      stream.next_out = reinterpret_cast<Bytef*>(output.data());
      stream.avail_out = static_cast<uInt>(output.size());
      status = inflate(&stream, Z_NO_FLUSH);
      if (status != Z_OK && status != Z_STREAM_END) {
        return false;
      }
      std::string_view tar(output.data(), output.size() - stream.avail_out);
      tar_hash.update(tar);
      tar_size += tar.size();
      if (tar_size > info.uncompressed_size) {
        return false;
      }
    }
    if (stream.avail_in > 0) {
      return false;
    }
  }
  return !in.bad() && status == Z_STREAM_END && gz_hash.finish().str() == digest &&
         tar_size == info.uncompressed_size && tar_hash.finish().str() == info.diff_id;
}

// The recorded gzip blob for the layer `info`, if the record is readable,
// made at this level, and its blob still hashes to the recorded digest and
// holds the layer's tar.
std::optional<GzipBlob> cached(const fs::path& record_path, const fs::path& blob_path,
                               const layer::LayerInfo& info) {
  std::ifstream in(record_path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  json record = json::parse(in, nullptr, false);
  // A hand-edited or foreign record is a miss, never an error.
  auto field = [&](const char* name) { return record.is_object() ? record.value(name, json()) : json(); };
  if (field("source") != info.digest || field("level") != k_gzip_level ||
      !field("size").is_number_unsigned() || !field("digest").is_string()) {
    return std::nullopt;
  }
  GzipBlob blob{blob_path, field("digest").get<std::string>(), field("size").get<std::uint64_t>(), false};
  std::error_code error;
  std::uintmax_t size = fs::file_size(blob_path, error);
  if (error || size != blob.size || !util::Digest::try_parse(blob.digest)) {
    return std::nullopt;
  }
  // Inflating runs at a few hundred MB/s: cheap next to transcoding, and it
  // keeps a damaged or forged cache from ever reaching an image.
  if (!holds_layer(blob_path, blob.digest, info)) {
    return std::nullopt;
  }
  return blob;
}

} // namespace

GzipBlob gzip_layer(const fs::path& blob, const layer::LayerInfo& info, const std::string& stage,
                    const fs::path& cache_dir) {
  std::string hex = digest_hex(info.digest, "digest", stage);
  std::error_code error;
  fs::create_directories(cache_dir, error);
  if (error) {
    throw Error(fmt::format("cannot create {}: {}", cache_dir.string(), error.message()));
  }
  fs::path record_path = cache_dir / (hex + ".json");
  fs::path blob_path = cache_dir / (hex + ".tar.gz");
  if (std::optional<GzipBlob> hit = cached(record_path, blob_path, info)) {
    return *hit;
  }
  util::AtomicFile file(blob_path);
  auto [digest, size] = transcode(blob, info, stage, file);
  file.commit();
  // The blob is committed before the record that names it.
  json record = {{"source", info.digest}, {"digest", digest}, {"size", size}, {"level", k_gzip_level}};
  util::write_file_atomically(record_path, record.dump() + "\n");
  return GzipBlob{blob_path, digest, size, true};
}

} // namespace xstage::image
