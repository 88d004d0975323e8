#include "toolchain/export_files.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "machine_file/value.hpp"
#include "process/spawn.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::toolchain {

namespace {

// POSIX shell single quoting: 'it'\''s'.
std::string sh_words(const std::vector<std::string>& words) {
  std::vector<std::string> quoted;
  for (const std::string& word : words) {
    quoted.push_back(process::shell_quote(word));
  }
  return fmt::format("{}", fmt::join(quoted, " "));
}

std::string header(const ExportOrigin& origin, const fs::path& dir) {
  return fmt::format("# Written by `xstage sysroot` (xstage {}): pipeline {}, stage {}, key {}.\n"
                     "# It names files under {}; write it again with xstage, not by hand.\n",
                     origin.version, origin.pipeline, origin.stage, origin.key, dir.string());
}

std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::vector<fs::path> entries;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    entries.push_back(entry.path());
  }
  std::sort(entries.begin(), entries.end());
  return entries;
}

// The host tree's library directories, which its programs need on
// LD_LIBRARY_PATH: they were extracted, not installed.
std::vector<std::string> host_library_dirs(const fs::path& host) {
  std::vector<std::string> dirs;
  for (const fs::path& lib : {host / "usr" / "lib", host / "lib"}) {
    for (const fs::path& entry : sorted_entries(lib)) {
      if (fs::is_directory(entry) && entry.filename().string().find("-linux-") != std::string::npos) {
        dirs.push_back(entry.string());
      }
    }
  }
  for (const fs::path& prefix : sorted_entries(host / "opt")) {
    if (fs::is_directory(prefix / "lib")) {
      dirs.push_back((prefix / "lib").string());
    }
  }
  return dirs;
}

std::string emulator_script(const Toolchain& toolchain, const StageEnvironment& env,
                            const std::string& head) {
  StageEnvironment plain = env;
  plain.emulator.clear();
  std::vector<std::string> qemu = exe_wrapper_for(toolchain, plain);
  std::string text = "#!/bin/sh\n" + head +
                     "# Runs a target program under qemu with the sysroot: Meson's exe_wrapper, CMake's\n"
                     "# CMAKE_CROSSCOMPILING_EMULATOR, and what `xstage run` hands every exec of a\n"
                     "# target program to. LD_PRELOAD (xstage run's) is for the build machine only.\n";
  std::vector<std::string> plugins = qt_plugin_dirs(toolchain, env.sysroot);
  if (!plugins.empty()) {
    // Qt's generated test wrappers set QT_PLUGIN_PATH to the build tree's
    // plugins: the sysroot's go after them, and the platform plugins are
    // found through QT_QPA_PLATFORM_PLUGIN_PATH, which they leave alone.
    text += fmt::format("export QT_PLUGIN_PATH=\"${{QT_PLUGIN_PATH:+$QT_PLUGIN_PATH:}}\"{}\n"
                        "if [ -z \"${{QT_QPA_PLATFORM_PLUGIN_PATH-}}\" ]; then\n"
                        "  export QT_QPA_PLATFORM_PLUGIN_PATH={}\n"
                        "fi\n"
                        "# Without a display (CI, a terminal), Qt GUI tests draw offscreen.\n"
                        "if [ -z \"${{QT_QPA_PLATFORM-}}${{DISPLAY-}}${{WAYLAND_DISPLAY-}}\" ]; then\n"
                        "  export QT_QPA_PLATFORM=offscreen\n"
                        "fi\n",
                        process::shell_quote(fmt::format("{}", fmt::join(plugins, ":"))),
                        process::shell_quote(plugins.front() + "/platforms"));
  }
  return text + fmt::format("exec {} -U LD_PRELOAD \"$@\"\n", sh_words(qemu));
}

std::string host_tool_wrapper(const std::vector<std::string>& libraries, const fs::path& tool,
                              const std::string& head) {
  std::string text =
      "#!/bin/sh\n" + head + "# A build-machine tool of the host tree, with the host tree's libraries.\n";
  if (libraries.empty()) {
    return text + fmt::format("exec {} \"$@\"\n", process::shell_quote(tool.string()));
  }
  return text + fmt::format("LD_LIBRARY_PATH={}\"${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}\" exec {} \"$@\"\n",
                            process::shell_quote(fmt::format("{}", fmt::join(libraries, ":"))),
                            process::shell_quote(tool.string()));
}

std::string native_file(const StageEnvironment& env, const fs::path& dir,
                        const std::map<std::string, fs::path>& tools, const std::string& head) {
  std::string text = head + "# The build machine's tools from the host tree, for a project that runs them:\n"
                            "#   meson setup --cross-file cross.ini --native-file native.ini BUILD\n"
                            "[binaries]\n";
  for (const auto& [name, path] : tools) {
    text += fmt::format("{} = {}\n", name, machine_file::Value((dir / "bin" / name).string()).to_source());
  }
  std::vector<std::string> pkgconfig;
  for (const std::string& lib : host_library_dirs(env.host)) {
    if (fs::is_directory(fs::path(lib) / "pkgconfig")) {
      pkgconfig.push_back(lib + "/pkgconfig");
    }
  }
  if (fs::is_directory(env.host / "usr" / "share" / "pkgconfig")) {
    pkgconfig.push_back((env.host / "usr" / "share" / "pkgconfig").string());
  }
  if (!pkgconfig.empty()) {
    machine_file::Value::Array dirs(pkgconfig.begin(), pkgconfig.end());
    text += fmt::format("\n[properties]\nsys_root = {}\npkg_config_libdir = {}\n",
                        machine_file::Value(env.host.string()).to_source(),
                        machine_file::Value(dirs).to_source());
  }
  return text;
}

// configure.env and config.site: the same exported variables; configure
// sources a config.site in its own shell, and exports reach its children
// (pkg-config) as they do from a sourced configure.env.
std::string configure_variables(const Toolchain& toolchain, const StageEnvironment& env, const fs::path& dir,
                                bool host_tools) {
  std::string text;
  for (const auto& [name, value] : configure_environment(toolchain, env)) {
    text += fmt::format("export {}={}\n", name, process::shell_quote(value));
  }
  text += fmt::format("# `xstage run -- make check` finds the sysroot here.\nexport XSTAGE_SYSROOT={}\n",
                      process::shell_quote(dir.string()));
  if (host_tools) {
    text += fmt::format("export PATH={}:\"$PATH\"\n", process::shell_quote((dir / "bin").string()));
  }
  return text;
}

bool has_files(const fs::path& dir) {
  std::error_code error;
  return fs::is_directory(dir, error) && !fs::is_empty(dir, error);
}

// What the export holds, only what it holds, and how to use it: test suites
// first through `xstage run`, which also covers a test whose command is a
// script, a test runner or a tool the build runs (not only a built target).
std::string readme(const Toolchain& toolchain, const fs::path& dir, const ExportOrigin& origin, bool has_host,
                   bool has_tools) {
  std::string triple = toolchain.triple();
  std::string trees =
      fmt::format("sysroot/        the target's layers: {} and its ancestors\n", origin.stage);
  if (has_host) {
    trees += "host/           the build machine's layers (tools a project runs while it builds)\n";
  }
  if (has_tools) {
    trees += "bin/            wrappers of host/'s tools, with host/'s libraries\n";
  }
  trees += "emulator        runs a target program under qemu with this sysroot\n";
  return fmt::format("{0}"
                     "\n"
                     "{1}"
                     "\n"
                     "Run test suites, and builds that run a program they built, through `xstage run`:\n"
                     "every exec of a target program in the command's tree goes through `emulator`,\n"
                     "whether the test is a built target, a script or a test runner:\n"
                     "           xstage run --sysroot {2} -- meson test -C BUILD\n"
                     "           xstage run --sysroot {2} -- ctest --test-dir BUILD\n"
                     "           xstage run --sysroot {2} -- make check\n"
                     "           xstage run --sysroot {2} -- cmake --build BUILD\n"
                     "(configure.env sets XSTAGE_SYSROOT, so after sourcing it `xstage run -- make check`.)\n"
                     "\n"
                     "Meson:     meson setup --cross-file {2}/cross.ini --native-file {2}/native.ini BUILD\n"
                     "CMake:     cmake -DCMAKE_TOOLCHAIN_FILE={2}/toolchain.cmake -S SRC -B BUILD\n"
                     "autotools: . {2}/configure.env && ./configure --host={3} && make\n"
                     "           (or CONFIG_SITE={2}/config.site ./configure --host={3})\n",
                     header(origin, dir), trees, dir.string(), triple);
}

} // namespace

std::vector<std::string> qt_plugin_dirs(const Toolchain& toolchain, const fs::path& sysroot) {
  std::string triple = toolchain.triple();
  std::vector<fs::path> candidates = {sysroot / "usr" / "lib" / triple / "qt6" / "plugins",
                                      sysroot / "usr" / "lib" / triple / "qt5" / "plugins"};
  for (const fs::path& prefix : sorted_entries(sysroot / "opt")) {
    candidates.push_back(prefix / "plugins");
  }
  std::vector<std::string> dirs;
  for (const fs::path& dir : candidates) {
    if (fs::is_directory(dir / "platforms")) {
      dirs.push_back(dir.string());
    }
  }
  return dirs;
}

std::map<std::string, fs::path> host_tools(const fs::path& host, const std::vector<HostTool>& wanted) {
  std::vector<fs::path> bins = {host / "usr" / "bin", host / "usr" / "sbin"};
  for (const fs::path& prefix : sorted_entries(host / "opt")) {
    bins.push_back(prefix / "bin");
  }
  std::map<std::string, fs::path> tools;
  for (const HostTool& tool : wanted) {
    auto found = std::find_if(bins.begin(), bins.end(), [&](const fs::path& bin) {
      std::error_code error;
      fs::file_status status = fs::status(bin / tool.name, error); // a link's target
      return fs::is_regular_file(status) && (status.permissions() & fs::perms::owner_exec) != fs::perms::none;
    });
    if (found == bins.end()) {
      throw Error(fmt::format("stage '{}' lists tool '{}', which its tree does not have as a program in "
                              "usr/bin, usr/sbin or opt/*/bin",
                              tool.stage, tool.name));
    }
    tools.emplace(tool.name, *found / tool.name);
  }
  return tools;
}

std::vector<ExportFile> export_files(const Toolchain& toolchain, const StageEnvironment& env,
                                     const fs::path& dir, const ExportOrigin& origin,
                                     const std::vector<HostTool>& wanted) {
  std::string head = header(origin, dir);
  std::map<std::string, fs::path> tools = host_tools(env.host, wanted);
  std::map<std::string, fs::path> wrappers;
  for (const auto& [name, path] : tools) {
    wrappers.emplace(name, dir / "bin" / name);
  }
  std::string cmake = head + "# cmake -DCMAKE_TOOLCHAIN_FILE=" + (dir / "toolchain.cmake").string() +
                      " -S SRC -B BUILD\n" + cmake_toolchain_file(toolchain, env, "/usr");
  if (!tools.empty()) {
    cmake += fmt::format("list(APPEND CMAKE_PROGRAM_PATH \"{}\")\n", (dir / "bin").string());
  }
  std::string triple = toolchain.triple();
  std::string variables = configure_variables(toolchain, env, dir, !tools.empty());
  std::vector<ExportFile> files = {
      {"emulator", emulator_script(toolchain, env, head), true},
      {"cross.ini", head + "# meson setup --cross-file " + (dir / "cross.ini").string() + " BUILD\n" +
                        meson_cross_file(toolchain, env, wrappers)},
      {"native.ini", native_file(env, dir, tools, head)},
      {"toolchain.cmake", cmake},
      {"configure.env",
       head + fmt::format("# . {}/configure.env && ./configure --host={}\n", dir.string(), triple) +
           variables},
      {"config.site",
       head + fmt::format("# CONFIG_SITE={}/config.site ./configure --host={}\n", dir.string(), triple) +
           variables},
      {"README", readme(toolchain, dir, origin, has_files(env.host), !tools.empty())},
  };
  std::vector<std::string> libraries =
      tools.empty() ? std::vector<std::string>{} : host_library_dirs(env.host);
  for (const auto& [name, path] : tools) {
    files.push_back({fs::path("bin") / name, host_tool_wrapper(libraries, path, head), true});
  }
  return files;
}

} // namespace xstage::toolchain
