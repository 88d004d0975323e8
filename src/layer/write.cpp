// Packing a directory into a deterministic .tar.zst.
#include "layer/layer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <sys/stat.h>
#include <zstd.h>

#include <fmt/format.h>

#include "layer/archive_support.hpp"
#include "util/atomic_file.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"
#include "util/stop.hpp"

namespace fs = std::filesystem;

namespace xstage::layer {

using namespace detail;

namespace {

// Receives the uncompressed tar from libarchive, hashes it, compresses it
// with zstd, and hashes and writes the compressed bytes: one streaming pass.
class LayerSink {
public:
  explicit LayerSink(util::AtomicFile& file) : m_file(file), m_out(ZSTD_CStreamOutSize()) {
    // nbWorkers 0: multi-threaded zstd would cut blocks differently.
    if (m_context == nullptr ||
        ZSTD_isError(ZSTD_CCtx_setParameter(m_context.get(), ZSTD_c_compressionLevel, k_zstd_level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(m_context.get(), ZSTD_c_checksumFlag, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(m_context.get(), ZSTD_c_nbWorkers, 0))) {
      throw Error(fmt::format("cannot set up zstd compression for {}", file.target().string()));
    }
  }

  void consume(std::string_view tar) {
    m_tar_hash.update(tar);
    m_tar_size += tar.size();
    ZSTD_inBuffer in{tar.data(), tar.size(), 0};
    while (in.pos < in.size) {
      compress(in, ZSTD_e_continue);
    }
  }

  LayerInfo finish() {
    ZSTD_inBuffer in{nullptr, 0, 0};
    while (compress(in, ZSTD_e_end) != 0) {
    }
    return {m_zst_hash.finish().str(), m_zst_size, m_tar_hash.finish().str(), m_tar_size};
  }

  // libarchive's write callback: C code, so exceptions are parked and
  // rethrown once libarchive has returned.
  static la_ssize_t write_callback(archive*, void* client, const void* buffer, size_t length) {
    auto* sink = static_cast<LayerSink*>(client);
    try {
      sink->consume(std::string_view(static_cast<const char*>(buffer), length));
      return static_cast<la_ssize_t>(length);
    } catch (...) {
      sink->m_failure = std::current_exception();
      return -1;
    }
  }

  void rethrow_failure() const {
    if (m_failure) {
      std::rethrow_exception(m_failure);
    }
  }

private:
  std::size_t compress(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out{m_out.data(), m_out.size(), 0};
    std::size_t remaining = ZSTD_compressStream2(m_context.get(), &out, &in, mode);
    if (ZSTD_isError(remaining)) {
      throw Error(
          fmt::format("cannot compress {}: {}", m_file.target().string(), ZSTD_getErrorName(remaining)));
    }
    std::string_view compressed(m_out.data(), out.pos);
    m_zst_hash.update(compressed);
    m_zst_size += compressed.size();
    m_file.write(compressed);
    return remaining;
  }

  util::AtomicFile& m_file;
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> m_context{ZSTD_createCCtx(), &ZSTD_freeCCtx};
  std::vector<char> m_out;
  util::Sha256 m_tar_hash;
  util::Sha256 m_zst_hash;
  std::uint64_t m_tar_size = 0;
  std::uint64_t m_zst_size = 0;
  std::exception_ptr m_failure;
};

struct TreeItem {
  std::string relative; // generic form, no "./"
  fs::path path;
  struct stat status {};
};

// Every object below `directory` (lstat, symlinks not followed), sorted by
// path bytes so a directory precedes its contents.
std::vector<TreeItem> collect_tree(const fs::path& directory) {
  std::vector<TreeItem> items;
  for (auto it = fs::recursive_directory_iterator(directory); it != fs::recursive_directory_iterator();
       ++it) {
    TreeItem item{it->path().lexically_relative(directory).generic_string(), it->path(), {}};
    if (::lstat(item.path.c_str(), &item.status) != 0) {
      throw Error(fmt::format("cannot stat {}: {}", item.path.string(), std::strerror(errno)));
    }
    items.push_back(std::move(item));
  }
  std::sort(items.begin(), items.end(),
            [](const TreeItem& a, const TreeItem& b) { return a.relative < b.relative; });
  return items;
}

void write_file_data(archive* tar, const TreeItem& item) {
  std::ifstream in(item.path, std::ios::binary);
  if (!in) {
    throw Error(fmt::format("cannot read {}: {}", item.path.string(), std::strerror(errno)));
  }
  std::vector<char> buffer(1 << 16);
  std::streamsize left = item.status.st_size;
  while (in && left > 0) {
    util::throw_if_stopped("packing " + item.path.string());
    in.read(buffer.data(), std::min(left, static_cast<std::streamsize>(buffer.size())));
    if (archive_write_data(tar, buffer.data(), static_cast<std::size_t>(in.gcount())) != in.gcount()) {
      throw Error(fmt::format("cannot pack {}: {}", item.path.string(), archive_error(tar)));
    }
    left -= in.gcount();
  }
  // The header promised st_size bytes; anything else would corrupt the tar.
  if (left != 0 || in.peek() != std::ifstream::traits_type::eof()) {
    throw Error(fmt::format("cannot pack {}: the file changed while it was being read", item.path.string()));
  }
}

void pack_tree(archive* tar, const fs::path& directory) {
  std::map<std::pair<dev_t, ino_t>, std::string> first_link;
  for (const TreeItem& item : collect_tree(directory)) {
    const mode_t mode = item.status.st_mode;
    if (!S_ISDIR(mode) && !S_ISLNK(mode) && !S_ISREG(mode)) {
      throw Error(fmt::format("cannot pack {}: only files, directories and symlinks belong in a layer",
                              item.path.string()));
    }
    // Only the fields set here reach the tar: no times but mtime, no names,
    // no xattrs or ACLs.
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                        &archive_entry_free);
    archive_entry_copy_pathname(entry.get(), item.relative.c_str());
    archive_entry_set_filetype(entry.get(), S_ISDIR(mode) ? AE_IFDIR : S_ISLNK(mode) ? AE_IFLNK : AE_IFREG);
    archive_entry_set_perm(entry.get(), mode & k_permission_bits);
    archive_entry_set_mtime(entry.get(), k_layer_mtime, 0);
    archive_entry_set_uid(entry.get(), 0);
    archive_entry_set_gid(entry.get(), 0);
    bool has_data = false;
    if (S_ISLNK(mode)) {
      archive_entry_copy_symlink(entry.get(), fs::read_symlink(item.path).c_str());
    } else if (S_ISREG(mode)) {
      auto [link, inserted] =
          first_link.emplace(std::pair(item.status.st_dev, item.status.st_ino), item.relative);
      if (item.status.st_nlink > 1 && !inserted) {
        archive_entry_copy_hardlink(entry.get(), link->second.c_str());
      } else {
        archive_entry_set_size(entry.get(), item.status.st_size);
        has_data = true;
      }
    }
    if (archive_write_header(tar, entry.get()) < ARCHIVE_WARN) {
      throw Error(fmt::format("cannot pack {}: {}", item.path.string(), archive_error(tar)));
    }
    if (has_data) {
      write_file_data(tar, item);
    }
  }
}

} // namespace

LayerInfo write_layer(const fs::path& directory, const fs::path& output) {
  if (!fs::is_directory(directory)) {
    throw Error(fmt::format("cannot pack {}: not a directory", directory.string()));
  }
  ScopedUtf8Locale locale;
  util::AtomicFile file(output);
  LayerSink sink(file);
  WriteArchive tar(archive_write_new(), &archive_write_free);
  // No padding past the end-of-archive blocks: the tar ends where it must.
  if (archive_write_set_format_pax_restricted(tar.get()) != ARCHIVE_OK ||
      archive_write_add_filter_none(tar.get()) != ARCHIVE_OK ||
      archive_write_set_bytes_per_block(tar.get(), 10240) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block(tar.get(), 1) != ARCHIVE_OK ||
      archive_write_open(tar.get(), &sink, nullptr, &LayerSink::write_callback, nullptr) != ARCHIVE_OK) {
    throw Error(fmt::format("cannot write layer {}: {}", output.string(), archive_error(tar.get())));
  }
  try {
    pack_tree(tar.get(), directory);
  } catch (const fs::filesystem_error& error) {
    throw Error(fmt::format("cannot pack {}: {}", error.path1().string(), error.code().message()));
  } catch (...) {
    sink.rethrow_failure(); // the root cause, when the sink failed first
    throw;
  }
  int closed = archive_write_close(tar.get());
  sink.rethrow_failure();
  if (closed != ARCHIVE_OK) {
    throw Error(fmt::format("cannot write layer {}: {}", output.string(), archive_error(tar.get())));
  }
  LayerInfo info = sink.finish();
  file.commit();
  return info;
}

} // namespace xstage::layer
