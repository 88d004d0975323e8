#include "machine_file/parser.hpp"

#include <fmt/format.h>

#include "machine_file/lexer.hpp"

namespace xstage::machine_file {

namespace {

// Deeper nesting than this is surely a mistake, and recursion must stay bounded.
constexpr int k_max_depth = 200;
// What one value may hold (Value::weight): far above any real recipe's, far
// below what constants doubling at each line reach (2^40 after 40 lines).
constexpr std::size_t k_max_weight = std::size_t{1} << 20;
constexpr std::string_view k_continuation_hint =
    "; an indented line continues the value above it, which works only inside [ ] or ( )";
constexpr std::string_view k_operators_hint = ": machine files support only '+' and '/'";

// A recursive-descent parser that evaluates while it parses: the language has
// no control flow, so there is no need for a syntax tree.
class Parser {
public:
  Parser(Lexer& lexer, const Lookup& lookup) : m_lexer(lexer), m_lookup(lookup), m_peek(lexer.next_token()) {}

  Value parse() {
    skip_newlines();
    if (peek().kind == TokenKind::end) {
      m_lexer.fail_empty();
    }
    Value value = parse_sum(0);
    bool crossed_line = skip_newlines();
    if (peek().kind != TokenKind::end) {
      m_lexer.fail(peek().begin, fmt::format("expected end of value, got {}{}", m_lexer.describe(peek()),
                                             crossed_line ? k_continuation_hint : ""));
    }
    return value;
  }

private:
  const Token& peek() const { return m_peek; }

  Token next() {
    Token token = std::move(m_peek);
    m_peek = token.kind == TokenKind::end ? token : m_lexer.next_token();
    return token;
  }

  bool at_punct(char c) const { return peek().kind == TokenKind::punct && peek().punct == c; }

  bool skip_newlines() {
    bool skipped = false;
    while (peek().kind == TokenKind::newline) {
      next();
      skipped = true;
    }
    return skipped;
  }

  // The weight of a sum or product is kept as it grows, so a long chain
  // costs linear time and an exploding one stops at the operator.
  Value parse_sum(int depth) {
    Value left = parse_product(depth);
    std::size_t weight = left.weight();
    while (at_punct('+') || at_punct('-')) {
      Token op = next();
      Value right = parse_product(depth);
      weight = bounded(op, weight + right.weight());
      left = combine(op, std::move(left), std::move(right));
    }
    return left;
  }

  Value parse_product(int depth) {
    Value left = parse_unary(depth);
    std::size_t weight = left.weight();
    while (at_punct('/') || at_punct('*') || at_punct('%')) {
      Token op = next();
      Value right = parse_unary(depth);
      weight = bounded(op, weight + right.weight() + 1);
      left = combine(op, std::move(left), std::move(right));
    }
    return left;
  }

  std::size_t bounded(const Token& at, std::size_t weight) const {
    if (weight > k_max_weight) {
      m_lexer.fail(at.begin, fmt::format("value grows past {} bytes or elements (do constants double at each "
                                         "use?)",
                                         k_max_weight));
    }
    return weight;
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
    case TokenKind::string:
    case TokenKind::integer:
    case TokenKind::name:
    case TokenKind::boolean: return true;
    case TokenKind::punct: return token.punct == '[' || token.punct == '(' || token.punct == '-';
    case TokenKind::newline:
    case TokenKind::end: break;
    }
    return false;
  }

  Value parse_primary(int depth) {
    Token token = next();
    if (depth >= k_max_depth) {
      m_lexer.fail(token.begin, fmt::format("value nests deeper than {} levels", k_max_depth));
    }
    switch (token.kind) {
    case TokenKind::string:
    case TokenKind::integer:
    case TokenKind::boolean: return token.value;
    case TokenKind::name:
      if (const Value* found = m_lookup(token.name)) {
        return *found;
      }
      m_lexer.fail(token.begin, fmt::format("undefined constant '{}'", token.name));
    case TokenKind::punct:
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
    case TokenKind::newline:
    case TokenKind::end: break;
    }
    m_lexer.fail(token.begin, fmt::format("expected a value, got {}{}", m_lexer.describe(token),
                                          token.kind == TokenKind::newline ? k_continuation_hint : ""));
  }

  Value parse_array(int depth) {
    Value::Array items;
    std::size_t weight = 1;
    for (;;) {
      if (at_punct(']')) {
        next();
        return Value(std::move(items));
      }
      if (!starts_value(peek())) {
        m_lexer.fail(peek().begin,
                     fmt::format("expected a value or ']' in array, got {}", m_lexer.describe(peek())));
      }
      Token start = peek();
      items.push_back(parse_sum(depth));
      weight = bounded(start, weight + items.back().weight());
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
        left.as_string() += right.as_string();
        return left;
      }
      if (left.is_array() && right.is_array()) {
        Value::Array& items = left.as_array();
        items.insert(items.end(), std::make_move_iterator(right.as_array().begin()),
                     std::make_move_iterator(right.as_array().end()));
        return left;
      }
      m_lexer.fail(op.begin, fmt::format("cannot add {} and {}", l, r));
    case '/':
      if (left.is_string() && right.is_string()) {
        join_path(left.as_string(), std::move(right.as_string()));
        return left;
      }
      m_lexer.fail(op.begin, fmt::format("cannot join {} and {} with '/'", l, r));
    case '-': m_lexer.fail(op.begin, fmt::format("cannot subtract {} from {}{}", r, l, k_operators_hint));
    case '*': m_lexer.fail(op.begin, fmt::format("cannot multiply {} by {}{}", l, r, k_operators_hint));
    default: m_lexer.fail(op.begin, fmt::format("cannot take {} modulo {}{}", l, r, k_operators_hint));
    }
  }

  // Python's os.path.join for two parts, which Meson uses for '/', into
  // `left` in place: a chain of joins costs linear time, as '+' does, not a
  // copy of the whole path per operator.
  static void join_path(std::string& left, std::string right) {
    if (left.empty() || (!right.empty() && right.front() == '/')) {
      left = std::move(right);
      return;
    }
    if (left.back() != '/') {
      left += '/';
    }
    left += right;
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
