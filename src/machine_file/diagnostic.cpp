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

} // namespace xstage::machine_file
