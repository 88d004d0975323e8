// Extracting a layer safely into a root shared with other stages.
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
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::layer {

using namespace detail;

namespace {

std::vector<std::string_view> components(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    std::size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  return parts;
}

// `path` without "." and empty components, or nothing when it is absolute
// or has a ".." component.
std::optional<std::string> inside_path(std::string_view path) {
  std::vector<std::string_view> parts = components(path);
  if ((!path.empty() && path.front() == '/') || std::find(parts.begin(), parts.end(), "..") != parts.end()) {
    return std::nullopt;
  }
  std::string joined;
  for (std::string_view part : parts) {
    joined += (joined.empty() ? "" : "/") + std::string(part);
  }
  return joined;
}

// Refuses entries of one untrusted layer and tracks what it extracted.
class Extractor {
public:
  Extractor(const fs::path& archive_path, fs::path root, const std::string& stage, PathOwners& owners)
      : m_archive(archive_path.string()), m_root(std::move(root)), m_stage(stage), m_owners(owners) {}

  [[noreturn]] void refuse(std::string_view entry, std::string_view reason) const {
    throw Error(fmt::format("refusing layer {}: entry '{}' {}", m_archive, entry, reason));
  }

  // The entry's path made relative and clean, or refused.
  std::string clean_path(std::string_view raw) const {
    if (!raw.empty() && raw.front() == '/') {
      refuse(raw, "is an absolute path");
    }
    if (std::optional<std::string> path = inside_path(raw)) {
      return *path;
    }
    refuse(raw, "leaves the root");
  }

  void check_symlink(std::string_view raw, const std::string& path, std::string_view target) const {
    if (target.empty()) {
      refuse(raw, "is a symlink with an empty target");
    }
    // How many real directories a leading ".." may climb: the link's own.
    std::size_t depth = target.front() == '/' ? 0 : components(path).size() - 1;
    bool after_name = false;
    for (std::string_view part : components(target)) {
      if (part != "..") {
        after_name = true;
      } else if (after_name) {
        refuse(raw, fmt::format("is a symlink to '{}', which has '..' after a name", target));
      } else if (depth-- == 0) {
        refuse(raw, fmt::format("is a symlink to '{}', which leaves the root", target));
      }
    }
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
    if (auto owner = m_owners.find(path); owner != m_owners.end()) {
      throw Error(
          fmt::format("path {} is written by both stage '{}' and stage '{}'", path, owner->second, m_stage));
    }
    struct stat status {};
    if (::lstat((m_root / path).c_str(), &status) == 0 && !(directory && S_ISDIR(status.st_mode))) {
      refuse(raw, "would replace a path that is already in the root");
    }
  }

  // Checks one entry and points it below the root; false to skip it.
  bool prepare(archive_entry* entry) {
    const std::string raw = archive_entry_pathname(entry) != nullptr ? archive_entry_pathname(entry) : "";
    const std::string path = clean_path(raw);
    const mode_t type = archive_entry_filetype(entry);
    const char* hardlink = archive_entry_hardlink(entry);
    if (path.empty()) {
      if (type == AE_IFDIR && hardlink == nullptr) {
        return false; // "./": the root itself
      }
      refuse(raw, "has an empty path");
    }
    if (hardlink == nullptr) {
      switch (type) {
      case AE_IFREG:
      case AE_IFDIR:
      case AE_IFLNK: break;
      case AE_IFCHR: refuse(raw, "is a character device");
      case AE_IFBLK: refuse(raw, "is a block device");
      case AE_IFIFO: refuse(raw, "is a fifo");
      case AE_IFSOCK: refuse(raw, "is a socket");
      default: refuse(raw, "has an unsupported file type");
      }
    }
    const mode_t perm = archive_entry_perm(entry);
    if ((perm & (S_ISUID | S_ISGID)) != 0) {
      refuse(raw, "has setuid or setgid bits");
    }
    archive_entry_set_perm(entry, (perm & k_permission_bits) | (type == AE_IFDIR ? S_IRWXU : 0));
    if (type == AE_IFLNK && hardlink == nullptr) {
      const char* target = archive_entry_symlink(entry);
      check_symlink(raw, path, target != nullptr ? target : "");
    }
    if (hardlink != nullptr) {
      std::optional<std::string> target = inside_path(hardlink);
      if (!target) {
        refuse(raw, fmt::format("is a hard link to '{}', which leaves the root", hardlink));
      }
      if (m_files.count(*target) == 0) {
        refuse(raw, fmt::format("is a hard link to '{}', which this layer has not extracted", hardlink));
      }
      archive_entry_copy_hardlink(entry, (m_root / *target).c_str());
    }
    check_parents(raw, path);
    check_free(raw, path, type == AE_IFDIR && hardlink == nullptr);
    archive_entry_copy_pathname(entry, (m_root / path).c_str());
    m_current = path;
    m_current_type = hardlink != nullptr ? AE_IFREG : type;
    return true;
  }

  // Records the entry prepare() accepted, once it is on disk.
  void record() {
    if (m_current_type == AE_IFDIR) {
      m_directories.insert(m_current);
      return;
    }
    m_owners[m_current] = m_stage;
    if (m_current_type == AE_IFREG) {
      m_files.insert(m_current);
    }
  }

  void fail(std::string_view action, archive* handle) const {
    throw Error(fmt::format("cannot {} layer {}: {}", action, m_archive, archive_error(handle)));
  }

private:
  std::string m_archive;
  fs::path m_root;
  const std::string& m_stage;
  PathOwners& m_owners;
  std::set<std::string> m_directories; // known real directories
  std::set<std::string> m_files;       // regular files of this layer: hard-link targets
  std::string m_current;               // the entry between prepare() and record()
  mode_t m_current_type = 0;
};

} // namespace

void extract_layer(const fs::path& archive_path, const fs::path& root, const std::string& stage,
                   PathOwners& owners) {
  ScopedUtf8Locale locale; // decode pax names as they were encoded
  // libarchive resolves paths from the working directory, which is not ours
  // to change, so entries are given absolute paths below the canonical root
  // (no symlinks in it for ARCHIVE_EXTRACT_SECURE_SYMLINKS to trip over).
  std::error_code error;
  fs::create_directories(root, error);
  fs::path canonical_root = error ? fs::path() : fs::canonical(root, error);
  if (error) {
    throw Error(fmt::format("cannot create {}: {}", root.string(), error.message()));
  }
  Extractor extractor(archive_path, canonical_root, stage, owners);
  int opened = ARCHIVE_OK;
  ReadArchive in = detail::open_layer_reader(archive_path.c_str(), opened);
  if (opened != ARCHIVE_OK) {
    extractor.fail("read", in.get());
  }
  WriteArchive disk(archive_write_disk_new(), &archive_write_free);
  // The checks above are ours; these are libarchive's second line of defence.
  // SECURE_NOABSOLUTEPATHS cannot be used: our paths are absolute by design.
  archive_write_disk_set_options(disk.get(), ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                 ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                 ARCHIVE_EXTRACT_NO_OVERWRITE);
  archive_entry* entry = nullptr;
  for (;;) {
    int status = archive_read_next_header(in.get(), &entry);
    if (status == ARCHIVE_EOF) {
      break;
    }
    if (status < ARCHIVE_WARN) {
      extractor.fail("read", in.get());
    }
    if (!extractor.prepare(entry)) {
      continue;
    }
    // Header, data and finish; any failure is reported on `in`.
    if (archive_read_extract2(in.get(), entry, disk.get()) != ARCHIVE_OK) {
      extractor.fail("extract", in.get());
    }
    extractor.record();
  }
  if (archive_write_close(disk.get()) != ARCHIVE_OK) {
    extractor.fail("extract", disk.get());
  }
}

} // namespace xstage::layer
