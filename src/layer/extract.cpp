// Extracting a layer, or a Debian package's data, safely into a root shared
// with other stages or packages.
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
#include "layer/deb_data.hpp"
#include "layer/entry_policy.hpp"
#include "layer/layer_stream.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"
#include "util/umask.hpp"

namespace fs = std::filesystem;

namespace xstage::layer {

using namespace detail;

namespace {

// Refuses entries of one untrusted archive and tracks what it extracted.
// `owner` (a stage, or a package) is recorded for each path; `kind` says
// which in messages.
class Extractor {
public:
  Extractor(std::string subject, fs::path root, std::string_view kind, const std::string& owner,
            PathOwners& owners)
      : m_policy(std::move(subject)), m_root(std::move(root)), m_kind(kind), m_owner(owner),
        m_owners(owners) {}

  [[noreturn]] void refuse(std::string_view entry, std::string_view reason) const {
    m_policy.refuse(entry, reason);
  }

  // Every parent must be a real directory (or not exist yet); nothing is
  // ever written through a symlink, whichever layer made it.
  void check_parents(std::string_view raw, const std::string& path) {
    for (std::size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      std::string parent = path.substr(0, slash);
      if (m_directories.count(parent) != 0) {
        continue;
      }
      struct stat status {};
      if (::lstat((m_root / parent).c_str(), &status) != 0) {
        return; // created by libarchive, as are the ones below it
      }
      if (S_ISLNK(status.st_mode)) {
        refuse(raw, fmt::format("is written through the symlink '{}'", parent));
      }
      if (!S_ISDIR(status.st_mode)) {
        refuse(raw, fmt::format("is written below '{}', which is not a directory", parent));
      }
      m_directories.insert(parent);
    }
  }

  // Only directories may be shared; any other path belongs to one stage.
  void check_free(std::string_view raw, const std::string& path, bool directory) const {
    struct stat status {};
    const bool exists = ::lstat((m_root / path).c_str(), &status) == 0;
    if (exists && directory && S_ISLNK(status.st_mode)) {
      // A directory entry over a symlink: tar would keep the link and write
      // the directory's contents through it.
      refuse(raw, fmt::format("is written through the symlink '{}'", path));
    }
    if (auto owner = m_owners.find(path); owner != m_owners.end()) {
      throw Error(fmt::format("path {} is written by both {} '{}' and {} '{}'", path, m_kind, owner->second,
                              m_kind, m_owner));
    }
    if (exists && !(directory && S_ISDIR(status.st_mode))) {
      refuse(raw, "would replace a path that is already in the root");
    }
  }

  // Checks one entry and points it below the root; false to skip it.
  bool prepare(archive_entry* entry) {
    std::optional<std::string> admitted = m_policy.admit(entry);
    if (!admitted) {
      return false;
    }
    const std::string& path = *admitted;
    const std::string raw = archive_entry_pathname(entry);
    const mode_t type = archive_entry_filetype(entry);
    const char* hardlink = archive_entry_hardlink(entry);
    archive_entry_set_perm(entry, (archive_entry_perm(entry) & k_permission_bits) |
                                      (type == AE_IFDIR ? S_IRWXU : 0));
    if (hardlink != nullptr) {
      archive_entry_copy_hardlink(entry, (m_root / *inside_path(hardlink)).c_str());
    }
    check_parents(raw, path);
    check_free(raw, path, type == AE_IFDIR && hardlink == nullptr);
    archive_entry_copy_pathname(entry, (m_root / path).c_str());
    m_current = path;
    m_current_type = hardlink != nullptr ? AE_IFREG : type;
    return true;
  }

  // A failed write names the entry, the root and the system's reason (a
  // full disk says "No space left on device", not only "Write failed").
  template <typename Source> [[noreturn]] void fail_write(const Source& stream, archive* handle) const {
    stream.rethrow_failure();
    if (int code = archive_errno(handle); code > 0) {
      throw Error(fmt::format("cannot extract '{}' of {} into {}: {} ({})", m_current, m_policy.subject(),
                              m_root.string(), std::strerror(code), archive_error(handle)));
    }
    stream.fail("extract", handle);
  }

  // Records the entry prepare() accepted, once it is on disk.
  void record() {
    if (m_current_type == AE_IFDIR) {
      m_directories.insert(m_current);
      return;
    }
    m_owners[m_current] = m_owner;
  }

private:
  EntryPolicy m_policy;
  fs::path m_root;
  std::string_view m_kind;
  const std::string& m_owner;
  PathOwners& m_owners;
  std::set<std::string> m_directories; // known real directories
  std::string m_current;               // the entry between prepare() and record()
  mode_t m_current_type = 0;
};

} // namespace

namespace {

// `root` created if missing, and its canonical path: libarchive resolves
// paths from the working directory, which is not ours to change, so entries
// are given absolute paths below the canonical root (no symlinks in it for
// ARCHIVE_EXTRACT_SECURE_SYMLINKS to trip over).
fs::path canonical_root(const fs::path& root) {
  std::error_code error;
  fs::create_directories(root, error);
  fs::path canonical = error ? fs::path() : fs::canonical(root, error);
  if (error) {
    throw Error(fmt::format("cannot create {}: {}", root.string(), error.message()));
  }
  return canonical;
}

// Pours the current entry's data from `in` into `disk`.
template <typename Source> void copy_data(Source& source, archive* in, archive* disk, Extractor& extractor) {
  const void* block = nullptr;
  std::size_t size = 0;
  la_int64_t offset = 0;
  for (;;) {
    int status = archive_read_data_block(in, &block, &size, &offset);
    if (status == ARCHIVE_EOF) {
      return;
    }
    if (status != ARCHIVE_OK) {
      extractor.fail_write(source, in);
    }
    if (archive_write_data_block(disk, block, size, offset) != ARCHIVE_OK) {
      extractor.fail_write(source, disk);
    }
  }
}

// Extracts every entry `in` reads from `source` (a LayerStream or DebData).
template <typename Source> void extract_entries(Source& source, archive* in, Extractor& extractor) {
  WriteArchive disk(util::under_umask_lock(archive_write_disk_new), &archive_write_free);
  // The checks above are ours; these are libarchive's second line of defence.
  // SECURE_NOABSOLUTEPATHS cannot be used: our paths are absolute by design.
  archive_write_disk_set_options(disk.get(), ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                 ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                 ARCHIVE_EXTRACT_NO_OVERWRITE);
  archive_entry* entry = nullptr;
  for (;;) {
    int status = archive_read_next_header(in, &entry);
    if (status == ARCHIVE_EOF) {
      break;
    }
    if (status < ARCHIVE_WARN) {
      source.fail("read", in);
    }
    if (!extractor.prepare(entry)) {
      continue;
    }
    // Header, data and finish, as archive_read_extract2() does them, but
    // with the header under the umask lock: libarchive sets the umask to 0
    // and back for every header it writes (see util/umask.hpp).
    if (util::under_umask_lock([&] { return archive_write_header(disk.get(), entry); }) != ARCHIVE_OK) {
      extractor.fail_write(source, disk.get());
    }
    copy_data(source, in, disk.get(), extractor);
    if (archive_write_finish_entry(disk.get()) != ARCHIVE_OK) {
      extractor.fail_write(source, disk.get());
    }
    extractor.record();
  }
  if (archive_write_close(disk.get()) != ARCHIVE_OK) {
    extractor.fail_write(source, disk.get());
  }
}

} // namespace

void extract_layer(const fs::path& archive_path, const LayerInfo& expected, const fs::path& root,
                   const std::string& stage, PathOwners& owners) {
  ScopedUtf8Locale locale; // decode pax names as they were encoded
  Extractor extractor("layer " + archive_path.string(), canonical_root(root), "stage", stage, owners);
  LayerStream stream(archive_path, &expected);
  ReadArchive in = stream.open_tar();
  extract_entries(stream, in.get(), extractor);
  stream.finish();
}

void extract_deb(const fs::path& deb, const std::string& package, const fs::path& root, PathOwners& owners) {
  ScopedUtf8Locale locale;
  DebData data(deb, package);
  Extractor extractor(data.name(), canonical_root(root), "package", package, owners);
  ReadArchive in = data.open_tar();
  extract_entries(data, in.get(), extractor);
}

} // namespace xstage::layer
