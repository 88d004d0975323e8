#include "util/text_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <sys/stat.h>

#include <fmt/format.h>

#include "util/error.hpp"

namespace xstage::util {

std::string read_text_file(const std::filesystem::path& path, std::string_view display, std::size_t limit) {
  // A regular file, checked before opening: /dev/zero would never end and a
  // FIFO would wait for a writer.
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    throw Error(fmt::format("cannot read {}: {}", display, std::strerror(errno)));
  }
  if (!S_ISREG(info.st_mode)) {
    throw Error(fmt::format("cannot read {}: it is not a regular file", display));
  }
  auto too_large = [&] {
    return Error(fmt::format("cannot read {}: larger than the {} MiB limit", display, limit >> 20));
  };
  if (static_cast<std::size_t>(info.st_size) > limit) {
    throw too_large();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(fmt::format("cannot read {}: {}", display, std::strerror(errno)));
  }
  // One byte past the size stat() gave, so that a file growing meanwhile is
  // caught rather than read without end.
  auto size = static_cast<std::size_t>(info.st_size);
  std::string text(size + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) {
    throw Error(fmt::format("cannot read {}: {}", display, std::strerror(errno)));
  }
  if (static_cast<std::size_t>(in.gcount()) > size) {
    throw Error(fmt::format("cannot read {}: it changed while it was read", display));
  }
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

std::vector<std::string> words_of(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<std::string> words;
  for (std::string word; in >> word;) {
    words.push_back(word);
  }
  return words;
}

} // namespace xstage::util
