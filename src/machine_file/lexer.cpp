#include "machine_file/lexer.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>

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

namespace {

// Deeper nesting than this is surely a mistake, and recursion must stay bounded.
constexpr int k_max_depth = 200;
constexpr std::string_view k_continuation_hint =
    "; an indented line continues the value above it, which works only inside [ ] or ( )";
constexpr std::string_view k_operators_hint = ": machine files support only '+' and '/'";

enum class Kind { string, integer, name, boolean, punct, newline, end };

struct Token {
  Kind kind = Kind::end;
  std::size_t begin = 0; // offsets into the joined value text
  std::size_t end = 0;
  Value value;       // for strings, integers and booleans
  std::string name;  // for names
  char punct = '\0'; // for punctuation
};

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

// Splits the value into tokens. The pieces are joined with '\n' so that a
// token's offset maps back to a line and column of the original file.
class Lexer {
public:
  Lexer(const ValueText& text, const SourceText& source) : m_value(text), m_source(source) {
    for (const ValueText::Piece& piece : text.pieces) {
      if (!m_starts.empty()) {
        m_text += '\n';
      }
      m_starts.push_back(m_text.size());
      m_text += piece.text;
    }
  }

  // The next token; Kind::end, located just past the last real token, once
  // the text is used up. Lexing on demand keeps errors in source order.
  Token next_token() {
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
        if (token.kind != Kind::newline) {
          m_last_end = token.end;
        }
        return token;
      }
    }
    Token end;
    end.begin = end.end = m_last_end;
    return end;
  }

  [[noreturn]] void fail(std::size_t offset, std::string_view message) const {
    auto piece = static_cast<std::size_t>(std::upper_bound(m_starts.begin(), m_starts.end(), offset) -
                                          m_starts.begin()) -
                 1;
    const ValueText::Piece& where = m_value.pieces[piece];
    m_source.fail(where.line, where.column + static_cast<int>(offset - m_starts[piece]), message);
  }

  // An empty value has no token to point at, so point just past the '='.
  [[noreturn]] void fail_empty() const {
    m_source.fail(m_value.line, m_value.column, "expected a value after '='");
  }

  // How a token reads in an error message: "string 'a'", "']'", "end of value".
  std::string describe(const Token& token) const {
    std::string_view raw = std::string_view(m_text).substr(token.begin, token.end - token.begin);
    switch (token.kind) {
    case Kind::string: return fmt::format("string {}", raw);
    case Kind::integer: return fmt::format("integer {}", raw);
    case Kind::name: return fmt::format("name '{}'", raw);
    case Kind::boolean:
    case Kind::punct: return fmt::format("'{}'", raw);
    case Kind::newline: return "end of line";
    case Kind::end: break;
    }
    return "end of value";
  }

private:
  Token lex_token() {
    Token token;
    token.begin = m_pos;
    char c = m_text[m_pos];
    if (c == '\n') {
      ++m_pos;
      token.kind = Kind::newline;
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
      token.kind = token.name == "true" || token.name == "false" ? Kind::boolean : Kind::name;
      token.value = Value(token.name == "true");
    } else if (std::string_view("[](),+-*/%").find(c) != std::string_view::npos) {
      ++m_pos;
      token.kind = Kind::punct;
      token.punct = c;
      m_depth += c == '[' || c == '(' ? 1 : 0;
      m_depth -= (c == ']' || c == ')') && m_depth > 0 ? 1 : 0;
    } else {
      fail(m_pos, fmt::format("unexpected character '{}'", character_at(m_pos)));
    }
    token.end = m_pos;
    return token;
  }

  std::size_t lex_string(std::size_t quote, Token& token) {
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
    token.kind = Kind::string;
    token.value = Value(std::move(out));
    return i + 1;
  }

  std::size_t lex_integer(std::size_t begin, Token& token) {
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
    token.kind = Kind::integer;
    token.value = Value(static_cast<std::int64_t>(number));
    return i;
  }

  std::string character_at(std::size_t i) const {
    auto lead = static_cast<unsigned char>(m_text[i]);
    std::size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return m_text.substr(i, length);
  }

  const ValueText& m_value;
  const SourceText& m_source;
  std::string m_text;
  std::vector<std::size_t> m_starts;
  std::size_t m_pos = 0;
  std::size_t m_last_end = 0;
  int m_depth = 0; // open brackets and parentheses
};

// A recursive-descent parser that evaluates while it parses: the language has
// no control flow, so there is no need for a syntax tree.
class Parser {
public:
  Parser(Lexer& lexer, const Lookup& lookup) : m_lexer(lexer), m_lookup(lookup), m_peek(lexer.next_token()) {}

  Value parse() {
    skip_newlines();
    if (peek().kind == Kind::end) {
      m_lexer.fail_empty();
    }
    Value value = parse_sum(0);
    bool crossed_line = skip_newlines();
    if (peek().kind != Kind::end) {
      m_lexer.fail(peek().begin, fmt::format("expected end of value, got {}{}", m_lexer.describe(peek()),
                                             crossed_line ? k_continuation_hint : ""));
    }
    return value;
  }

private:
  const Token& peek() const { return m_peek; }

  Token next() {
    Token token = std::move(m_peek);
    m_peek = token.kind == Kind::end ? token : m_lexer.next_token();
    return token;
  }

  bool at_punct(char c) const { return peek().kind == Kind::punct && peek().punct == c; }

  bool skip_newlines() {
    bool skipped = false;
    while (peek().kind == Kind::newline) {
      next();
      skipped = true;
    }
    return skipped;
  }

  Value parse_sum(int depth) {
    Value left = parse_product(depth);
    while (at_punct('+') || at_punct('-')) {
      Token op = next();
      Value right = parse_product(depth);
      left = combine(op, std::move(left), std::move(right));
    }
    return left;
  }

  Value parse_product(int depth) {
    Value left = parse_unary(depth);
    while (at_punct('/') || at_punct('*') || at_punct('%')) {
      Token op = next();
      Value right = parse_unary(depth);
      left = combine(op, std::move(left), std::move(right));
    }
    return left;
  }

  Value parse_unary(int depth) {
    if (!at_punct('-')) {
      return parse_primary(depth);
    }
    Token op = next();
    Value operand = parse_unary(depth);
    m_lexer.fail(op.begin, fmt::format("cannot negate {}{}", operand.type_name(), k_operators_hint));
  }

  static bool starts_value(const Token& token) {
    switch (token.kind) {
    case Kind::string:
    case Kind::integer:
    case Kind::name:
    case Kind::boolean: return true;
    case Kind::punct: return token.punct == '[' || token.punct == '(' || token.punct == '-';
    case Kind::newline:
    case Kind::end: break;
    }
    return false;
  }

  Value parse_primary(int depth) {
    Token token = next();
    if (depth >= k_max_depth) {
      m_lexer.fail(token.begin, fmt::format("value nests deeper than {} levels", k_max_depth));
    }
    switch (token.kind) {
    case Kind::string:
    case Kind::integer:
    case Kind::boolean: return token.value;
    case Kind::name:
      if (const Value* found = m_lookup(token.name)) {
        return *found;
      }
      m_lexer.fail(token.begin, fmt::format("undefined constant '{}'", token.name));
    case Kind::punct:
      if (token.punct == '[') {
        return parse_array(depth + 1);
      }
      if (token.punct == '(') {
        Value inner = parse_sum(depth + 1);
        if (!at_punct(')')) {
          m_lexer.fail(peek().begin, fmt::format("expected ')' after parenthesized value, got {}",
                                                 m_lexer.describe(peek())));
        }
        next();
        return inner;
      }
      break;
    case Kind::newline:
    case Kind::end: break;
    }
    m_lexer.fail(token.begin, fmt::format("expected a value, got {}{}", m_lexer.describe(token),
                                          token.kind == Kind::newline ? k_continuation_hint : ""));
  }

  Value parse_array(int depth) {
    Value::Array items;
    for (;;) {
      if (at_punct(']')) {
        next();
        return Value(std::move(items));
      }
      if (!starts_value(peek())) {
        m_lexer.fail(peek().begin,
                     fmt::format("expected a value or ']' in array, got {}", m_lexer.describe(peek())));
      }
      items.push_back(parse_sum(depth));
      if (at_punct(',')) {
        next();
      } else if (!at_punct(']')) {
        m_lexer.fail(peek().begin, fmt::format("expected ']' or ',' after array element, got {}",
                                               m_lexer.describe(peek())));
      }
    }
  }

  Value combine(const Token& op, Value left, Value right) const {
    const char* l = left.type_name();
    const char* r = right.type_name();
    switch (op.punct) {
    case '+':
      if (left.is_string() && right.is_string()) {
        return Value(left.as_string() + right.as_string());
      }
      if (left.is_array() && right.is_array()) {
        Value::Array items = left.as_array();
        items.insert(items.end(), right.as_array().begin(), right.as_array().end());
        return Value(std::move(items));
      }
      m_lexer.fail(op.begin, fmt::format("cannot add {} and {}", l, r));
    case '/':
      if (left.is_string() && right.is_string()) {
        return Value(join_paths(left.as_string(), right.as_string()));
      }
      m_lexer.fail(op.begin, fmt::format("cannot join {} and {} with '/'", l, r));
    case '-': m_lexer.fail(op.begin, fmt::format("cannot subtract {} from {}{}", r, l, k_operators_hint));
    case '*': m_lexer.fail(op.begin, fmt::format("cannot multiply {} by {}{}", l, r, k_operators_hint));
    default: m_lexer.fail(op.begin, fmt::format("cannot take {} modulo {}{}", l, r, k_operators_hint));
    }
  }

  // Python's os.path.join for two parts, which Meson uses for '/'.
  static std::string join_paths(const std::string& left, const std::string& right) {
    if (left.empty() || (!right.empty() && right.front() == '/')) {
      return right;
    }
    return left.back() == '/' ? left + right : left + '/' + right;
  }

  Lexer& m_lexer;
  const Lookup& m_lookup;
  Token m_peek; // one token of lookahead
};

} // namespace

Value evaluate(const ValueText& text, const SourceText& source, const Lookup& lookup) {
  Lexer lexer(text, source);
  return Parser(lexer, lookup).parse();
}

} // namespace xstage::machine_file
