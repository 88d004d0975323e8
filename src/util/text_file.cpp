#include "util/text_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "util/error.hpp"

namespace xstage::util {

std::string read_text_file(const std::filesystem::path& path, std::string_view display) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(fmt::format("cannot read {}: {}", display, std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    throw Error(fmt::format("cannot read {}: {}", display, std::strerror(errno)));
  }
  return text.str();
}

} // namespace xstage::util
