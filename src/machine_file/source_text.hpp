#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "machine_file/value.hpp"

namespace xstage::machine_file {

// One file's text split into lines (without line endings), kept so that every
// error can quote the line it points into.
struct SourceText {
  std::string file;
  std::vector<std::string> lines;

  // Splits `text` on newlines; a trailing carriage return is dropped from
  // every line, so files with CRLF endings read the same.
  static SourceText split(std::string_view text, std::string file);

  Location location(int line, int column) const { return Location{file, line, column}; }

  // Throws xstage::Error "FILE:LINE:COL: MESSAGE", the quoted line and a caret.
  [[noreturn]] void fail(int line, int column, std::string_view message) const;
};

// The text of one value as written: the rest of the key line after '=' and
// any indented continuation lines, each piece with the line and column of its
// first character, so errors point into the original file.
struct ValueText {
  struct Piece {
    int line = 0;
    int column = 0;
    std::string text;
  };

  std::vector<Piece> pieces;
  // Just after the '=', where an empty value is reported.
  int line = 0;
  int column = 0;
};

} // namespace xstage::machine_file
