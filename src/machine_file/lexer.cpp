#include "machine_file/lexer.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

namespace xstage::machine_file {

namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return 99;
}

void append_utf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

} // namespace

Lexer::Lexer(const ValueText& text, const SourceText& source) : m_value(text), m_source(source) {
  for (const ValueText::Piece& piece : text.pieces) {
    if (!m_starts.empty()) {
      m_text += '\n';
    }
    m_starts.push_back(m_text.size());
    m_text += piece.text;
  }
}

Token Lexer::next_token() {
  while (m_pos < m_text.size()) {
    char c = m_text[m_pos];
    if (c == ' ' || c == '\t') {
      ++m_pos;
    } else if (c == '#') {
      m_pos = std::min(m_text.find('\n', m_pos), m_text.size());
    } else if (c == '\n' && m_depth > 0) {
      ++m_pos; // Meson's lexer ignores newlines inside brackets only
    } else {
      Token token = lex_token();
      if (token.kind != TokenKind::newline) {
        m_last_end = token.end;
      }
      return token;
    }
  }
  Token end;
  end.begin = end.end = m_last_end;
  return end;
}

void Lexer::fail(std::size_t offset, std::string_view message) const {
  auto piece = static_cast<std::size_t>(std::upper_bound(m_starts.begin(), m_starts.end(), offset) -
                                        m_starts.begin()) -
               1;
  const ValueText::Piece& where = m_value.pieces[piece];
  m_source.fail(where.line, where.column + static_cast<int>(offset - m_starts[piece]), message);
}

void Lexer::fail_empty() const {
  m_source.fail(m_value.line, m_value.column, "expected a value after '='");
}

std::string Lexer::describe(const Token& token) const {
  std::string_view raw = std::string_view(m_text).substr(token.begin, token.end - token.begin);
  switch (token.kind) {
  case TokenKind::string: return fmt::format("string {}", raw);
  case TokenKind::integer: return fmt::format("integer {}", raw);
  case TokenKind::name: return fmt::format("name '{}'", raw);
  case TokenKind::boolean:
  case TokenKind::punct: return fmt::format("'{}'", raw);
  case TokenKind::newline: return "end of line";
  case TokenKind::end: break;
  }
  return "end of value";
}

Token Lexer::lex_token() {
  Token token;
  token.begin = m_pos;
  char c = m_text[m_pos];
  if (c == '\n') {
    ++m_pos;
    token.kind = TokenKind::newline;
  } else if (c == '\'') {
    m_pos = lex_string(m_pos, token);
  } else if (c == '"') {
    fail(m_pos, "double-quoted strings are not supported; use single quotes");
  } else if (c >= '0' && c <= '9') {
    m_pos = lex_integer(m_pos, token);
  } else if (is_name_char(c)) {
    while (m_pos < m_text.size() && is_name_char(m_text[m_pos])) {
      ++m_pos;
    }
    token.name = m_text.substr(token.begin, m_pos - token.begin);
    token.kind = token.name == "true" || token.name == "false" ? TokenKind::boolean : TokenKind::name;
    token.value = Value(token.name == "true");
  } else if (std::string_view("[](),+-*/%").find(c) != std::string_view::npos) {
    ++m_pos;
    token.kind = TokenKind::punct;
    token.punct = c;
    m_depth += c == '[' || c == '(' ? 1 : 0;
    m_depth -= (c == ']' || c == ')') && m_depth > 0 ? 1 : 0;
  } else {
    fail(m_pos, fmt::format("unexpected character '{}'", character_at(m_pos)));
  }
  token.end = m_pos;
  return token;
}

std::size_t Lexer::lex_string(std::size_t quote, Token& token) {
  std::string out;
  std::size_t i = quote + 1;
  for (;;) {
    if (i >= m_text.size() || m_text[i] == '\n') {
      fail(quote, "unterminated string");
    }
    char c = m_text[i];
    if (c == '\'') {
      break;
    }
    if (c != '\\' || i + 1 >= m_text.size()) {
      out += c;
      ++i;
      continue;
    }
    char next = m_text[i + 1];
    if (next == '\\' || next == '\'') {
      out += next;
      i += 2;
    } else if (next == 'n' || next == 't' || next == 'r') {
      out += next == 'n' ? '\n' : next == 't' ? '\t' : '\r';
      i += 2;
    } else if (next == 'x' && i + 3 < m_text.size() && digit_value(m_text[i + 2]) < 16 &&
               digit_value(m_text[i + 3]) < 16) {
      append_utf8(out, static_cast<unsigned>(digit_value(m_text[i + 2]) * 16 + digit_value(m_text[i + 3])));
      i += 4;
    } else {
      // Unknown escapes stay as written, so Windows paths like 'C:\foo' survive.
      out += c;
      ++i;
    }
  }
  token.kind = TokenKind::string;
  token.value = Value(std::move(out));
  return i + 1;
}

std::size_t Lexer::lex_integer(std::size_t begin, Token& token) {
  std::size_t i = begin;
  while (i < m_text.size() && is_name_char(m_text[i])) {
    ++i;
  }
  std::string_view text = std::string_view(m_text).substr(begin, i - begin);
  int base = 10;
  std::string_view digits = text;
  if (text.size() > 1 && text[0] == '0') {
    char prefix = static_cast<char>(text[1] | 0x20);
    base = prefix == 'x' ? 16 : prefix == 'o' ? 8 : prefix == 'b' ? 2 : 0;
    digits.remove_prefix(2);
  }
  bool valid = base != 0 && !digits.empty() &&
               std::all_of(digits.begin(), digits.end(), [base](char c) { return digit_value(c) < base; });
  if (!valid) {
    fail(begin, fmt::format("invalid integer '{}'", text));
  }
  std::uint64_t number = 0;
  const auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  for (char c : digits) {
    auto digit = static_cast<std::uint64_t>(digit_value(c));
    if (number > (max - digit) / static_cast<std::uint64_t>(base)) {
      fail(begin, fmt::format("integer '{}' is too large", text));
    }
    number = number * static_cast<std::uint64_t>(base) + digit;
  }
  token.kind = TokenKind::integer;
  token.value = Value(static_cast<std::int64_t>(number));
  return i;
}

std::string Lexer::character_at(std::size_t i) const {
  auto lead = static_cast<unsigned char>(m_text[i]);
  std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  return m_text.substr(i, length);
}

} // namespace xstage::machine_file
