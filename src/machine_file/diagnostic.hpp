#pragma once

#include <string>
#include <string_view>

#include "machine_file/value.hpp"

namespace xstage::machine_file {

// "FILE:LINE:COL: MESSAGE" followed by the source line and a caret under the
// column, the one format of every located error (parser and recipe checks).
// `source_line` may be empty when the line is unknown; then only the first
// line is produced.
std::string format_diagnostic(const Location& location, std::string_view message,
                              std::string_view source_line);

// The same, quoting line `location.line` of `text` (the whole file).
std::string format_diagnostic_in(const Location& location, std::string_view message, std::string_view text);

// Line `number` (1-based) of `text`, without its newline; empty if absent.
std::string_view line_of(std::string_view text, int number);

} // namespace xstage::machine_file
