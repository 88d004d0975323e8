#pragma once

// What a layer may hold, checked entry by entry; internal to src/layer/.

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <archive_entry.h>

namespace xstage::layer::detail {

// `path` split at '/', without empty and "." components.
std::vector<std::string_view> components(std::string_view path);

// `path` without "." and empty components, or nothing when it is absolute
// or has a ".." component.
std::optional<std::string> inside_path(std::string_view path);

// The rules every reader of an untrusted layer applies (extraction, image
// assembly, verification, pushes, pulls), for one layer read in order:
// - paths are relative, without "..";
// - only files, directories, symlinks and hard links: no device, fifo or
//   socket, no setuid or setgid bits;
// - a symlink's target stays inside the root (resolved lexically from the
//   link's directory, an absolute one from the root; a ".." may only lead
//   it, because the component it would cancel might itself be a symlink);
// - a hard link points at a file extracted earlier from the same layer;
// - no entry is written through a symlink or below a non-directory of the
//   layer, and no path other than a directory appears twice.
// Each refusal throws xstage::Error naming the archive and the entry.
class EntryPolicy {
public:
  // `subject` names what is read in refusals: "layer PATH", "package NAME (PATH)".
  explicit EntryPolicy(std::string subject) : m_subject(std::move(subject)) {}

  // The entry's clean path ("usr/lib/x.so"), or nothing for the root
  // directory itself ("./"), which readers skip.
  std::optional<std::string> admit(archive_entry* entry);

  [[noreturn]] void refuse(std::string_view entry, std::string_view reason) const;

  // What is read, as refusals name it: "layer PATH", "package NAME (FILE)".
  const std::string& subject() const { return m_subject; }

private:
  std::string clean_path(std::string_view raw) const;
  void check_type(std::string_view raw, archive_entry* entry) const;
  void check_symlink(std::string_view raw, const std::string& path, std::string_view target) const;
  void check_parents(std::string_view raw, const std::string& path) const;

  std::string m_subject;
  std::set<std::string> m_directories; // of this layer
  std::set<std::string> m_files;       // regular files of this layer: hard-link targets
  std::set<std::string> m_others;      // symlinks and hard links of this layer
};

} // namespace xstage::layer::detail
