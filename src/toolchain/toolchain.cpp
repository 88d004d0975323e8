#include "toolchain/toolchain.hpp"

#include <fmt/format.h>

#include "process/spawn.hpp"
#include "util/error.hpp"

namespace xstage::toolchain {

namespace {

using machine_file::MachineFile;
using machine_file::Value;

// Where a missing key of `section` belongs: the section's header, or, when
// the section is missing, the first line of the last file read.
machine_file::Location origin(const MachineFile& cross, std::string_view section) {
  const auto* found = cross.section(section);
  return found != nullptr ? found->location : machine_file::Location{};
}

const machine_file::Entry& found_entry(const MachineFile& cross, std::string_view section,
                                       std::string_view key) {
  const auto* found = cross.section(section);
  const auto* entry = found ? found->find(key) : nullptr;
  if (entry == nullptr) {
    cross.fail_at(origin(cross, section),
                  fmt::format("the cross file needs '{}' in section [{}]", key, section));
  }
  return *entry;
}

const Value& require(const MachineFile& cross, std::string_view section, std::string_view key) {
  return found_entry(cross, section, key).value;
}

std::string require_string(const MachineFile& cross, std::string_view section, std::string_view key) {
  const Value& value = require(cross, section, key);
  if (!value.is_string()) {
    cross.fail_at(found_entry(cross, section, key).location,
                  fmt::format("'{}' in [{}] must be a string, got {}", key, section, value.type_name()));
  }
  return value.as_string();
}

// A command may be written as 'gcc' or ['ccache', 'gcc']; either way a list.
std::vector<std::string> command(const MachineFile& cross, std::string_view section, std::string_view key,
                                 bool required) {
  const auto* found = cross.section(section);
  const auto* entry = found ? found->find(key) : nullptr;
  if (entry == nullptr) {
    if (required) {
      require(cross, section, key);
    }
    return {};
  }
  if (entry->value.is_string()) {
    return {entry->value.as_string()};
  }
  if (entry->value.is_string_array() && !entry->value.as_array().empty()) {
    std::vector<std::string> words;
    for (const Value& word : entry->value.as_array()) {
      words.push_back(word.as_string());
    }
    return words;
  }
  cross.fail_at(entry->location,
                fmt::format("'{}' in [{}] must be a string or a non-empty array of strings", key, section));
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

std::string ask(process::CommandRunner& runner, const std::vector<std::string>& argv) {
  process::CommandResult result = runner.run(argv);
  if (result.exit_code != 0) {
    throw Error(fmt::format("toolchain check failed: `{}` exited with {}: {}", process::quote_command(argv),
                            result.exit_code, first_line(result.output)));
  }
  return result.output;
}

} // namespace

Toolchain toolchain_from(MachineFile cross) {
  Toolchain toolchain;
  toolchain.c = command(cross, "binaries", "c", true);
  toolchain.cpp = command(cross, "binaries", "cpp", true);
  toolchain.exe_wrapper = command(cross, "binaries", "exe_wrapper", false);
  toolchain.ar = require_string(cross, "binaries", "ar");
  toolchain.strip = require_string(cross, "binaries", "strip");
  std::vector<std::string> pkg_config = command(cross, "binaries", "pkgconfig", false);
  toolchain.pkg_config = pkg_config.empty() ? std::string("pkg-config") : pkg_config.front();
  toolchain.pkg_config_libdir = command(cross, "properties", "pkg_config_libdir", false);
  toolchain.system = require_string(cross, "host_machine", "system");
  toolchain.cpu_family = require_string(cross, "host_machine", "cpu_family");
  toolchain.cpu = require_string(cross, "host_machine", "cpu");
  toolchain.endian = require_string(cross, "host_machine", "endian");

  const std::string& compiler = toolchain.c_compiler();
  if (compiler.size() < 4 || compiler.substr(compiler.size() - 3) != "gcc") {
    cross.fail_at(found_entry(cross, "binaries", "c").location,
                  fmt::format("the C compiler '{}' is not a prefixed gcc (like aarch64-linux-gnu-gcc); "
                              "xstage derives the binutils prefix from it",
                              compiler));
  }
  toolchain.cross_prefix = compiler.substr(0, compiler.size() - 3);
  toolchain.cross = std::move(cross);
  return toolchain;
}

Toolchain load_toolchain(const std::vector<std::filesystem::path>& files) {
  MachineFile cross;
  for (const auto& file : files) {
    cross.parse_file(file);
  }
  Toolchain toolchain = toolchain_from(std::move(cross));
  toolchain.files = files;
  return toolchain;
}

nlohmann::json Fingerprint::to_json() const {
  return {
      {"cross", cross_values}, {"c_version", c_version}, {"cpp_version", cpp_version}, {"target", target}};
}

Fingerprint fingerprint(const Toolchain& toolchain, process::CommandRunner& runner) {
  Fingerprint result;
  result.cross_values = toolchain.cross.to_json();
  // Constants are inlined into the values that use them; an unused one
  // cannot change a build.
  result.cross_values.erase("constants");
  result.c_version = first_line(ask(runner, {toolchain.c_compiler(), "--version"}));
  result.cpp_version = first_line(ask(runner, {toolchain.cpp_compiler(), "--version"}));
  result.target = trimmed(ask(runner, {toolchain.c_compiler(), "-dumpmachine"}));
  return result;
}

std::string compiler_major_version(const Toolchain& toolchain, process::CommandRunner& runner) {
  std::string version = trimmed(ask(runner, {toolchain.cpp_compiler(), "-dumpversion"}));
  return version.substr(0, version.find('.'));
}

nlohmann::json native_fingerprint(const std::vector<std::string>& host_packages,
                                  process::CommandRunner& runner) {
  nlohmann::json packages = nlohmann::json::object();
  for (const std::string& package : host_packages) {
    process::Invocation query{{"dpkg-query", "-W", "-f=${db:Status-Status} ${Version}", package}, {}, {}, {}};
    process::CommandResult result = runner.run(query);
    std::string status = trimmed(result.output);
    if (result.exit_code != 0 || status.rfind("installed ", 0) != 0) {
      throw Error(fmt::format("host package '{}' is not installed on the build machine (apt-get install {})",
                              package, package));
    }
    packages[package] = status.substr(std::string("installed ").size());
  }
  return {
      {"compiler",
       {{"c", first_line(ask(runner, {"cc", "--version"}))},
        {"cpp", first_line(ask(runner, {"c++", "--version"}))},
        {"target", trimmed(ask(runner, {"cc", "-dumpmachine"}))}}},
      {"packages", packages},
  };
}

} // namespace xstage::toolchain
