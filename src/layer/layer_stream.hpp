#pragma once

// One checked pass over a layer blob; internal to src/layer/.

#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <archive.h>
#include <zstd.h>

#include "layer/archive_support.hpp"
#include "layer/layer.hpp"
#include "util/digest.hpp"

namespace xstage::layer::detail {

// The tar inside a .tar.zst, decompressed by us rather than by libarchive so
// that one read of the blob also yields what describes it: the blob's digest
// and size, the tar's digest (the diff_id) and size. Given the LayerInfo a
// cache entry or a registry recorded, the pass stops as soon as the blob or
// the tar grows past the recorded size (a zstd bomb costs what its entry
// says, not what it expands to), and finish() compares the rest.
class LayerStream {
public:
  // Opens `archive`; `expected` (may be null) must outlive the stream.
  LayerStream(const std::filesystem::path& archive, const LayerInfo* expected);
  LayerStream(const LayerStream&) = delete;
  LayerStream& operator=(const LayerStream&) = delete;

  // A libarchive reader of the tar (no filter: the bytes are already
  // decompressed), valid while the stream lives.
  ReadArchive open_tar();

  // Reads what the tar reader left unread (end-of-archive padding), then
  // checks everything against `expected`. Returns what the blob is.
  LayerInfo finish();

  // Throws the failure of a stream read when there was one (the cause of
  // libarchive's error), else "cannot ACTION layer PATH: libarchive's text".
  [[noreturn]] void fail(std::string_view action, archive* handle) const;

  // Throws the failure of a stream read, if there was one.
  void rethrow_failure() const;

  const std::string& name() const { return m_name; }

private:
  static la_ssize_t read_callback(archive*, void* client, const void** buffer);
  // The next decompressed bytes, empty at the end of the blob.
  std::string_view next();

  std::string m_name;
  const LayerInfo* m_expected;
  std::ifstream m_in;
  std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> m_context{ZSTD_createDCtx(), &ZSTD_freeDCtx};
  std::vector<char> m_input;
  std::vector<char> m_output;
  ZSTD_inBuffer m_source{nullptr, 0, 0};
  std::size_t m_pending = 1; // zstd's hint; 0 once a frame ends (nothing read yet is not a layer)
  bool m_output_full = false;
  util::Sha256 m_zst_hash;
  util::Sha256 m_tar_hash;
  LayerInfo m_info;
  std::exception_ptr m_failure;
};

} // namespace xstage::layer::detail
