#include "util/scratch.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>

#include <unistd.h>

#include <fmt/format.h>

#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::util {

Scratch::Scratch(const fs::path& prefix, Kind kind) {
  const std::string pattern = temp_pattern(prefix);
  // mkstemp and mkdtemp fill in the copy's XXXXXX, even when they fail.
  std::string name = pattern;
  bool made = false;
  if (kind == Kind::file) {
    int fd = ::mkstemp(name.data());
    made = fd >= 0;
    if (made) {
      ::close(fd);
    }
  } else {
    made = ::mkdtemp(name.data()) != nullptr;
  }
  if (!made) {
    throw Error(fmt::format("cannot create {}: {}", pattern, std::strerror(errno)));
  }
  m_path = name;
}

Scratch::~Scratch() {
  if (!m_path.empty()) {
    // A destructor must not throw, and what is left is a temporary that
    // garbage collection recognises.
    std::error_code ignored;
    fs::remove_all(m_path, ignored);
  }
}

} // namespace xstage::util
