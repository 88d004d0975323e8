#include "util/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/stop.hpp"

namespace fs = std::filesystem;

namespace xstage::util {

namespace {

constexpr std::string_view k_temp_marker = ".tmp.";
constexpr std::size_t k_temp_suffix_length = 6; // mkstemp's XXXXXX

std::string errno_text() {
  return std::strerror(errno);
}

fs::path directory_of(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

// A rename is only durable once the directory holding the new name is.
void sync_directory(const fs::path& directory) {
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    throw FileError(fmt::format("cannot open directory {}: {}", directory.string(), errno_text()));
  }
  int result = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  if (result != 0) {
    throw FileError(fmt::format("cannot sync directory {}: {}", directory.string(), std::strerror(saved)));
  }
}

} // namespace

// Outputs replace only regular files: a rename over a device node (an
// --docker-archive of /dev/full), a FIFO or a symlink would silently swap
// it for a file. Checked before any byte is written and again at the rename.
void refuse_special_target(const fs::path& target) {
  struct stat info {};
  if (::lstat(target.c_str(), &info) != 0 || S_ISREG(info.st_mode)) {
    return;
  }
  const char* kind = S_ISLNK(info.st_mode)    ? "a symbolic link"
                     : S_ISDIR(info.st_mode)  ? "a directory"
                     : S_ISCHR(info.st_mode)  ? "a character device"
                     : S_ISBLK(info.st_mode)  ? "a block device"
                     : S_ISFIFO(info.st_mode) ? "a FIFO"
                                              : "a socket";
  throw Error(fmt::format("refusing to write {}: it is {}, and xstage replaces only regular files",
                          target.string(), kind));
}

namespace {

void sync_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    int saved = errno;
    if (fd >= 0) {
      ::close(fd);
    }
    throw FileError(fmt::format("cannot sync {}: {}", path.string(), std::strerror(saved)));
  }
  ::close(fd);
}

} // namespace

AtomicFile::AtomicFile(fs::path target, mode_t mode) : m_target(std::move(target)) {
  refuse_special_target(m_target);
  std::string pattern = temp_pattern(directory_of(m_target) / m_target.filename());
  m_fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (m_fd < 0) {
    throw FileError(
        fmt::format("cannot create a temporary file for {}: {}", m_target.string(), errno_text()));
  }
  m_temp = pattern;
  if (::fchmod(m_fd, mode) != 0) {
    int saved = errno;
    ::close(m_fd);
    ::unlink(m_temp.c_str());
    throw FileError(fmt::format("cannot set the mode of {}: {}", m_temp.string(), std::strerror(saved)));
  }
}

AtomicFile::~AtomicFile() {
  if (m_fd >= 0) {
    ::close(m_fd);
  }
  if (!m_committed) {
    // Nothing to report to: a destructor must not throw, and the temporary
    // is garbage either way.
    ::unlink(m_temp.c_str());
  }
}

void AtomicFile::write(std::string_view data) {
  if (m_committed) {
    throw Error(fmt::format("cannot write {}: already committed", m_target.string()));
  }
  while (!data.empty()) {
    ssize_t written = ::write(m_fd, data.data(), data.size());
    if (written < 0 && errno == EINTR) {
      continue;
    }
    if (written < 0) {
      throw FileError(fmt::format("cannot write {}: {}", m_temp.string(), errno_text()));
    }
    data.remove_prefix(static_cast<std::size_t>(written));
  }
}

void AtomicFile::commit() {
  if (m_committed) {
    throw Error(fmt::format("cannot commit {}: already committed", m_target.string()));
  }
  if (::fsync(m_fd) != 0) {
    throw FileError(fmt::format("cannot sync {}: {}", m_temp.string(), errno_text()));
  }
  int result = ::close(m_fd);
  m_fd = -1;
  if (result != 0) {
    throw FileError(fmt::format("cannot close {}: {}", m_temp.string(), errno_text()));
  }
  refuse_special_target(m_target);
  if (::rename(m_temp.c_str(), m_target.c_str()) != 0) {
    throw FileError(
        fmt::format("cannot rename {} to {}: {}", m_temp.string(), m_target.string(), errno_text()));
  }
  m_committed = true;
  sync_directory(directory_of(m_target));
}

void write_file_atomically(const fs::path& path, std::string_view content, mode_t mode) {
  AtomicFile file(path, mode);
  file.write(content);
  file.commit();
}

void copy_file_atomically(const fs::path& from, const fs::path& to) {
  int fd = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw Error(fmt::format("cannot read {}: {}", from.string(), errno_text()));
  }
  try {
    AtomicFile file(to);
    std::vector<char> buffer(1 << 16);
    for (;;) {
      throw_if_stopped("copying " + from.string());
      ssize_t got = ::read(fd, buffer.data(), buffer.size());
      if (got < 0 && errno == EINTR) {
        continue;
      }
      if (got < 0) {
        throw Error(fmt::format("cannot read {}: {}", from.string(), errno_text()));
      }
      if (got == 0) {
        break;
      }
      file.write(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
    }
    file.commit();
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

void move_file_atomically(const fs::path& from, const fs::path& to) {
  refuse_special_target(to);
  sync_file(from);
  if (::rename(from.c_str(), to.c_str()) != 0) {
    if (errno != EXDEV) {
      throw FileError(fmt::format("cannot rename {} to {}: {}", from.string(), to.string(), errno_text()));
    }
    // Another filesystem: copy into `to` atomically, then drop `from`.
    copy_file_atomically(from, to);
    if (::unlink(from.c_str()) != 0) {
      throw FileError(fmt::format("cannot remove {}: {}", from.string(), errno_text()));
    }
    return;
  }
  sync_directory(directory_of(to));
}

bool link_file_atomically(const fs::path& from, const fs::path& to) {
  if (::link(from.c_str(), to.c_str()) != 0) {
    return false;
  }
  sync_directory(directory_of(to));
  return true;
}

std::string temp_pattern(const fs::path& target) {
  std::string pattern = target.string();
  pattern += k_temp_marker;
  pattern.append(k_temp_suffix_length, 'X');
  return pattern;
}

bool is_temp_name(std::string_view filename) {
  if (filename.size() <= k_temp_marker.size() + k_temp_suffix_length) {
    return false;
  }
  std::size_t marker = filename.size() - k_temp_suffix_length - k_temp_marker.size();
  return filename.substr(marker, k_temp_marker.size()) == k_temp_marker;
}

} // namespace xstage::util
