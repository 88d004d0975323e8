#include "machine_file/source_text.hpp"

#include <fmt/format.h>

#include "machine_file/diagnostic.hpp"
#include "util/error.hpp"

namespace xstage::machine_file {

SourceText SourceText::split(std::string_view text, std::string file) {
  SourceText source{std::move(file), {}};
  while (!text.empty()) {
    auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    source.lines.emplace_back(line);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
  }
  return source;
}

void SourceText::fail(int line, int column, std::string_view message) const {
  std::string_view text;
  if (line >= 1 && static_cast<std::size_t>(line) <= lines.size()) {
    text = lines[static_cast<std::size_t>(line - 1)];
  }
  throw Error(format_diagnostic(location(line, column), message, text));
}

} // namespace xstage::machine_file
