#include "machine_file/diagnostic.hpp"

#include <fmt/format.h>

namespace xstage::machine_file {

std::string format_diagnostic(const Location& location, std::string_view message,
                              std::string_view source_line) {
  std::string text = fmt::format("{}:{}:{}: {}", location.file, location.line, location.column, message);
  if (!source_line.empty()) {
    int column = location.column > 0 ? location.column : 1;
    text += fmt::format("\n{}\n{}^", source_line, std::string(static_cast<std::size_t>(column - 1), ' '));
  }
  return text;
}

std::string_view line_of(std::string_view text, int number) {
  for (int current = 1; current < number; ++current) {
    auto newline = text.find('\n');
    if (newline == std::string_view::npos) {
      return {};
    }
    text.remove_prefix(newline + 1);
  }
  return text.substr(0, text.find('\n'));
}

std::string format_diagnostic_in(const Location& location, std::string_view message, std::string_view text) {
  return format_diagnostic(location, message, line_of(text, location.line));
}

} // namespace xstage::machine_file
