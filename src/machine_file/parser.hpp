#pragma once

#include <functional>
#include <string>

#include "machine_file/source_text.hpp"
#include "machine_file/value.hpp"

namespace xstage::machine_file {

// Resolves a name used in a value; nullptr when the name is not defined.
using Lookup = std::function<const Value*(const std::string& name)>;

// Tokenizes and evaluates one value expression of Meson's machine-file
// language: single-quoted strings, true/false, integers, arrays, parentheses,
// names, `+` (string or array concatenation) and `/` (path join, binding
// tighter than `+`). `#` starts a comment outside strings. A value continues
// across lines only inside brackets or parentheses, as in Meson's own lexer.
// Throws xstage::Error located in `source` on any malformed or ill-typed value.
Value evaluate(const ValueText& text, const SourceText& source, const Lookup& lookup);

} // namespace xstage::machine_file
