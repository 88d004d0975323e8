#include "machine_file/diagnostic.hpp"

#include <fstream>

#include <fmt/format.h>

namespace xstage::machine_file {

namespace {

std::string read_line(const std::string& path, int wanted) {
  std::ifstream in(path);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (number == wanted) {
      return line;
    }
  }
  return {};
}

} // namespace

std::string format_diagnostic(const Location& location, std::string_view message,
                              std::string_view source_line) {
  std::string text = fmt::format("{}:{}:{}: {}", location.file, location.line, location.column, message);
  if (!source_line.empty()) {
    int column = location.column > 0 ? location.column : 1;
    text += fmt::format("\n{}\n{}^", source_line, std::string(static_cast<std::size_t>(column - 1), ' '));
  }
  return text;
}

std::string format_diagnostic(const Location& location, std::string_view message) {
  return format_diagnostic(location, message, read_line(location.file, location.line));
}

} // namespace xstage::machine_file
