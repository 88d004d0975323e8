#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "machine_file/machine_file.hpp"

namespace xstage::recipe {

// A condition one option's value puts on another: `qt_version >= 6.6.3`.
struct Requirement {
  std::string option;     // the option whose value is checked
  std::string comparison; // ==, !=, >=, <=, > or <; >= and friends compare dotted versions
  std::string operand;
  machine_file::Location location;
};

// One option a pipeline declares in its options.ini:
//
//   [qt_version]
//   type = 'string'
//   choices = ['6.5.3', '6.4.2']
//   default = '6.5.3'
//   help = 'the Qt version built from source'
//
//   # Tags from 0.5.1 on need Qt 6.6.3.
//   [openterface_ref.0.5.1]
//   requires = ['qt_version >= 6.6.3']
struct OptionSpec {
  std::string name;
  std::string type; // "string" or "boolean"
  std::string help;
  machine_file::Value default_value;
  std::vector<std::string> choices;                             // strings only; empty means any string
  std::map<std::string, std::vector<Requirement>> requirements; // by this option's value
  machine_file::Location location;
  machine_file::Location choices_location;
};

// A pipeline's options: declared once in recipes/<pipeline>/options.ini,
// set with `-D NAME=VALUE`, read by recipes as predefined constants.
class PipelineOptions {
public:
  // Reads and validates `file`; a missing file means the pipeline has no
  // options. `display_path` names the file in messages.
  static PipelineOptions load(const std::filesystem::path& file, const std::string& display_path);
  static PipelineOptions parse(std::string_view text, const std::string& display_path);

  // The value of every option: its default, or the `NAME=VALUE` setting given
  // for it. Throws xstage::Error for an unknown name (with a "did you mean"),
  // a value that is not one of the choices (listing them, and the file and
  // line that declares them), a malformed boolean, and a requirement that the
  // values in effect break.
  std::map<std::string, machine_file::Value> resolve(const std::vector<std::string>& settings) const;

  const std::vector<OptionSpec>& specs() const { return m_specs; }
  const std::string& file() const { return m_display_path; }

private:
  std::vector<OptionSpec> m_specs;
  std::string m_display_path;
};

// Compares dotted version strings numerically, component by component
// ("6.10" > "6.9"); non-numeric parts compare as text. Negative, 0 or positive.
int compare_versions(std::string_view a, std::string_view b);

} // namespace xstage::recipe
