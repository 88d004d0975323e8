#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "machine_file/source_text.hpp"
#include "machine_file/value.hpp"

namespace xstage::machine_file {

enum class TokenKind { string, integer, name, boolean, punct, newline, end };

struct Token {
  TokenKind kind = TokenKind::end;
  std::size_t begin = 0; // offsets into the joined value text
  std::size_t end = 0;
  Value value;       // for strings, integers and booleans
  std::string name;  // for names
  char punct = '\0'; // for punctuation
};

// Splits one value of Meson's machine-file language into tokens: single-quoted
// strings (with \\, \', \n, \t, \r and \xHH escapes), true/false, integers
// (decimal, 0x, 0o, 0b), names, punctuation and newlines. `#` starts a comment
// outside strings, and newlines inside brackets or parentheses are skipped,
// as in Meson's own lexer. The value's pieces are joined with '\n' so that a
// token's offset maps back to a line and column of the original file.
class Lexer {
public:
  Lexer(const ValueText& text, const SourceText& source);

  // The next token; TokenKind::end, located just past the last real token,
  // once the text is used up. Lexing on demand keeps errors in source order.
  // Throws xstage::Error located in the source on a malformed token.
  Token next_token();

  // Throws xstage::Error for `message` at the joined text's `offset`.
  [[noreturn]] void fail(std::size_t offset, std::string_view message) const;

  // An empty value has no token to point at, so this points just past the '='.
  [[noreturn]] void fail_empty() const;

  // How a token reads in an error message: "string 'a'", "']'", "end of value".
  std::string describe(const Token& token) const;

private:
  Token lex_token();
  std::size_t lex_string(std::size_t quote, Token& token);
  std::size_t lex_integer(std::size_t begin, Token& token);
  std::string character_at(std::size_t i) const;

  const ValueText& m_value;
  const SourceText& m_source;
  std::string m_text;
  std::vector<std::size_t> m_starts;
  std::size_t m_pos = 0;
  std::size_t m_last_end = 0;
  int m_depth = 0; // open brackets and parentheses
};

} // namespace xstage::machine_file
