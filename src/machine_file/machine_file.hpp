#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "machine_file/value.hpp"

namespace xstage::machine_file {

// One `key = value` line after evaluation, with where its key was written.
struct Entry {
  std::string key;
  Value value;
  Location location;
};

// A [section] with its entries in the order they were first defined.
struct Section {
  std::string name;
  Location location;
  std::vector<Entry> entries;

  const Entry* find(std::string_view key) const;
};

// The result of reading one or more files in Meson's machine-file syntax
// (the syntax of --cross-file and --native-file), layered in order the way
// repeated --cross-file options are: a later file's key replaces an earlier
// file's key in the same section, and [constants] defined by earlier files are
// usable in later ones. As in Meson, files are composed before any value is
// evaluated, so a later file's constant also changes values that use it in an
// earlier file, and [constants] is evaluated before every other section.
//
// Supported: sections; `key = value` lines whose value may continue on
// indented lines; full-line comments (# or ;) and trailing # comments;
// single-quoted strings with Meson's escapes (\\ \' \n \t \r \xNN, unknown
// escapes stay literal); arrays; true/false; integers (decimal, 0x, 0o, 0b);
// `+` to concatenate strings or arrays; `/` to join paths; parentheses;
// names of constants (and of earlier keys of the same section).
//
// Every error throws xstage::Error whose message reads
// "FILE:LINE:COL: what was expected", followed by the offending source line
// and a caret under the column.
class MachineFile {
public:
  // Reads `path` and layers it over what was read before.
  void parse_file(const std::filesystem::path& path);

  // Parses `text` as if read from a file named `file_name`.
  void parse_text(std::string_view text, const std::string& file_name);

  // Sections in the order they first appeared across all files.
  const std::vector<Section>& sections() const { return m_sections; }

  // The named section, or nullptr.
  const Section* section(std::string_view name) const;

  // Throws xstage::Error "FILE:LINE:COL: MESSAGE" with the quoted line and a
  // caret, for checks made after parsing (what a toolchain requires).
  // `location` is an entry's or a section's; a default one points at the
  // first line of the last file read.
  [[noreturn]] void fail_at(Location location, std::string_view message) const;

  // All constants defined so far, by name.
  const std::map<std::string, Value>& constants() const { return m_constants; }

  // Every section and key as a JSON object {section: {key: value}}, keys sorted.
  nlohmann::json to_json() const;

  // Names every file's values may use besides their own constants (a
  // pipeline's options), looked up last. Set before parsing. A constant of
  // the same name is an error located at its definition.
  void set_predefined(std::map<std::string, Value> names) { m_predefined = std::move(names); }

  // The predefined names some value used, so that only what a file reads
  // enters what depends on it.
  const std::set<std::string>& predefined_used() const { return m_predefined_used; }

private:
  // One file as read: its sections, keys and value text, not yet evaluated.
  struct Layer;

  void evaluate(std::vector<std::shared_ptr<const Layer>> layers);

  std::vector<std::shared_ptr<const Layer>> m_layers;
  std::vector<Section> m_sections;
  std::map<std::string, Value> m_constants;
  std::map<std::string, Value> m_predefined;
  std::set<std::string> m_predefined_used;
};

} // namespace xstage::machine_file
