#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace xstage::machine_file {

// Where something was written: 1-based line and column in a named file.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
};

// A value of Meson's machine-file language: a string, a boolean, an integer,
// or an array of values. Arrays may nest, as Meson allows.
class Value {
public:
  using Array = std::vector<Value>;

  Value() = default;
  Value(std::string text) : m_data(std::move(text)) {}
  Value(const char* text) : m_data(std::string(text)) {}
  Value(bool flag) : m_data(flag) {}
  Value(std::int64_t number) : m_data(number) {}
  Value(int number) : m_data(static_cast<std::int64_t>(number)) {}
  Value(Array items) : m_data(std::move(items)) {}

  bool is_string() const { return std::holds_alternative<std::string>(m_data); }
  bool is_bool() const { return std::holds_alternative<bool>(m_data); }
  bool is_integer() const { return std::holds_alternative<std::int64_t>(m_data); }
  bool is_array() const { return std::holds_alternative<Array>(m_data); }

  // Accessors throw std::bad_variant_access on a type mismatch; callers that
  // validate user input check the type first and report a located error.
  const std::string& as_string() const { return std::get<std::string>(m_data); }
  bool as_bool() const { return std::get<bool>(m_data); }
  std::int64_t as_integer() const { return std::get<std::int64_t>(m_data); }
  const Array& as_array() const { return std::get<Array>(m_data); }
  // In place, so that a chain of '+' appends instead of copying each time.
  std::string& as_string() { return std::get<std::string>(m_data); }
  Array& as_array() { return std::get<Array>(m_data); }

  // What the value holds: string bytes, plus one per element and scalar, as
  // deep as it nests. Bounds what evaluation may build.
  std::size_t weight() const;

  // "string", "boolean", "integer" or "array", for error messages.
  const char* type_name() const;

  // True when this is an array whose elements are all strings.
  bool is_string_array() const;

  // The value as JSON: strings, booleans, integers and arrays map one to one.
  nlohmann::json to_json() const;

  // The value in machine-file syntax, e.g. ['a', 'b'] or 'it\'s'.
  std::string to_source() const;

  friend bool operator==(const Value&, const Value&) = default;

private:
  std::variant<std::string, bool, std::int64_t, Array> m_data;
};

} // namespace xstage::machine_file
