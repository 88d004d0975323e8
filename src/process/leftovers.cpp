#include "process/leftovers.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include <sys/types.h>
#include <time.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace xstage::process {

namespace {

// The processes tagged with `token`, from /proc.
std::set<pid_t> tagged_processes(const std::string& token) {
  const std::string needle = std::string(k_token_variable) + "=" + token;
  std::set<pid_t> found;
  std::error_code error;
  for (fs::directory_iterator it("/proc", error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    auto pid = static_cast<pid_t>(std::stol(name));
    if (pid == ::getpid()) {
      continue;
    }
    std::ifstream in(it->path() / "environ", std::ios::binary);
    std::string environ((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Variables are NUL-separated; the needle must be a whole one.
    for (std::size_t at = environ.find(needle); at != std::string::npos; at = environ.find(needle, at + 1)) {
      bool starts = at == 0 || environ[at - 1] == '\0';
      bool ends = at + needle.size() == environ.size() || environ[at + needle.size()] == '\0';
      if (starts && ends) {
        found.insert(pid);
        break;
      }
    }
  }
  return found;
}

} // namespace

std::size_t stop_tagged_processes(const std::string& token, int grace_ms) {
  if (token.empty()) {
    return 0;
  }
  std::set<pid_t> stopped;
  for (int waited = 0;; waited += 50) {
    std::set<pid_t> running = tagged_processes(token);
    if (running.empty() || waited >= grace_ms) {
      return stopped.size();
    }
    for (pid_t pid : running) {
      ::kill(pid, SIGKILL);
      stopped.insert(pid);
    }
    struct timespec pause {
      0, 50 * 1000 * 1000
    };
    ::nanosleep(&pause, nullptr);
  }
}

} // namespace xstage::process
