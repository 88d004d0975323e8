#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace xstage::util {

// The one way xstage writes an artifact (layer, cache entry, index, image
// file): the content goes to a unique temporary file next to the target
// ("<name>.tmp.XXXXXX", created with mkstemp, never a fixed name), and only
// commit() makes it visible, by renaming it over the target. Readers thus see
// either the old file or the complete new one, never a partial one.
//
// Durability is decided here, once: commit() fsyncs the file before the
// rename and the directory after it, so a committed file survives a crash.
// A file that is never committed (an exception, a crash) leaves no target;
// the destructor removes the temporary, and a crash leaves at most a stray
// temporary that is_temp_name() recognises, for readers to skip and for
// garbage collection to remove.
//
// Only a regular file (or nothing) at the target is replaced: a device, FIFO,
// directory or symbolic link there is refused, naming it, before anything is
// written.
//
// Every failure throws xstage::Error naming the path and the reason.
class AtomicFile {
public:
  // mkstemp creates files 0600; artifacts are meant to be shared and
  // readable, and a fixed mode keeps them independent of the caller's umask.
  static constexpr mode_t k_shared_mode = 0644;

  // Creates the temporary in the target's directory, which must exist, with
  // `mode` from the start (0600 for a private key is never readable by
  // others, not even for a moment).
  explicit AtomicFile(std::filesystem::path target, mode_t mode = k_shared_mode);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Appends `data` to the temporary; retries short writes and EINTR.
  void write(std::string_view data);

  // Flushes the temporary to disk, renames it over the target (an existing
  // target is replaced by the rename itself, never unlinked first) and
  // flushes the directory. May be called once; no writes after it.
  void commit();

  const std::filesystem::path& path_of_temp() const { return m_temp; }
  const std::filesystem::path& target() const { return m_target; }

private:
  std::filesystem::path m_target;
  std::filesystem::path m_temp;
  int m_fd = -1;
  bool m_committed = false;
};

// Writes `content` to `path` through an AtomicFile and commits it.
void write_file_atomically(const std::filesystem::path& path, std::string_view content,
                           mode_t mode = AtomicFile::k_shared_mode);

// Throws xstage::Error ("refusing to write PATH: it is a character device,
// ...") when something other than a regular file is at `target`: what
// AtomicFile checks, for commands to check an output path before long work.
void refuse_special_target(const std::filesystem::path& target);

// Copies the file `from` to `to` through an AtomicFile, so `to` appears
// complete or not at all.
void copy_file_atomically(const std::filesystem::path& from, const std::filesystem::path& to);

// Moves the file `from` to `to`, replacing `to` atomically: flushes `from`,
// renames it, and flushes the destination directory. When the two are on
// different filesystems (EXDEV) it copies through an AtomicFile beside `to`
// and then removes `from`, so `to` still appears complete or not at all.
void move_file_atomically(const std::filesystem::path& from, const std::filesystem::path& to);

// Makes `to` a hard link to the file `from`, then flushes `to`'s directory,
// so the new name survives a crash as a committed AtomicFile does. Returns
// false, changing nothing, when the link cannot be made (another filesystem,
// no hard links there, `to` exists), for the caller to copy instead; throws
// xstage::Error when the directory cannot be flushed.
bool link_file_atomically(const std::filesystem::path& from, const std::filesystem::path& to);

// The mkstemp pattern of a temporary for `target`: "<target>.tmp.XXXXXX".
std::string temp_pattern(const std::filesystem::path& target);

// True for the name of an AtomicFile temporary ("<name>.tmp.XXXXXX").
bool is_temp_name(std::string_view filename);

} // namespace xstage::util
