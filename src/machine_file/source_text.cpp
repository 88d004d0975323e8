#include "machine_file/source_text.hpp"

#include <fmt/format.h>

#include "machine_file/diagnostic.hpp"
#include "util/error.hpp"

namespace xstage::machine_file {

namespace {

// The length of the UTF-8 sequence at `line[i]`, or 0 when it is not one
// (a stray continuation byte, an overlong or truncated sequence, a
// surrogate, past U+10FFFF).
std::size_t utf8_length(std::string_view line, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(line[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) {
    return 1;
  }
  std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (length == 0 || lead > 0xF4 || i + length > line.size()) {
    return 0;
  }
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      return 0;
    }
  }
  unsigned char second = byte(i + 1);
  bool overlong = (lead == 0xE0 && second < 0xA0) || (lead == 0xF0 && second < 0x90);
  bool surrogate = lead == 0xED && second >= 0xA0;
  bool too_high = lead == 0xF4 && second >= 0x90;
  return overlong || surrogate || too_high ? 0 : length;
}

} // namespace

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
  // Meson reads machine files as UTF-8 and refuses others; so does xstage,
  // at the byte, before a value carries it into a key's JSON.
  for (std::size_t number = 0; number < source.lines.size(); ++number) {
    const std::string& line = source.lines[number];
    for (std::size_t i = 0; i < line.size();) {
      std::size_t length = utf8_length(line, i);
      if (length == 0) {
        source.fail(static_cast<int>(number + 1), static_cast<int>(i + 1),
                    fmt::format("byte 0x{:02x} is not UTF-8; machine files are UTF-8 text",
                                static_cast<unsigned char>(line[i])));
      }
      i += length;
    }
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
