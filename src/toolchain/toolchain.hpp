#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "machine_file/machine_file.hpp"
#include "process/spawn.hpp"

namespace xstage::toolchain {

// The target toolchain as the cross file(s) describe it. cross/aarch64.ini is
// the single source of truth: everything a builder needs (CMake toolchain
// files, configure variables, pkg-config settings) is rendered from this.
struct Toolchain {
  machine_file::MachineFile cross;          // every file, layered in order
  std::vector<std::filesystem::path> files; // the cross files read, in order
  std::vector<std::string> c;               // launcher (ccache) + compiler
  std::vector<std::string> cpp;
  std::vector<std::string> exe_wrapper;
  std::string ar;
  std::string strip;
  std::string pkg_config;
  std::vector<std::string> pkg_config_libdir;
  std::string system;
  std::string cpu_family;
  std::string cpu;
  std::string endian;
  // The binutils prefix, "aarch64-linux-gnu-", derived from the C compiler.
  std::string cross_prefix;

  // The C compiler without its launcher: "aarch64-linux-gnu-gcc".
  const std::string& c_compiler() const { return c.back(); }
  const std::string& cpp_compiler() const { return cpp.back(); }
  // The target triple, "aarch64-linux-gnu": the binutils prefix without its dash.
  std::string triple() const { return cross_prefix.substr(0, cross_prefix.size() - 1); }
};

// Reads cross files in order (later over earlier, like repeated
// --cross-file) and checks that they name what xstage needs: [binaries] c,
// cpp, ar, strip and [host_machine] system, cpu_family, cpu, endian.
Toolchain load_toolchain(const std::vector<std::filesystem::path>& files);

// The same from a parsed machine file (for tests).
Toolchain toolchain_from(machine_file::MachineFile cross);

// Everything about the toolchain that can change a build's output: the
// resolved cross-file values plus what the compilers say they are.
struct Fingerprint {
  nlohmann::json cross_values;
  std::string c_version;   // first line of `cc --version`
  std::string cpp_version; // first line of `c++ --version`
  std::string target;      // `cc -dumpmachine`

  nlohmann::json to_json() const;
};

// Asks the compilers for their versions through `runner`. Throws
// xstage::Error naming the command when a compiler cannot be run.
Fingerprint fingerprint(const Toolchain& toolchain, process::CommandRunner& runner);

// The C++ compiler's major version ("12", from `-dumpversion`): which of a
// sysroot's libstdc++ header trees belongs to it. Throws xstage::Error
// naming the command when the compiler cannot be run.
std::string compiler_major_version(const Toolchain& toolchain, process::CommandRunner& runner);

// What a stage built for the build machine depends on instead of the cross
// file: the build machine's own compilers (`cc`, `c++`: their first version
// line and `cc -dumpmachine`) and the installed version of each host package
// it compiles against ({"compiler": ..., "packages": {name: version}}). A
// package that is not installed throws xstage::Error naming it and how to
// install it.
nlohmann::json native_fingerprint(const std::vector<std::string>& host_packages,
                                  process::CommandRunner& runner);

} // namespace xstage::toolchain
