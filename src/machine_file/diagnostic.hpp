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

} // namespace xstage::machine_file
