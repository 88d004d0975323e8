#include "recipe/options.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "machine_file/diagnostic.hpp"
#include "util/error.hpp"
#include "util/spelling.hpp"
#include "util/text_file.hpp"

namespace fs = std::filesystem;

namespace xstage::recipe {

namespace {

using machine_file::Entry;
using machine_file::Location;
using machine_file::Section;
using machine_file::Value;

const std::vector<std::string> k_option_keys = {"type", "help", "default", "choices"};
const std::vector<std::string> k_comparisons = {"==", "!=", ">=", "<=", ">", "<"};

bool is_identifier(std::string_view name) {
  return !name.empty() &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == std::string::npos &&
         !(name[0] >= '0' && name[0] <= '9');
}

// The value as users type it after `-D NAME=`.
std::string spelled(const Value& value) {
  return value.is_bool() ? (value.as_bool() ? "true" : "false") : value.as_string();
}

class OptionsReader {
public:
  OptionsReader(std::string_view text, std::string display_path)
      : m_text(text), m_display_path(std::move(display_path)) {}

  std::vector<OptionSpec> read() {
    machine_file::MachineFile file;
    file.parse_text(m_text, m_display_path);
    std::vector<OptionSpec> specs;
    for (const Section& section : file.sections()) {
      if (section.name.find('.') == std::string::npos) {
        specs.push_back(read_option(section));
      }
    }
    for (const Section& section : file.sections()) {
      auto dot = section.name.find('.');
      if (dot != std::string::npos) {
        read_requirements(section, section.name.substr(0, dot), section.name.substr(dot + 1), specs);
      }
    }
    return specs;
  }

private:
  [[noreturn]] void fail(const Location& location, std::string_view message) const {
    throw Error(machine_file::format_diagnostic_in(location, message, m_text));
  }

  OptionSpec read_option(const Section& section) const {
    if (!is_identifier(section.name)) {
      fail(section.location, fmt::format("option name '{}' must be letters, digits and '_'", section.name));
    }
    OptionSpec spec;
    spec.name = section.name;
    spec.location = section.location;
    spec.type = "string";
    for (const Entry& entry : section.entries) {
      if (std::find(k_option_keys.begin(), k_option_keys.end(), entry.key) == k_option_keys.end()) {
        fail(entry.location, fmt::format("unknown key '{}' in option [{}]{}", entry.key, section.name,
                                         util::did_you_mean(entry.key, k_option_keys)));
      }
    }
    if (const Entry* type = section.find("type")) {
      if (!type->value.is_string() ||
          (type->value.as_string() != "string" && type->value.as_string() != "boolean")) {
        fail(type->location, fmt::format("option [{}] has type {}; types are 'string' and 'boolean'",
                                         section.name, type->value.to_source()));
      }
      spec.type = type->value.as_string();
    }
    const Entry* help = section.find("help");
    if (help == nullptr || !help->value.is_string() || help->value.as_string().empty()) {
      fail(help ? help->location : section.location,
           fmt::format("option [{}] needs 'help', a one-line string", section.name));
    }
    spec.help = help->value.as_string();
    if (const Entry* choices = section.find("choices")) {
      if (spec.type != "string" || !choices->value.is_string_array() || choices->value.as_array().empty()) {
        fail(
            choices->location,
            fmt::format("'choices' of option [{}] must be a non-empty array of strings (string options only)",
                        section.name));
      }
      for (const Value& choice : choices->value.as_array()) {
        spec.choices.push_back(choice.as_string());
      }
      spec.choices_location = choices->location;
    }
    const Entry* fallback = section.find("default");
    if (fallback == nullptr) {
      fail(section.location, fmt::format("option [{}] needs a 'default'", section.name));
    }
    bool typed = spec.type == "string" ? fallback->value.is_string() : fallback->value.is_bool();
    if (!typed) {
      fail(fallback->location, fmt::format("the default of option [{}] must be a {}, got {}", section.name,
                                           spec.type, fallback->value.type_name()));
    }
    if (!spec.choices.empty() && std::find(spec.choices.begin(), spec.choices.end(),
                                           fallback->value.as_string()) == spec.choices.end()) {
      fail(fallback->location,
           fmt::format("the default '{}' of option [{}] is not one of its choices: {}",
                       fallback->value.as_string(), section.name, fmt::join(spec.choices, ", ")));
    }
    spec.default_value = fallback->value;
    return spec;
  }

  // [NAME.VALUE] requires = ['OTHER >= 6.6.3', ...]
  void read_requirements(const Section& section, const std::string& name, const std::string& value,
                         std::vector<OptionSpec>& specs) const {
    auto spec = std::find_if(specs.begin(), specs.end(), [&](const OptionSpec& s) { return s.name == name; });
    if (spec == specs.end()) {
      std::vector<std::string> names;
      for (const OptionSpec& s : specs) {
        names.push_back(s.name);
      }
      fail(section.location, fmt::format("[{}] is about option '{}', which this file does not declare{}",
                                         section.name, name, util::did_you_mean(name, names)));
    }
    if (!spec->choices.empty() &&
        std::find(spec->choices.begin(), spec->choices.end(), value) == spec->choices.end()) {
      fail(section.location, fmt::format("[{}]: '{}' is not a choice of option '{}'; choices: {}",
                                         section.name, value, name, fmt::join(spec->choices, ", ")));
    }
    for (const Entry& entry : section.entries) {
      if (entry.key != "requires" || !entry.value.is_string_array()) {
        fail(entry.location,
             fmt::format("[{}] takes only 'requires', an array like ['other_option >= 1.2']", section.name));
      }
      for (const Value& item : entry.value.as_array()) {
        spec->requirements[value].push_back(parse_requirement(item.as_string(), entry.location, specs));
      }
    }
  }

  Requirement parse_requirement(const std::string& text, const Location& location,
                                const std::vector<OptionSpec>& specs) const {
    std::istringstream words(text);
    Requirement requirement;
    requirement.location = location;
    if (!(words >> requirement.option >> requirement.comparison >> requirement.operand) ||
        std::find(k_comparisons.begin(), k_comparisons.end(), requirement.comparison) ==
            k_comparisons.end()) {
      fail(location, fmt::format("requirement '{}' must read 'OPTION OP VALUE' with OP one of {}", text,
                                 fmt::join(k_comparisons, " ")));
    }
    bool known = std::any_of(specs.begin(), specs.end(),
                             [&](const OptionSpec& s) { return s.name == requirement.option; });
    if (!known) {
      fail(location, fmt::format("requirement '{}' names unknown option '{}'", text, requirement.option));
    }
    return requirement;
  }

  std::string_view m_text;
  std::string m_display_path;
};

bool holds(const Requirement& requirement, const std::string& actual) {
  int order = compare_versions(actual, requirement.operand);
  const std::string& op = requirement.comparison;
  if (op == "==")
    return actual == requirement.operand;
  if (op == "!=")
    return actual != requirement.operand;
  if (op == ">=")
    return order >= 0;
  if (op == "<=")
    return order <= 0;
  if (op == ">")
    return order > 0;
  return order < 0;
}

} // namespace

int compare_versions(std::string_view a, std::string_view b) {
  while (!a.empty() || !b.empty()) {
    auto next = [](std::string_view& text) {
      auto dot = text.find('.');
      std::string_view part = text.substr(0, dot);
      text = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
      return part;
    };
    std::string_view left = next(a);
    std::string_view right = next(b);
    bool numeric = !left.empty() && !right.empty() &&
                   left.find_first_not_of("0123456789") == std::string_view::npos &&
                   right.find_first_not_of("0123456789") == std::string_view::npos;
    if (numeric) {
      left.remove_prefix(std::min(left.find_first_not_of('0'), left.size() - 1));
      right.remove_prefix(std::min(right.find_first_not_of('0'), right.size() - 1));
      if (left.size() != right.size()) {
        return left.size() < right.size() ? -1 : 1;
      }
    }
    if (int order = left.compare(right); order != 0) {
      return order < 0 ? -1 : 1;
    }
  }
  return 0;
}

PipelineOptions PipelineOptions::parse(std::string_view text, const std::string& display_path) {
  PipelineOptions options;
  options.m_display_path = display_path;
  options.m_specs = OptionsReader(text, display_path).read();
  return options;
}

PipelineOptions PipelineOptions::load(const fs::path& file, const std::string& display_path) {
  if (!fs::exists(file)) {
    PipelineOptions none;
    none.m_display_path = display_path;
    return none;
  }
  return parse(util::read_text_file(file, display_path), display_path);
}

std::map<std::string, Value> PipelineOptions::resolve(const std::vector<std::string>& settings) const {
  std::map<std::string, Value> values;
  std::vector<std::string> names;
  for (const OptionSpec& spec : m_specs) {
    values[spec.name] = spec.default_value;
    names.push_back(spec.name);
  }
  std::map<std::string, std::string> given; // option -> the -D that set it
  for (const std::string& setting : settings) {
    auto equals = setting.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw Error(fmt::format("-D {}: write -D NAME=VALUE", setting));
    }
    std::string name = setting.substr(0, equals);
    std::string value = setting.substr(equals + 1);
    // A second -D for one option is a mistake (a script and a user both
    // setting it), not a quiet override: the key would follow the last one.
    if (auto earlier = given.emplace(name, setting); !earlier.second && earlier.first->second != setting) {
      throw Error(fmt::format("-D {}: option '{}' is already set by -D {}; set it once", setting, name,
                              earlier.first->second));
    }
    auto spec =
        std::find_if(m_specs.begin(), m_specs.end(), [&](const OptionSpec& s) { return s.name == name; });
    if (spec == m_specs.end()) {
      throw Error(m_specs.empty()
                      ? fmt::format("-D {}: this pipeline has no options ({} does not exist)", setting,
                                    m_display_path)
                      : fmt::format("-D {}: unknown option '{}'{}; {} declares {}", setting, name,
                                    util::did_you_mean(name, names), m_display_path, fmt::join(names, ", ")));
    }
    if (spec->type == "boolean") {
      if (value != "true" && value != "false") {
        throw Error(fmt::format("-D {}: option '{}' is a boolean; write true or false", setting, name));
      }
      values[name] = Value(value == "true");
      continue;
    }
    if (!spec->choices.empty() &&
        std::find(spec->choices.begin(), spec->choices.end(), value) == spec->choices.end()) {
      throw Error(fmt::format("-D {}: '{}' is not a value of option '{}'{}; allowed: {} ({}:{})", setting,
                              value, name, util::did_you_mean(value, spec->choices),
                              fmt::join(spec->choices, ", "), m_display_path, spec->choices_location.line));
    }
    values[name] = Value(value);
  }
  for (const OptionSpec& spec : m_specs) {
    auto found = spec.requirements.find(spelled(values.at(spec.name)));
    if (found == spec.requirements.end()) {
      continue;
    }
    for (const Requirement& requirement : found->second) {
      std::string actual = spelled(values.at(requirement.option));
      if (!holds(requirement, actual)) {
        throw Error(fmt::format("option {}={} requires {} {} {}, but {} is {} ({}:{})", spec.name,
                                spelled(values.at(spec.name)), requirement.option, requirement.comparison,
                                requirement.operand, requirement.option, actual, m_display_path,
                                requirement.location.line));
      }
    }
  }
  return values;
}

} // namespace xstage::recipe
