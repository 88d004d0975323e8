#include "util/file_lock.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::util {

FileLock::FileLock(fs::path path) : m_path(std::move(path)) {
  std::error_code error;
  fs::create_directories(m_path.parent_path(), error);
  m_fd = ::open(m_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (m_fd < 0) {
    throw Error(fmt::format("cannot open the lock file {}: {}", m_path.string(), std::strerror(errno)));
  }
}

FileLock::~FileLock() {
  if (m_fd >= 0) {
    ::close(m_fd); // releases the lock too
  }
}

bool FileLock::try_lock(Mode mode) {
  int operation = (mode == Mode::shared ? LOCK_SH : LOCK_EX) | LOCK_NB;
  while (::flock(m_fd, operation) != 0) {
    if (errno == EWOULDBLOCK) {
      return false;
    }
    if (errno != EINTR) {
      throw Error(fmt::format("cannot lock {}: {}", m_path.string(), std::strerror(errno)));
    }
  }
  return true;
}

void FileLock::lock(Mode mode, const std::function<bool()>& stop, std::string_view what,
                    const std::function<void()>& on_wait) {
  if (try_lock(mode)) {
    return;
  }
  if (on_wait) {
    on_wait();
  }
  while (!try_lock(mode)) {
    if (stop && stop()) {
      throw Error(fmt::format("interrupted while waiting for {}", what));
    }
    struct timespec pause {
      0, 100 * 1000 * 1000
    };
    ::nanosleep(&pause, nullptr);
  }
}

void FileLock::unlock() {
  ::flock(m_fd, LOCK_UN);
}

std::string FileLock::record() const {
  std::string text;
  char buffer[512];
  for (off_t offset = 0;;) {
    ssize_t got = ::pread(m_fd, buffer, sizeof buffer, offset);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got <= 0 || text.size() > 4096) {
      return text;
    }
    text.append(buffer, static_cast<std::size_t>(got));
    offset += got;
  }
}

void FileLock::write_record(std::string_view text) {
  // Small enough for one write; readers may see it truncated at worst,
  // which only shortens a "waiting for" message.
  if (::ftruncate(m_fd, 0) != 0 ||
      ::pwrite(m_fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    throw Error(fmt::format("cannot write the lock file {}: {}", m_path.string(), std::strerror(errno)));
  }
}

} // namespace xstage::util
