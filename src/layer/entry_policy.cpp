#include "layer/entry_policy.hpp"

#include <algorithm>

#include <sys/stat.h>

#include <fmt/format.h>

#include "util/error.hpp"

namespace xstage::layer::detail {

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

void EntryPolicy::refuse(std::string_view entry, std::string_view reason) const {
  throw Error(fmt::format("refusing {}: entry '{}' {}", m_subject, entry, reason));
}

std::string EntryPolicy::clean_path(std::string_view raw) const {
  if (!raw.empty() && raw.front() == '/') {
    refuse(raw, "is an absolute path");
  }
  if (std::optional<std::string> path = inside_path(raw)) {
    return *path;
  }
  refuse(raw, "leaves the root");
}

void EntryPolicy::check_type(std::string_view raw, archive_entry* entry) const {
  if (archive_entry_hardlink(entry) == nullptr) {
    switch (archive_entry_filetype(entry)) {
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
  if ((archive_entry_perm(entry) & (S_ISUID | S_ISGID)) != 0) {
    refuse(raw, "has setuid or setgid bits");
  }
}

void EntryPolicy::check_symlink(std::string_view raw, const std::string& path,
                                std::string_view target) const {
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

void EntryPolicy::check_parents(std::string_view raw, const std::string& path) const {
  for (std::size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    std::string parent = path.substr(0, slash);
    if (m_others.count(parent) != 0) {
      refuse(raw, fmt::format("is written through the symlink '{}'", parent));
    }
    if (m_files.count(parent) != 0) {
      refuse(raw, fmt::format("is written below '{}', which is not a directory", parent));
    }
  }
}

std::optional<std::string> EntryPolicy::admit(archive_entry* entry) {
  const std::string raw = archive_entry_pathname(entry) != nullptr ? archive_entry_pathname(entry) : "";
  const std::string path = clean_path(raw);
  const char* hardlink = archive_entry_hardlink(entry);
  const bool directory = hardlink == nullptr && archive_entry_filetype(entry) == AE_IFDIR;
  if (path.empty()) {
    if (directory) {
      return std::nullopt; // "./": the root itself
    }
    refuse(raw, "has an empty path");
  }
  check_type(raw, entry);
  if (hardlink == nullptr && archive_entry_filetype(entry) == AE_IFLNK) {
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
  }
  check_parents(raw, path);
  if (m_files.count(path) != 0 || m_others.count(path) != 0 ||
      (!directory && m_directories.count(path) != 0)) {
    refuse(raw, "appears twice in the layer");
  }
  if (directory) {
    m_directories.insert(path);
  } else if (hardlink == nullptr && archive_entry_filetype(entry) == AE_IFREG) {
    m_files.insert(path);
  } else if (hardlink != nullptr) {
    m_files.insert(path); // a second name of a file: a file too
  } else {
    m_others.insert(path);
  }
  return path;
}

} // namespace xstage::layer::detail
