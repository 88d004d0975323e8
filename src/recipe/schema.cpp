#include "recipe/schema.hpp"

#include <map>

namespace xstage::recipe {

const char* describe(ValueType type) {
  switch (type) {
  case ValueType::string: return "a string";
  case ValueType::string_array: return "an array of strings";
  case ValueType::boolean: return "a boolean";
  case ValueType::integer: return "an integer";
  }
  return "a value";
}

const std::vector<std::string>& builder_names() {
  static const std::vector<std::string> names = {"cmake", "configure", "debian", "meson"};
  return names;
}

const std::vector<SectionSpec>& section_specs() {
  using enum ValueType;
  static const std::vector<SectionSpec> specs = {
      {"stage",
       false,
       true,
       {{"description", string, true},
        {"builder", string, true},
        {"parents", string_array, false},
        {"version", string, false},
        {"same_version_as", string_array, false}}},
      {"source",
       true,
       true,
       {{"url", string, false},
        {"sha256", string, false},
        {"mirrors", string_array, false},
        {"debian_source", string, false},
        {"debian_suite", string, false},
        {"file", string, false},
        {"git", string, false},
        {"commit", string, false},
        {"tag", string, false},
        {"version", string, false},
        {"path", string, false},
        {"table", string, false}}},
      // [options] and [step.NAME] keys depend on the builder: see below.
      {"options", false, true, {}},
      {"step", true, false, {}},
      // What `xstage image` makes of this stage; not part of the stage key.
      {"image",
       false,
       true,
       {{"runtime", string_array, false},
        {"entrypoint", string_array, true},
        {"env", string_array, false},
        {"working_dir", string, false},
        {"dlopen", string_array, false}}},
      // What `xstage package` makes of this stage; not part of the stage key.
      {"package",
       false,
       true,
       {{"name", string, true},
        {"version", string, true},
        {"maintainer", string, true},
        {"summary", string, true},
        {"description", string, false},
        {"section", string, false},
        {"homepage", string, false},
        {"prefix", string, false},
        {"depends", string_array, false},
        {"files", string_array, false},
        {"scripts", string_array, false},
        {"copyright", string, true},
        {"date", string, false},
        {"lintian_overrides", string_array, false},
        {"table", string, false}}},
  };
  return specs;
}

const std::vector<KeySpec>& builder_option_specs(std::string_view builder) {
  using enum ValueType;
  static const std::vector<KeySpec> no_options;
  static const std::map<std::string_view, std::vector<KeySpec>> specs = {
      {"debian",
       {{"packages", string_array, true},
        {"suite", string, false},
        {"architecture", string, false},
        {"native", boolean, false},
        {"tools", string_array, false},
        {"drop", string_array, false}}},
      {"configure",
       {{"style", string, false},
        {"prefix", string, false},
        {"configure_args", string_array, false},
        {"make_args", string_array, false},
        {"env", string_array, false},
        {"subdir", string, false}}},
      {"cmake",
       {{"cmake_args", string_array, false},
        {"prefix", string, false},
        {"native", boolean, false},
        {"host_packages", string_array, false},
        {"test", boolean, false},
        {"env", string_array, false},
        {"subdir", string, false},
        {"host_path", string, false}}},
      {"meson",
       {{"meson_args", string_array, false},
        {"test", boolean, false},
        {"prefix", string, false},
        {"env", string_array, false},
        {"subdir", string, false}}},
  };
  auto found = specs.find(builder);
  return found == specs.end() ? no_options : found->second;
}

} // namespace xstage::recipe
