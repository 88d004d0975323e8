#include "toolchain/render.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "machine_file/value.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::toolchain {

namespace {

std::string launcher_of(const std::vector<std::string>& command) {
  std::vector<std::string> launcher(command.begin(), command.end() - 1);
  return fmt::format("{}", fmt::join(launcher, " "));
}

std::string with_launcher(const std::vector<std::string>& command) {
  return fmt::format("{}", fmt::join(command, " "));
}

// A path re-rooted under the sysroot: /usr/lib -> SYSROOT/usr/lib.
std::string in_sysroot(const StageEnvironment& env, const std::string& path) {
  return (env.sysroot / fs::path(path).relative_path()).string();
}

// CMake's bracket-free quoting: backslashes and quotes escaped.
std::string cmake_quote(const std::string& text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\' || c == '$') {
      quoted += '\\';
    }
    quoted += c;
  }
  return quoted + "\"";
}

std::string machine_file_array(const std::vector<std::string>& items) {
  machine_file::Value::Array values(items.begin(), items.end());
  return machine_file::Value(values).to_source();
}

} // namespace

std::string substitute(const std::string& text, const Toolchain& toolchain, const StageEnvironment& env) {
  const std::map<std::string, std::string> values = {
      {"SYSROOT", env.sysroot.string()},
      {"HOST", env.host.string()},
      {"PREFIX", env.prefix},
      {"CROSS_PREFIX", toolchain.cross_prefix},
      {"TRIPLE", toolchain.cross_prefix.substr(0, toolchain.cross_prefix.size() - 1)},
      {"JOBS", std::to_string(env.jobs)},
      {"SOURCES", env.sources.string()},
  };
  std::string result;
  std::size_t position = 0;
  for (;;) {
    std::size_t open = text.find('@', position);
    std::size_t close = open == std::string::npos ? std::string::npos : text.find('@', open + 1);
    if (close == std::string::npos) {
      break;
    }
    std::string name = text.substr(open + 1, close - open - 1);
    bool is_placeholder = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || c == '_';
    });
    if (!is_placeholder) {
      result.append(text, position, close - position);
      position = close;
      continue;
    }
    auto found = values.find(name);
    if (found == values.end()) {
      throw Error(fmt::format("unknown substitution @{}@ in '{}'; known: @SYSROOT@, @HOST@, @PREFIX@, "
                              "@CROSS_PREFIX@, @TRIPLE@, @JOBS@, @SOURCES@",
                              name, text));
    }
    result.append(text, position, open - position);
    result += found->second;
    position = close + 1;
  }
  result.append(text, position, std::string::npos);
  return result;
}

std::vector<std::string> exe_wrapper_for(const Toolchain& toolchain, const StageEnvironment& env) {
  std::vector<std::string> wrapper = toolchain.exe_wrapper;
  auto library_flag = std::find(wrapper.begin(), wrapper.end(), "-L");
  if (library_flag != wrapper.end() && library_flag + 1 != wrapper.end()) {
    *(library_flag + 1) = env.sysroot.string();
  } else if (!wrapper.empty()) {
    wrapper.insert(wrapper.begin() + 1, {"-L", env.sysroot.string()});
  }
  return wrapper;
}

std::vector<std::string> pkg_config_libdirs(const Toolchain& toolchain, const StageEnvironment& env) {
  std::vector<std::string> dirs;
  for (const std::string& dir : toolchain.pkg_config_libdir) {
    dirs.push_back(in_sysroot(env, dir));
  }
  std::vector<std::string> staged;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(env.sysroot / "opt", error)) {
    if (fs::is_directory(entry.path() / "lib" / "pkgconfig")) {
      staged.push_back((entry.path() / "lib" / "pkgconfig").string());
    }
  }
  std::sort(staged.begin(), staged.end());
  dirs.insert(dirs.end(), staged.begin(), staged.end());
  return dirs;
}

std::map<std::string, std::string> pkg_config_environment(const Toolchain& toolchain,
                                                          const StageEnvironment& env) {
  // The system directories as seen through the sysroot: pkg-config drops
  // -I/-L flags for them, so no build-machine path of the sysroot leaks into
  // a stage's own .pc files (FFmpeg copies its dependencies' flags).
  std::string triple = toolchain.cross_prefix.substr(0, toolchain.cross_prefix.size() - 1);
  std::vector<std::string> library_dirs;
  for (const std::string& dir :
       {"/usr/lib/" + triple, "/lib/" + triple, std::string("/usr/lib"), std::string("/lib")}) {
    library_dirs.push_back(in_sysroot(env, dir));
  }
  return {
      {"PKG_CONFIG_LIBDIR", fmt::format("{}", fmt::join(pkg_config_libdirs(toolchain, env), ":"))},
      {"PKG_CONFIG_SYSROOT_DIR", env.sysroot.string()},
      {"PKG_CONFIG_PATH", ""},
      {"PKG_CONFIG_SYSTEM_LIBRARY_PATH", fmt::format("{}", fmt::join(library_dirs, ":"))},
      {"PKG_CONFIG_SYSTEM_INCLUDE_PATH", in_sysroot(env, "/usr/include")},
  };
}

std::map<std::string, std::string> configure_environment(const Toolchain& toolchain,
                                                         const StageEnvironment& env) {
  std::map<std::string, std::string> vars = pkg_config_environment(toolchain, env);
  std::string sysroot_flag = "--sysroot=" + env.sysroot.string();
  vars["CC"] = with_launcher(toolchain.c) + " " + sysroot_flag;
  vars["CXX"] = with_launcher(toolchain.cpp) + " " + sysroot_flag;
  vars["AR"] = toolchain.ar;
  vars["STRIP"] = toolchain.strip;
  vars["NM"] = toolchain.cross_prefix + "nm";
  vars["RANLIB"] = toolchain.cross_prefix + "ranlib";
  vars["PKG_CONFIG"] = toolchain.pkg_config;
  return vars;
}

std::string cmake_toolchain_file(const Toolchain& toolchain, const StageEnvironment& env,
                                 const std::string& qt_host_path) {
  std::string sysroot = cmake_quote(env.sysroot.string());
  std::string text = fmt::format("# Rendered by xstage from the cross file; do not edit.\n"
                                 "set(CMAKE_SYSTEM_NAME Linux)\n"
                                 "set(CMAKE_SYSTEM_PROCESSOR {})\n"
                                 "set(CMAKE_SYSROOT {})\n"
                                 "set(CMAKE_C_COMPILER {})\n"
                                 "set(CMAKE_CXX_COMPILER {})\n",
                                 toolchain.cpu_family, sysroot, cmake_quote(toolchain.c_compiler()),
                                 cmake_quote(toolchain.cpp_compiler()));
  if (toolchain.c.size() > 1) {
    text += fmt::format("set(CMAKE_C_COMPILER_LAUNCHER {})\nset(CMAKE_CXX_COMPILER_LAUNCHER {})\n",
                        cmake_quote(launcher_of(toolchain.c)), cmake_quote(launcher_of(toolchain.cpp)));
  }
  text +=
      fmt::format("set(CMAKE_FIND_ROOT_PATH {})\n"
                  "set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)\n"
                  "set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)\n"
                  "set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)\n"
                  "set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)\n"
                  "set(CMAKE_CROSSCOMPILING_EMULATOR {})\n",
                  sysroot, cmake_quote(fmt::format("{}", fmt::join(exe_wrapper_for(toolchain, env), ";"))));
  for (const auto& [name, value] : pkg_config_environment(toolchain, env)) {
    text += fmt::format("set(ENV{{{}}} {})\n", name, cmake_quote(value));
  }
  if (!qt_host_path.empty()) {
    // Debian's x86_64 Qt keeps its CMake packages under the multiarch libdir.
    std::string cmake_dir =
        qt_host_path == "/usr" ? "/usr/lib/x86_64-linux-gnu/cmake" : qt_host_path + "/lib/cmake";
    text += fmt::format("set(QT_HOST_PATH {})\nset(QT_HOST_PATH_CMAKE_DIR {})\n", cmake_quote(qt_host_path),
                        cmake_quote(cmake_dir));
  }
  return text;
}

std::string meson_overlay(const Toolchain& toolchain, const StageEnvironment& env) {
  return fmt::format(
      "# Rendered by xstage; layer it over the cross file with a second --cross-file.\n"
      "[binaries]\nexe_wrapper = {}\n\n"
      "[properties]\nsys_root = {}\npkg_config_libdir = {}\n\n"
      "[built-in options]\nprefix = {}\n",
      machine_file_array(exe_wrapper_for(toolchain, env)),
      machine_file::Value(env.sysroot.string()).to_source(),
      machine_file_array(pkg_config_libdirs(toolchain, env)),
      machine_file::Value(env.prefix.empty() ? std::string("/usr/local") : env.prefix).to_source());
}

} // namespace xstage::toolchain
