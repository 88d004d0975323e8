#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace xstage::recipe {

// The type a recipe key must have.
enum class ValueType { string, string_array, boolean, integer };

const char* describe(ValueType type);

struct KeySpec {
  std::string_view name;
  ValueType type;
  bool required;
};

// The keys a section may hold. Sections with a NAME suffix ([source.qtbase],
// [step.qtbase]) share the spec of their kind.
struct SectionSpec {
  std::string_view kind; // "stage", "source", "options", "step", "image"
  bool takes_name;       // whether [kind.NAME] is allowed
  bool takes_plain;      // whether plain [kind] is allowed
  std::vector<KeySpec> keys;
};

// The builders a recipe may name.
const std::vector<std::string>& builder_names();

// The section kinds a recipe may contain (other than [constants]).
const std::vector<SectionSpec>& section_specs();

// The [options] keys a builder accepts; [step.NAME] sections accept these too,
// plus `source`. Empty for an unknown builder.
const std::vector<KeySpec>& builder_option_specs(std::string_view builder);

} // namespace xstage::recipe
