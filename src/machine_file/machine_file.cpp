#include "machine_file/machine_file.hpp"

#include "machine_file/diagnostic.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <unordered_map>

#include <fmt/format.h>

#include "machine_file/parser.hpp"
#include "machine_file/source_text.hpp"
#include "util/error.hpp"
#include "util/text_file.hpp"

namespace xstage::machine_file {

namespace {

struct RawEntry {
  std::string key;
  Location location;
  ValueText text;
};

struct RawSection {
  std::string name;
  Location location;
  std::vector<RawEntry> entries;
};

constexpr std::string_view k_spaces = " \t\f\v";

int column_of(std::size_t index) {
  return static_cast<int>(index) + 1;
}

// Splits one file into sections, keys and value text the way Python's
// configparser does for Meson (delimiter '=' only, case-sensitive keys,
// strict), without evaluating any value yet.
class Reader {
public:
  explicit Reader(const SourceText& source) : m_source(source) {}

  std::vector<RawSection> read() {
    for (std::size_t i = 0; i < m_source.lines.size(); ++i) {
      const std::string& line = m_source.lines[i];
      const int number = static_cast<int>(i) + 1;
      std::size_t first = line.find_first_not_of(k_spaces);
      // Blank lines and full-line comments never end a value: configparser
      // skips them, so an array may have comment lines between its elements.
      if (first == std::string::npos || line[first] == '#' || line[first] == ';') {
        continue;
      }
      if (m_in_value && first > m_indent) {
        m_sections.back().entries.back().text.pieces.push_back(
            {number, column_of(first), line.substr(first)});
        continue;
      }
      m_in_value = false;
      m_indent = first;
      if (line[first] == '[') {
        read_header(number, line, first);
      } else {
        read_key(number, line, first);
      }
    }
    return std::move(m_sections);
  }

private:
  void read_header(int number, const std::string& line, std::size_t open) {
    std::size_t close = line.find(']', open);
    if (close == std::string::npos) {
      m_source.fail(number, column_of(line.size()), "expected ']' after section name");
    }
    if (close == open + 1) {
      m_source.fail(number, column_of(close), "expected a section name between '[' and ']'");
    }
    std::size_t rest = line.find_first_not_of(k_spaces, close + 1);
    if (rest != std::string::npos && line[rest] != '#' && line[rest] != ';') {
      m_source.fail(number, column_of(rest), "expected end of line after section header");
    }
    std::string name = line.substr(open + 1, close - open - 1);
    auto [first, fresh] = m_section_index.try_emplace(name, m_sections.size());
    if (!fresh) {
      m_source.fail(number, column_of(open),
                    fmt::format("duplicate section [{}], first defined on line {}", name,
                                m_sections[first->second].location.line));
    }
    m_sections.push_back({name, m_source.location(number, column_of(open)), {}});
    m_key_lines.clear();
  }

  void read_key(int number, const std::string& line, std::size_t first) {
    if (m_sections.empty()) {
      m_source.fail(number, column_of(first),
                    "expected a section header like [binaries] before the first key");
    }
    std::size_t equals = line.find('=', first);
    if (equals == std::string::npos) {
      std::size_t key_end = std::min(line.find_first_of(k_spaces, first), line.size());
      std::size_t after = std::min(line.find_first_not_of(k_spaces, key_end), line.size());
      m_source.fail(number, column_of(after),
                    fmt::format("expected '=' after key '{}'", line.substr(first, key_end - first)));
    }
    if (equals == first) {
      m_source.fail(number, column_of(equals), "expected a key before '='");
    }
    std::size_t key_end = line.find_last_not_of(k_spaces, equals - 1);
    std::string key = line.substr(first, key_end + 1 - first);
    // Meson rejects these because such a key could never be used as a name.
    std::size_t bad = key.find_first_of(" \t'\"");
    if (bad != std::string::npos) {
      m_source.fail(number, column_of(first + bad),
                    fmt::format("invalid key '{}': keys cannot contain spaces or quotes", key));
    }
    RawSection& section = m_sections.back();
    auto [defined, fresh] = m_key_lines.try_emplace(key, number);
    if (!fresh) {
      m_source.fail(number, column_of(first),
                    fmt::format("duplicate key '{}' in section [{}], first defined on line {}", key,
                                section.name, defined->second));
    }
    std::size_t value = std::min(line.find_first_not_of(k_spaces, equals + 1), line.size());
    RawEntry entry{key, m_source.location(number, column_of(first)), {}};
    entry.text.line = number;
    entry.text.column = column_of(equals + 1);
    entry.text.pieces.push_back({number, column_of(value), line.substr(value)});
    section.entries.push_back(std::move(entry));
    m_in_value = true;
  }

  const SourceText& m_source;
  std::vector<RawSection> m_sections;
  std::unordered_map<std::string, std::size_t> m_section_index; // by name, for duplicates
  std::unordered_map<std::string, int> m_key_lines;             // the current section's keys
  bool m_in_value = false;  // the last line was a key, so indented lines continue it
  std::size_t m_indent = 0; // indentation of the last key or section line
};

// A key after composing all files: the text of its last definition.
struct Pending {
  const RawEntry* entry;
  const SourceText* source;
};

struct PendingSection {
  std::string name;
  Location location;
  std::vector<Pending> entries;
};

// Merges files the way configparser reads several: sections keep their first
// position, and a later file's key replaces the text of an earlier one in place.
template <typename Layers> std::vector<PendingSection> compose(const Layers& layers) {
  // Indexes by name, so that composing is linear in the number of keys.
  std::vector<PendingSection> sections;
  std::unordered_map<std::string, std::size_t> section_index;
  std::vector<std::unordered_map<std::string, std::size_t>> key_index;
  for (const auto& layer : layers) {
    for (const RawSection& raw : layer->sections) {
      auto [found, added] = section_index.try_emplace(raw.name, sections.size());
      if (added) {
        sections.push_back(PendingSection{raw.name, raw.location, {}});
        key_index.emplace_back();
      }
      PendingSection& section = sections[found->second];
      auto& keys = key_index[found->second];
      for (const RawEntry& entry : raw.entries) {
        auto [known, fresh] = keys.try_emplace(entry.key, section.entries.size());
        if (fresh) {
          section.entries.push_back({&entry, &layer->source});
        } else {
          section.entries[known->second] = {&entry, &layer->source};
        }
      }
    }
  }
  return sections;
}

// Meson seeds the scope with these two names besides the true/false keywords.
const Value* builtin(const std::string& name) {
  static const Value k_true(true);
  static const Value k_false(false);
  return name == "True" ? &k_true : name == "False" ? &k_false : nullptr;
}

// Evaluates one section's keys in order. Each key joins the scope once
// evaluated, shadowing a constant of the same name, as in Meson.
// Names neither the section nor [constants] define come from `predefined`,
// and each one used is recorded in `used`.
struct Predefined {
  const std::map<std::string, Value>& names;
  std::set<std::string>& used;
};

std::vector<Entry> evaluate_section(const PendingSection& section,
                                    const std::map<std::string, Value>& constants,
                                    std::map<std::string, Value>& scope, const Predefined& predefined) {
  Lookup lookup = [&](const std::string& name) -> const Value* {
    if (auto found = scope.find(name); found != scope.end()) {
      return &found->second;
    }
    if (auto found = constants.find(name); found != constants.end()) {
      return &found->second;
    }
    if (auto found = predefined.names.find(name); found != predefined.names.end()) {
      predefined.used.insert(name);
      return &found->second;
    }
    return builtin(name);
  };
  std::vector<Entry> entries;
  for (const Pending& pending : section.entries) {
    if (section.name == "constants" && predefined.names.count(pending.entry->key) != 0) {
      pending.source->fail(pending.entry->location.line, pending.entry->location.column,
                           fmt::format("constant '{}' has the name of a pipeline option; rename it, or "
                                       "set the option with -D {}=VALUE",
                                       pending.entry->key, pending.entry->key));
    }
    Value value = machine_file::evaluate(pending.entry->text, *pending.source, lookup);
    scope[pending.entry->key] = value;
    entries.push_back({pending.entry->key, std::move(value), pending.entry->location});
  }
  return entries;
}

} // namespace

struct MachineFile::Layer {
  SourceText source;
  std::vector<RawSection> sections;
};

const Entry* Section::find(std::string_view key) const {
  for (const Entry& entry : entries) {
    if (entry.key == key) {
      return &entry;
    }
  }
  return nullptr;
}

void MachineFile::fail_at(Location location, std::string_view message) const {
  if (location.file.empty()) {
    location = {m_layers.empty() ? std::string("cross file") : m_layers.back()->source.file, 1, 1};
  }
  for (const auto& layer : m_layers) {
    if (layer->source.file == location.file) {
      layer->source.fail(location.line, std::max(location.column, 1), message);
    }
  }
  throw Error(format_diagnostic(location, message, ""));
}

void MachineFile::parse_file(const std::filesystem::path& path) {
  parse_text(util::read_text_file(path, path.string()), path.string());
}

void MachineFile::parse_text(std::string_view text, const std::string& file_name) {
  auto layer = std::make_shared<Layer>();
  layer->source = SourceText::split(text, file_name);
  layer->sections = Reader(layer->source).read();
  std::vector<std::shared_ptr<const Layer>> layers = m_layers;
  layers.push_back(std::move(layer));
  evaluate(std::move(layers));
}

// Re-evaluates every value from the composed text of all files, because a
// later file may change a constant that an earlier file's values use. The
// result replaces this object's state only when every value evaluated.
void MachineFile::evaluate(std::vector<std::shared_ptr<const Layer>> layers) {
  MachineFile result;
  result.m_predefined = m_predefined;
  Predefined predefined{result.m_predefined, result.m_predefined_used};
  std::vector<PendingSection> pending = compose(layers);
  // The evaluated sections in the composed order, so pending[i] is m_sections[i].
  for (const PendingSection& section : pending) {
    result.m_sections.push_back(Section{section.name, section.location, {}});
  }
  // Constants first, so every other section can use them wherever they appear.
  for (std::size_t i = 0; i < pending.size(); ++i) {
    if (pending[i].name == "constants") {
      result.m_sections[i].entries = evaluate_section(pending[i], {}, result.m_constants, predefined);
    }
  }
  for (std::size_t i = 0; i < pending.size(); ++i) {
    if (pending[i].name != "constants") {
      std::map<std::string, Value> scope;
      result.m_sections[i].entries = evaluate_section(pending[i], result.m_constants, scope, predefined);
    }
  }
  result.m_layers = std::move(layers);
  *this = std::move(result);
}

const Section* MachineFile::section(std::string_view name) const {
  for (const Section& section : m_sections) {
    if (section.name == name) {
      return &section;
    }
  }
  return nullptr;
}

nlohmann::json MachineFile::to_json() const {
  nlohmann::json out = nlohmann::json::object();
  for (const Section& section : m_sections) {
    nlohmann::json& keys = out[section.name];
    keys = nlohmann::json::object();
    for (const Entry& entry : section.entries) {
      keys[entry.key] = entry.value.to_json();
    }
  }
  return out;
}

} // namespace xstage::machine_file
