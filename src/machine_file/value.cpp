#include "machine_file/value.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace xstage::machine_file {

namespace {

// Quotes a string so that the machine-file parser reads back exactly the same
// bytes. Besides the required \\ and \', control characters are escaped too,
// since a raw newline would end the line and the value with it.
std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    switch (c) {
    case '\\': out += "\\\\"; break;
    case '\'': out += "\\'"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    case '\r': out += "\\r"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f') {
        out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
      } else {
        out += c;
      }
    }
  }
  out += '\'';
  return out;
}

} // namespace

const char* Value::type_name() const {
  if (is_string()) {
    return "string";
  }
  if (is_bool()) {
    return "boolean";
  }
  if (is_integer()) {
    return "integer";
  }
  return "array";
}

bool Value::is_string_array() const {
  if (!is_array()) {
    return false;
  }
  const Array& items = as_array();
  return std::all_of(items.begin(), items.end(), [](const Value& item) { return item.is_string(); });
}

nlohmann::json Value::to_json() const {
  if (is_string()) {
    return as_string();
  }
  if (is_bool()) {
    return as_bool();
  }
  if (is_integer()) {
    return as_integer();
  }
  nlohmann::json items = nlohmann::json::array();
  for (const Value& item : as_array()) {
    items.push_back(item.to_json());
  }
  return items;
}

std::string Value::to_source() const {
  if (is_string()) {
    return quote(as_string());
  }
  if (is_bool()) {
    return as_bool() ? "true" : "false";
  }
  if (is_integer()) {
    return std::to_string(as_integer());
  }
  std::string out = "[";
  const Array& items = as_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out += ", ";
    }
    out += items[i].to_source();
  }
  out += ']';
  return out;
}

std::size_t Value::weight() const {
  if (is_string()) {
    return as_string().size();
  }
  if (!is_array()) {
    return 1;
  }
  std::size_t total = 1;
  for (const Value& item : as_array()) {
    total += item.weight();
  }
  return total;
}

} // namespace xstage::machine_file
