#include "machine_file/diagnostic.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace xstage::machine_file {

std::string format_diagnostic(const Location& location, std::string_view message,
                              std::string_view source_line) {
  std::string text = fmt::format("{}:{}:{}: {}", location.file, location.line, location.column, message);
  if (source_line.empty()) {
    return text;
  }
  // A long line is quoted only around the column: a 4 MiB line is not a
  // message, and a line that is not ours (a file that is not a recipe) is
  // shown no further than needed.
  constexpr std::size_t k_window = 120;
  std::size_t caret = static_cast<std::size_t>(location.column > 0 ? location.column - 1 : 0);
  std::string shown(source_line);
  if (source_line.size() > k_window) {
    std::size_t start =
        std::min(caret > k_window / 2 ? caret - k_window / 2 : 0, source_line.size() - k_window);
    shown = (start > 0 ? "..." : "") + std::string(source_line.substr(start, k_window)) +
            (start + k_window < source_line.size() ? "..." : "");
    caret = caret - start + (start > 0 ? 3 : 0);
  }
  text += fmt::format("\n{}\n{}^", shown, std::string(caret, ' '));
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
