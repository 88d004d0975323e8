#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace xstage::util {

// An advisory lock (flock(2)) on a small file that also holds a record of
// its holder (for "waiting for stage X (pid N)"). The kernel releases it when
// the holder exits, however it exits. The descriptor is close-on-exec, so the
// commands xstage runs never hold it: a killed xstage's lock is free at
// once, even while its orphans run.
class FileLock {
public:
  enum class Mode { shared, exclusive };

  // Opens `path`, creating it and its directory; does not lock. Throws
  // xstage::Error naming the path.
  explicit FileLock(std::filesystem::path path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  FileLock(FileLock&& other) noexcept : m_path(std::move(other.m_path)), m_fd(other.m_fd) { other.m_fd = -1; }
  FileLock& operator=(FileLock&&) = delete;

  // Takes the lock if no other process holds a conflicting one.
  bool try_lock(Mode mode);

  // Takes the lock, waiting as long as it takes; `on_wait`, when set, is
  // called once if another process holds it (to say who is waited for).
  // `stop` is asked between tries (every 100 ms); when it returns true,
  // throws xstage::Error "interrupted while waiting for WHAT". Polling, not a
  // blocking flock: a signal that arrives just before a blocking call would
  // not wake it.
  void lock(Mode mode, const std::function<bool()>& stop, std::string_view what,
            const std::function<void()>& on_wait = {});

  void unlock();

  // The record in the file ("" when empty), and replacing it (the holder
  // only).
  std::string record() const;
  void write_record(std::string_view text);

  const std::filesystem::path& path() const { return m_path; }

private:
  std::filesystem::path m_path;
  int m_fd = -1;
};

} // namespace xstage::util
