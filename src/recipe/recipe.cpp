#include "recipe/recipe.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "machine_file/diagnostic.hpp"
#include "recipe/schema.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"
#include "util/inner_path.hpp"
#include "util/names.hpp"
#include "util/spelling.hpp"
#include "util/text_file.hpp"

namespace fs = std::filesystem;

namespace xstage::recipe {

namespace {

using machine_file::Entry;
using machine_file::line_of;
using machine_file::Location;
using machine_file::Section;
using machine_file::Value;

bool has_type(const Value& value, ValueType type) {
  switch (type) {
  case ValueType::string: return value.is_string();
  case ValueType::string_array: return value.is_string_array();
  case ValueType::boolean: return value.is_bool();
  case ValueType::integer: return value.is_integer();
  }
  return false;
}

bool is_hex_of_length(std::string_view text, std::size_t length) {
  return text.size() == length && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Validates one recipe's evaluated machine file against the schema. Holds the
// source text so every error can quote the offending line.
class Validator {
public:
  Validator(std::string_view text, std::string display_path, const RecipeInputs& inputs)
      : m_text(text), m_display_path(std::move(display_path)), m_inputs(inputs) {}

  Recipe validate(const machine_file::MachineFile& file) {
    Recipe recipe;
    recipe.name = std::filesystem::path(m_display_path).stem().string();
    recipe.file = m_display_path;
    if (!util::is_name(recipe.name)) {
      throw Error(fmt::format("{}: a stage is named after its file, and '{}' is not a name: use letters, "
                              "digits, '_' and '-' (like ffmpeg.ini)",
                              m_display_path, recipe.name));
    }
    check_section_names(file);
    read_stage(file, recipe);
    for (const Section& section : file.sections()) {
      auto [kind, name] = split_section_name(section.name);
      if (kind == "source") {
        recipe.sources.push_back(read_source(section, name.empty() ? "main" : name));
      } else if (kind == "options") {
        Section options = options_with_table(section);
        recipe.options = read_options(options, recipe.builder, false);
        m_options_json = section_json(options);
      } else if (kind == "image") {
        recipe.image = read_image(section);
      }
    }
    // A table's row may be another release than the table: the stage is
    // the release its main source is.
    for (const Source& source : recipe.sources) {
      if (source.name == "main" && !source.version.empty()) {
        recipe.version = source.version;
        recipe.version_from_source = true;
      }
    }
    if (const Section* package = file.section("package")) {
      recipe.package = read_package(*package, recipe);
    }
    for (const Section& section : file.sections()) {
      auto [kind, name] = split_section_name(section.name);
      if (kind == "step") {
        recipe.steps.push_back(read_step(section, name, recipe));
      }
    }
    if (recipe.builder != "debian" && recipe.sources.empty()) {
      fail(Location{m_display_path, 1, 1},
           fmt::format("stage '{}' uses builder '{}' but has no [source]", recipe.name, recipe.builder));
    }
    check_required_options(file, recipe);
    recipe.content = file.to_json();
    if (recipe.content.contains("options")) {
      recipe.content["options"] = m_options_json; // with its table's, without `table`
    }
    recipe.content.erase("constants");
    recipe.content.erase("image");
    recipe.content.erase("package");
    return recipe;
  }

private:
  [[noreturn]] void fail(const Location& location, std::string_view message) const {
    // A [package] may take keys from a source table: quote that file's line.
    auto other = m_other_texts.find(location.file);
    std::string_view text = other == m_other_texts.end() ? m_text : other->second;
    throw Error(machine_file::format_diagnostic(location, message, line_of(text, location.line)));
  }

  static std::pair<std::string, std::string> split_section_name(const std::string& name) {
    auto dot = name.find('.');
    if (dot == std::string::npos) {
      return {name, ""};
    }
    return {name.substr(0, dot), name.substr(dot + 1)};
  }

  static const SectionSpec* find_spec(std::string_view kind) {
    for (const SectionSpec& spec : section_specs()) {
      if (spec.kind == kind) {
        return &spec;
      }
    }
    return nullptr;
  }

  void check_section_names(const machine_file::MachineFile& file) const {
    std::vector<std::string> known = {"constants"};
    for (const SectionSpec& spec : section_specs()) {
      known.emplace_back(spec.kind);
    }
    for (const Section& section : file.sections()) {
      if (section.name == "constants") {
        continue;
      }
      auto [kind, name] = split_section_name(section.name);
      const SectionSpec* spec = find_spec(kind);
      if (spec == nullptr) {
        fail(section.location,
             fmt::format("unknown section [{}]{}", section.name, util::did_you_mean(kind, known)));
      }
      if (!name.empty() && !spec->takes_name) {
        fail(section.location, fmt::format("section [{}] takes no name; write [{}]", section.name, kind));
      }
      if (name.empty() && !spec->takes_plain) {
        fail(section.location, fmt::format("section [{}] needs a name, like [{}.NAME]", kind, kind));
      }
      if (!name.empty() && !util::is_name(name)) {
        fail(section.location,
             fmt::format("'{}' in [{}] is not a name: use letters, digits, '_' and '-'", name, section.name));
      }
    }
  }

  // Checks every key of `section` against `specs`; returns the entries by key.
  std::map<std::string, Value> check_keys(const Section& section, const std::vector<KeySpec>& specs,
                                          std::string_view context) const {
    std::vector<std::string> known;
    for (const KeySpec& spec : specs) {
      known.emplace_back(spec.name);
    }
    std::map<std::string, Value> values;
    for (const Entry& entry : section.entries) {
      auto spec =
          std::find_if(specs.begin(), specs.end(), [&](const KeySpec& s) { return s.name == entry.key; });
      if (spec == specs.end()) {
        fail(entry.location, fmt::format("unknown key '{}' in section [{}]{}{}", entry.key, section.name,
                                         context, util::did_you_mean(entry.key, known)));
      }
      if (!has_type(entry.value, spec->type)) {
        fail(entry.location, fmt::format("key '{}' in section [{}] must be {}, got {}", entry.key,
                                         section.name, describe(spec->type), entry.value.type_name()));
      }
      values.emplace(entry.key, entry.value);
    }
    for (const KeySpec& spec : specs) {
      if (spec.required && values.count(std::string(spec.name)) == 0) {
        fail(section.location,
             fmt::format("section [{}] is missing required key '{}'", section.name, spec.name));
      }
    }
    return values;
  }

  void read_stage(const machine_file::MachineFile& file, Recipe& recipe) const {
    const Section* stage = file.section("stage");
    if (stage == nullptr) {
      fail(Location{m_display_path, 1, 1}, "missing section [stage] (with description and builder)");
    }
    auto values = check_keys(*stage, find_spec("stage")->keys, "");
    recipe.description = values.at("description").as_string();
    recipe.builder = values.at("builder").as_string();
    const auto& builders = builder_names();
    if (std::find(builders.begin(), builders.end(), recipe.builder) == builders.end()) {
      fail(stage->find("builder")->location,
           fmt::format("unknown builder '{}'{}; builders are cmake, configure, debian, meson", recipe.builder,
                       util::did_you_mean(recipe.builder, builders)));
    }
    if (auto parents = values.find("parents"); parents != values.end()) {
      for (const Value& parent : parents->second.as_array()) {
        recipe.parents.push_back(parent.as_string());
      }
      recipe.parents_location = stage->find("parents")->location;
    }
    if (auto version = values.find("version"); version != values.end()) {
      recipe.version = version->second.as_string();
    }
    if (auto same = values.find("same_version_as"); same != values.end()) {
      for (const Value& other : same->second.as_array()) {
        recipe.same_version_as.push_back(other.as_string());
      }
      recipe.same_version_location = stage->find("same_version_as")->location;
      if (recipe.version.empty()) {
        fail(recipe.same_version_location, "'same_version_as' needs the stage's own 'version'");
      }
    }
  }

  Source read_source(const Section& section, const std::string& name) const {
    if (const Entry* table = section.find("table")) {
      return read_table_source(section, *table, name);
    }
    auto values = check_keys(section, source_keys(), "");
    auto text = [&](const char* key) {
      auto found = values.find(key);
      return found == values.end() ? std::string() : found->second.as_string();
    };
    Source source;
    source.name = name;
    source.location = section.location;
    source.url = text("url");
    source.sha256 = text("sha256");
    source.debian_source = text("debian_source");
    source.debian_suite = text("debian_suite");
    source.git = text("git");
    source.commit = text("commit");
    source.tag = text("tag");
    source.version = text("version");
    source.path = text("path");
    if (auto mirrors = values.find("mirrors"); mirrors != values.end()) {
      for (const Value& mirror : mirrors->second.as_array()) {
        source.mirrors.push_back(mirror.as_string());
      }
    }
    source.file = text("file");
    // A file only Debian ships (a +dfsg repack) has no upstream URL.
    bool archive = !source.url.empty() || !source.debian_source.empty();
    int kinds = archive + !source.git.empty() + !source.path.empty();
    if (kinds != 1) {
      fail(section.location, fmt::format("section [{}] must have exactly one of 'url' (or 'debian_source'), "
                                         "'git' or 'path'",
                                         section.name));
    }
    if (archive) {
      source.kind = SourceKind::archive;
      if (!util::is_sha256_hex(source.sha256)) {
        const Entry* pin = section.find("sha256");
        fail(pin ? pin->location : section.location,
             fmt::format("section [{}] needs 'sha256' as 64 lower-case hex digits{}", section.name,
                         pin ? fmt::format(", got '{}'", source.sha256) : std::string()));
      }
    } else if (!source.git.empty()) {
      source.kind = SourceKind::git;
      if (!is_hex_of_length(source.commit, 40)) {
        const Entry* commit = section.find("commit");
        fail(commit ? commit->location : section.location,
             fmt::format("section [{}] needs 'commit' as a full 40-hex commit id", section.name));
      }
    } else {
      source.kind = SourceKind::path;
      if (!util::is_inner_path(source.path)) {
        fail(section.find("path")->location,
             fmt::format("'path' in section [{}] must be relative to the project root and inside it",
                         section.name));
      }
    }
    return source;
  }

  // The keys of a [source] section but `table`, which only recipes may use.
  static std::vector<KeySpec> source_keys() {
    std::vector<KeySpec> keys = find_spec("source")->keys;
    std::erase_if(keys, [](const KeySpec& key) { return key.name == "table"; });
    return keys;
  }

  // The table a `table = 'qt-6.4.2'` entry names: sources/qt-6.4.2.ini.
  const SourceTable& source_table(const Entry& table, const std::string& section) const {
    if (!table.value.is_string()) {
      fail(table.location, fmt::format("key 'table' in section [{}] must be a string", section));
    }
    const std::string& table_name = table.value.as_string();
    const SourceTable* found = m_inputs.table ? m_inputs.table(table_name) : nullptr;
    if (found == nullptr) {
      fail(table.location, fmt::format("no source table '{}' (sources/{}.ini){}; tables: {}", table_name,
                                       table_name, util::did_you_mean(table_name, m_inputs.table_names),
                                       m_inputs.table_names.empty()
                                           ? std::string("none")
                                           : fmt::format("{}", fmt::join(m_inputs.table_names, ", "))));
    }
    return *found;
  }

  // [package] table = 'app-1.2': the recipe's [package] keys and those of
  // section [package] of that table, as one section. What differs between
  // the app's releases (its version, where it keeps its desktop file) stays
  // in the table; a key may be in one place only.
  Section package_with_table(const Section& section) const {
    const Entry* table = section.find("table");
    if (table == nullptr) {
      return section;
    }
    const SourceTable& found = source_table(*table, section.name);
    const Section* row = found.file.section("package");
    if (row == nullptr) {
      fail(table->location, fmt::format("source table {} has no section [package]", found.display_path));
    }
    m_other_texts.emplace(found.display_path, found.text);
    Section merged = section;
    std::erase_if(merged.entries, [](const Entry& entry) { return entry.key == "table"; });
    for (const Entry& entry : row->entries) {
      if (entry.key == "table") {
        fail(entry.location, "a source table's section cannot name another table");
      }
      if (const Entry* twice = section.find(entry.key)) {
        fail(twice->location, fmt::format("'{}' is set both here and in section [package] of {}; keep it "
                                          "in one place",
                                          entry.key, found.display_path));
      }
      merged.entries.push_back(entry);
    }
    return merged;
  }

  // [options] table = 'qt-6.8.2': the recipe's options extended by section
  // [STAGE.options] of that table, for what one release needs and the
  // others must not get (a Qt feature one line cannot build). An array the
  // table sets is appended to the recipe's; any other key is in one place
  // only. A table without that section adds nothing, so the key of a stage
  // whose table adds nothing is the key it had without `table`.
  Section options_with_table(const Section& section) const {
    const Entry* table = section.find("table");
    if (table == nullptr) {
      return section;
    }
    const SourceTable& found = source_table(*table, section.name);
    Section merged = section;
    std::erase_if(merged.entries, [](const Entry& entry) { return entry.key == "table"; });
    std::string row_name = fs::path(m_display_path).stem().string() + ".options";
    const Section* row = found.file.section(row_name);
    if (row == nullptr) {
      return merged;
    }
    m_other_texts.emplace(found.display_path, found.text);
    for (const Entry& entry : row->entries) {
      if (entry.key == "table") {
        fail(entry.location, "a source table's section cannot name another table");
      }
      auto same = std::find_if(merged.entries.begin(), merged.entries.end(),
                               [&](const Entry& candidate) { return candidate.key == entry.key; });
      if (same == merged.entries.end()) {
        merged.entries.push_back(entry);
      } else if (same->value.is_array() && entry.value.is_array()) {
        Value::Array& items = same->value.as_array();
        items.insert(items.end(), entry.value.as_array().begin(), entry.value.as_array().end());
      } else {
        fail(same->location, fmt::format("'{}' is set both here and in section [{}] of {}; keep it in one "
                                         "place (only arrays add up: the table's items are appended)",
                                         entry.key, row_name, found.display_path));
      }
    }
    return merged;
  }

  static nlohmann::json section_json(const Section& section) {
    nlohmann::json keys = nlohmann::json::object();
    for (const Entry& entry : section.entries) {
      keys[entry.key] = entry.value.to_json();
    }
    return keys;
  }

  // [source.NAME] table = 'qt-6.4.2': section [NAME] of that source table,
  // checked (and its errors located) in the table's own file.
  Source read_table_source(const Section& section, const Entry& table, const std::string& name) const {
    if (section.entries.size() != 1) {
      const Entry& other =
          section.entries.front().key == "table" ? section.entries[1] : section.entries.front();
      fail(other.location,
           fmt::format("section [{}] takes its source from a table; '{}' belongs in the table", section.name,
                       other.key));
    }
    const SourceTable* found = &source_table(table, section.name);
    // A plain [source] takes the table's section named after the stage.
    std::string row_name = name == "main" ? std::filesystem::path(m_display_path).stem().string() : name;
    const Section* row = found->file.section(row_name);
    if (row == nullptr) {
      std::vector<std::string> rows;
      for (const Section& candidate : found->file.sections()) {
        if (candidate.name != "constants" && candidate.name != "package" &&
            !candidate.name.ends_with(".options")) {
          rows.push_back(candidate.name);
        }
      }
      fail(table.location, fmt::format("source table {} has no section [{}]{}", found->display_path, row_name,
                                       util::did_you_mean(row_name, rows)));
    }
    if (const Entry* nested = row->find("table")) {
      throw Error(machine_file::format_diagnostic_in(
          nested->location, "a source table's section cannot name another table", found->text));
    }
    Source source = Validator(found->text, found->display_path, m_inputs).read_source(*row, name);
    source.location = section.location;
    return source;
  }

  std::map<std::string, Value> read_options(const Section& section, const std::string& builder,
                                            bool is_step) const {
    std::vector<KeySpec> specs = builder_option_specs(builder);
    if (is_step) {
      for (KeySpec& spec : specs) {
        spec.required = false; // a step extends [options]; requirements apply there
      }
      specs.push_back({"source", ValueType::string, false});
    }
    std::map<std::string, Value> values =
        check_keys(section, specs, fmt::format(" for builder '{}'", builder));
    if (auto prefix = values.find("prefix"); prefix != values.end()) {
      check_prefix(section, prefix->second.as_string());
    }
    return values;
  }

  // An install prefix is where the build writes below DESTDIR: absolute, and
  // still inside it once normalised ('/../../etc' would install onto the
  // build machine; a relative one beside DESTDIR).
  void check_prefix(const Section& section, const std::string& prefix) const {
    const Entry* entry = section.find("prefix");
    // Counted on the text as written: lexically_normal() turns "/../x" into
    // "/x", but DESTDIR + "/../x" is outside DESTDIR.
    fs::path path(prefix);
    int depth = 0;
    bool escapes = path.is_relative();
    for (const fs::path& part : path.relative_path()) {
      depth += part == ".." ? -1 : (part == "." || part.empty() ? 0 : 1);
      escapes = escapes || depth < 0;
    }
    if (escapes) {
      fail(entry->location, fmt::format("prefix '{}' must be an absolute path that stays inside the stage's "
                                        "install tree, like '/opt/ffmpeg'",
                                        prefix));
    }
  }

  // The strings of a checked array-of-strings key; empty when absent.
  static std::vector<std::string> string_array(const std::map<std::string, Value>& values, const char* key) {
    std::vector<std::string> list;
    if (auto found = values.find(key); found != values.end()) {
      for (const Value& item : found->second.as_array()) {
        list.push_back(item.as_string());
      }
    }
    return list;
  }

  ImageSpec read_image(const Section& section) const {
    auto values = check_keys(section, find_spec("image")->keys, "");
    auto strings = [&](const char* key) { return string_array(values, key); };
    ImageSpec image;
    image.location = section.location;
    image.runtime = strings("runtime");
    image.entrypoint = strings("entrypoint");
    image.env = strings("env");
    image.dlopen = strings("dlopen");
    for (const std::string& dir : image.dlopen) {
      if (!util::is_inner_path(dir)) {
        fail(section.find("dlopen")->location,
             fmt::format("'dlopen' in section [image] holds '{}'; write a path inside the image, like "
                         "usr/lib/aarch64-linux-gnu/qt6/plugins",
                         dir));
      }
    }
    if (auto dir = values.find("working_dir"); dir != values.end()) {
      image.working_dir = dir->second.as_string();
    }
    if (const Entry* runtime = section.find("runtime")) {
      image.runtime_location = runtime->location;
    }
    if (image.entrypoint.empty()) {
      fail(section.find("entrypoint")->location, "'entrypoint' in section [image] must name a program");
    }
    for (const std::string& variable : image.env) {
      if (variable.find('=') == std::string::npos || variable.front() == '=') {
        fail(section.find("env")->location,
             fmt::format("'env' in section [image] holds '{}'; write NAME=value", variable));
      }
    }
    return image;
  }

  PackageSpec read_package(const Section& recipe_section, const Recipe& recipe) const {
    Section section = package_with_table(recipe_section);
    auto values = check_keys(section, find_spec("package")->keys, "");
    auto text = [&](const char* key, std::string fallback = "") {
      auto found = values.find(key);
      return found == values.end() ? fallback : found->second.as_string();
    };
    auto location = [&](const char* key) { return section.find(key)->location; };
    PackageSpec package;
    package.location = section.location;
    package.name = text("name");
    package.version = text("version");
    package.maintainer = text("maintainer");
    package.summary = text("summary");
    package.description = text("description");
    package.section = text("section", package.section);
    package.homepage = text("homepage");
    package.prefix = text("prefix", package.prefix);
    package.date = text("date");
    if (!is_debian_package_name(package.name)) {
      fail(location("name"), fmt::format("'{}' is not a Debian package name (lower case letters, digits, "
                                         "'+', '-' and '.', like framegrab)",
                                         package.name));
    }
    if (!is_debian_version(package.version)) {
      fail(location("version"),
           fmt::format("'{}' is not a Debian version (it starts with a digit, like 0.4.3)", package.version));
    }
    if (package.maintainer.find('<') == std::string::npos || package.maintainer.back() != '>') {
      fail(location("maintainer"),
           fmt::format("maintainer '{}' must be 'Name <address>'", package.maintainer));
    }
    for (const char* key : {"summary", "description", "section", "homepage"}) {
      if (text(key).find('\n') != std::string::npos) {
        fail(location(key), fmt::format("'{}' in section [package] must be one line", key));
      }
    }
    if (package.prefix.empty() || package.prefix.front() != '/' ||
        !util::is_inner_path(package.prefix.substr(1))) {
      fail(location("prefix"),
           fmt::format("prefix '{}' in section [package] must be an absolute path with no "
                       "'..', like '/usr'",
                       package.prefix));
    }
    if (!package.date.empty() && !is_date(package.date)) {
      fail(location("date"), fmt::format("date '{}' must be YYYY-MM-DD", package.date));
    }
    package.depends = string_array(values, "depends");
    package.lintian_overrides = string_array(values, "lintian_overrides");
    auto files = [&](const char* key) {
      std::vector<PackageFile> list;
      for (const std::string& item : string_array(values, key)) {
        list.push_back(package_file(item, location(key), key, recipe));
      }
      return list;
    };
    package.files = files("files");
    package.scripts = files("scripts");
    for (const PackageFile& script : package.scripts) {
      if (script.destination != "preinst" && script.destination != "postinst" &&
          script.destination != "prerm" && script.destination != "postrm") {
        fail(location("scripts"), fmt::format("'{}' is not a maintainer script: write preinst, postinst, "
                                              "prerm or postrm = SOURCE:PATH",
                                              script.destination));
      }
    }
    package.copyright = package_file("usr/share/doc/" + package.name + "/copyright = " + text("copyright"),
                                     location("copyright"), "copyright", recipe);
    return package;
  }

  static bool is_date(const std::string& date) {
    static const std::string shape = "dddd-dd-dd";
    return date.size() == shape.size() &&
           std::equal(shape.begin(), shape.end(), date.begin(), [](char s, char c) {
             return s == 'd' ? std::isdigit(static_cast<unsigned char>(c)) != 0 : s == c;
           });
  }

  // 'DESTINATION = SOURCE:PATH', or 'SOURCE:PATH' alone for the copyright.
  PackageFile package_file(const std::string& text, const Location& location, const char* key,
                           const Recipe& recipe) const {
    auto equals = text.find(" = ");
    auto colon = text.find(':', equals == std::string::npos ? 0 : equals + 3);
    PackageFile file;
    if (equals != std::string::npos && colon != std::string::npos) {
      file.destination = text.substr(0, equals);
      file.source = text.substr(equals + 3, colon - equals - 3);
      file.path = text.substr(colon + 1);
    }
    bool known = std::any_of(recipe.sources.begin(), recipe.sources.end(),
                             [&](const Source& source) { return source.name == file.source; });
    if (!util::is_inner_path(file.destination) || !util::is_inner_path(file.path) || !known) {
      fail(location, fmt::format("'{}' in '{}' of section [package]: write DESTINATION = SOURCE:PATH with "
                                 "paths inside the package and the source, SOURCE one of the stage's sources "
                                 "(like 'usr/share/applications/app.desktop = main:packaging/app.desktop')",
                                 text, key));
    }
    return file;
  }

  Step read_step(const Section& section, const std::string& name, const Recipe& recipe) const {
    Step step;
    step.name = name;
    step.location = section.location;
    step.options = read_options(section, recipe.builder, true);
    step.source = name;
    if (auto source = step.options.find("source"); source != step.options.end()) {
      step.source = source->second.as_string();
      step.options.erase(source);
    }
    bool known = std::any_of(recipe.sources.begin(), recipe.sources.end(),
                             [&](const Source& s) { return s.name == step.source; });
    if (!known) {
      std::vector<std::string> names;
      for (const Source& s : recipe.sources) {
        names.push_back(s.name);
      }
      const Entry* entry = section.find("source");
      fail(entry ? entry->location : section.location,
           fmt::format("step '{}' uses unknown source '{}'{}", name, step.source,
                       util::did_you_mean(step.source, names)));
    }
    return step;
  }

  // Required builder options must be in [options]; the debian builder's
  // package list, for instance.
  void check_required_options(const machine_file::MachineFile& file, const Recipe& recipe) const {
    for (const KeySpec& spec : builder_option_specs(recipe.builder)) {
      if (spec.required && recipe.options.count(std::string(spec.name)) == 0) {
        const Section* options = file.section("options");
        fail(options ? options->location : Location{m_display_path, 1, 1},
             fmt::format("builder '{}' needs '{}' in section [options]", recipe.builder, spec.name));
      }
    }
  }

  std::string_view m_text;
  // Other files' texts by display path, for errors located in them.
  mutable std::map<std::string, std::string_view> m_other_texts;
  nlohmann::json m_options_json; // [options] as the key hashes it
  std::string m_display_path;
  const RecipeInputs& m_inputs;
};

} // namespace

Recipe parse_recipe(std::string_view text, const std::string& display_path, const RecipeInputs& inputs) {
  machine_file::MachineFile file;
  file.set_predefined(inputs.options);
  file.parse_text(text, display_path);
  Recipe recipe = Validator(text, display_path, inputs).validate(file);
  recipe.text = text;
  for (const std::string& name : file.predefined_used()) {
    recipe.options_read[name] = inputs.options.at(name).to_json();
  }
  return recipe;
}

bool Recipe::is_native() const {
  auto found = options.find("native");
  return found != options.end() && found->second.is_bool() && found->second.as_bool();
}

std::vector<std::string> Recipe::string_list(const std::string& option) const {
  std::vector<std::string> items;
  if (auto found = options.find(option); found != options.end()) {
    for (const Value& item : found->second.as_array()) {
      items.push_back(item.as_string());
    }
  }
  return items;
}

std::vector<std::string> Recipe::host_packages() const {
  return string_list("host_packages");
}

std::vector<std::string> Recipe::tools() const {
  return string_list("tools");
}

std::string Recipe::diagnostic(const machine_file::Location& location, std::string_view message) const {
  return machine_file::format_diagnostic(location, message, line_of(text, location.line));
}

Recipe load_recipe(const std::filesystem::path& file, const std::string& display_path,
                   const RecipeInputs& inputs) {
  return parse_recipe(util::read_text_file(file, display_path), display_path, inputs);
}

} // namespace xstage::recipe
