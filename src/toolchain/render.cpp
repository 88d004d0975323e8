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

std::vector<std::string> with_sysroot(const std::string& sysroot, const std::vector<std::string>& include,
                                      const std::string& flag) {
  std::vector<std::string> args = {"--sysroot=" + sysroot};
  for (const std::string& dir : include) {
    args.push_back(flag);
    args.push_back(dir);
  }
  return args;
}

std::vector<std::string> with_flags(std::vector<std::string> command, const std::vector<std::string>& compile,
                                    const std::vector<std::string>& link) {
  command.insert(command.end(), compile.begin(), compile.end());
  command.insert(command.end(), link.begin(), link.end());
  return command;
}

std::string cmake_list(const std::vector<std::string>& items) {
  return cmake_quote(fmt::format("{}", fmt::join(items, ";")));
}

} // namespace

std::vector<std::string> SysrootFlags::c_args() const {
  return with_sysroot(sysroot, c_include, "-isystem");
}

std::vector<std::string> SysrootFlags::cpp_args() const {
  return with_sysroot(sysroot, cpp_include, "-isystem");
}

std::vector<std::string> SysrootFlags::c_command(const std::vector<std::string>& compiler) const {
  return with_flags(compiler, c_args(), link);
}

std::vector<std::string> SysrootFlags::cpp_command(const std::vector<std::string>& compiler) const {
  return with_flags(compiler, cpp_args(), link);
}

SysrootFlags sysroot_flags(const Toolchain& toolchain, const StageEnvironment& env) {
  std::string triple = toolchain.triple();
  SysrootFlags flags;
  flags.sysroot = env.sysroot.string();
  // The directories that exist, once each: merged /usr makes lib/<triple>
  // the same directory as usr/lib/<triple>.
  auto existing = [&](std::vector<std::string>& into, const std::vector<std::string>& paths) {
    for (const std::string& path : paths) {
      std::string dir = in_sysroot(env, path);
      std::error_code error;
      bool seen = std::any_of(into.begin(), into.end(),
                              [&](const std::string& other) { return fs::equivalent(dir, other, error); });
      if (fs::is_directory(dir) && !seen) {
        into.push_back(dir);
      }
    }
  };
  // libstdc++'s headers must come first: <cstdlib> reaches the libc's
  // <stdlib.h> with #include_next, which only searches after it.
  if (!env.compiler_version.empty()) {
    std::string cxx = "/usr/include/c++/" + env.compiler_version;
    if (fs::is_directory(in_sysroot(env, cxx))) {
      existing(flags.cpp_include,
               {cxx, "/usr/include/" + triple + "/c++/" + env.compiler_version, cxx + "/backward"});
    }
  }
  existing(flags.c_include, {"/usr/include/" + triple, "/usr/include"});
  flags.cpp_include.insert(flags.cpp_include.end(), flags.c_include.begin(), flags.c_include.end());

  // -B makes the driver take crt1.o/crti.o from the sysroot; -L dirs come
  // before the driver's own (the tooldir's libc.so); -rpath-link lets the
  // linker find the sysroot libraries' own dependencies (libgio ->
  // libselinux) without searching anywhere else.
  std::vector<std::string> library_dirs;
  if (!env.compiler_version.empty()) {
    existing(library_dirs, {"/usr/lib/gcc/" + triple + "/" + env.compiler_version});
  }
  existing(library_dirs, {"/usr/lib/" + triple, "/lib/" + triple});
  if (fs::exists(in_sysroot(env, "/usr/lib/" + triple + "/crt1.o"))) {
    flags.link.push_back("-B" + in_sysroot(env, "/usr/lib/" + triple) + "/");
  }
  for (const std::string& dir : library_dirs) {
    flags.link.push_back("-L" + dir);
  }
  for (const std::string& dir : library_dirs) {
    flags.link.push_back("-Wl,-rpath-link," + dir);
  }
  return flags;
}

std::string substitute(const std::string& text, const Toolchain& toolchain, const StageEnvironment& env) {
  const std::map<std::string, std::string> values = {
      {"SYSROOT", env.sysroot.string()},
      {"HOST", env.host.string()},
      {"PREFIX", env.prefix},
      {"CROSS_PREFIX", toolchain.cross_prefix},
      {"TRIPLE", toolchain.triple()},
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
  if (!env.emulator.empty()) {
    return env.emulator;
  }
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
  std::string triple = toolchain.triple();
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
  SysrootFlags flags = sysroot_flags(toolchain, env);
  vars["CC"] = with_launcher(flags.c_command(toolchain.c));
  vars["CXX"] = with_launcher(flags.cpp_command(toolchain.cpp));
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
  SysrootFlags flags = sysroot_flags(toolchain, env);
  // The sysroot's directories and flags go ahead of what a user or a recipe
  // gave (-DCMAKE_CXX_STANDARD_LIBRARIES=-lfoo, a cache entry that CMake's
  // own modules never replace), not in its place. CMake reads this file
  // again for every try_compile and project(), so they are added once: a
  // list keeps its first copy, a string is left alone when it holds them.
  // -L applies to every -l wherever it stands, and -B is a driver option,
  // so the standard libraries are a place for them that a user's
  // CMAKE_EXE_LINKER_FLAGS does not replace.
  text += "set(xstage_C_include " + cmake_list(flags.c_include) + ")\n" + "set(xstage_CXX_include " +
          cmake_list(flags.cpp_include) + ")\n" + "set(xstage_link " +
          cmake_quote(fmt::format("{}", fmt::join(flags.link, " "))) + ")\n" +
          R"(foreach(xstage_lang IN ITEMS C CXX)
  list(PREPEND CMAKE_${xstage_lang}_STANDARD_INCLUDE_DIRECTORIES ${xstage_${xstage_lang}_include})
  list(REMOVE_DUPLICATES CMAKE_${xstage_lang}_STANDARD_INCLUDE_DIRECTORIES)
  string(FIND " ${CMAKE_${xstage_lang}_STANDARD_LIBRARIES} " " ${xstage_link} " xstage_at)
  if(xstage_at EQUAL -1)
    string(STRIP "${xstage_link} ${CMAKE_${xstage_lang}_STANDARD_LIBRARIES}"
           CMAKE_${xstage_lang}_STANDARD_LIBRARIES)
  endif()
endforeach()
)";
  // Appended, not set: the user's own -DCMAKE_FIND_ROOT_PATH stays, and each
  // CMAKE_PREFIX_PATH entry becomes a root of its own, so that ONLY (which
  // keeps the build machine's packages out) does not re-root it under the
  // sysroot where it is not.
  text += fmt::format("list(APPEND CMAKE_FIND_ROOT_PATH {})\n"
                      "foreach(xstage_prefix IN LISTS CMAKE_PREFIX_PATH)\n"
                      "  list(APPEND CMAKE_FIND_ROOT_PATH \"${{xstage_prefix}}\")\n"
                      "endforeach()\n"
                      "list(REMOVE_DUPLICATES CMAKE_FIND_ROOT_PATH)\n",
                      sysroot);
  text += fmt::format("set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)\n"
                      "set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)\n"
                      "set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)\n"
                      "set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)\n"
                      "set(CMAKE_CROSSCOMPILING_EMULATOR {})\n",
                      cmake_list(exe_wrapper_for(toolchain, env)));
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

namespace {

// One machine file's sections, in order, with each key's value in
// machine-file syntax; a later set() of a key replaces it in place.
class MachineFileText {
public:
  void set(const std::string& section, const std::string& key, const std::string& value) {
    auto found = std::find_if(m_sections.begin(), m_sections.end(),
                              [&](const auto& entry) { return entry.first == section; });
    if (found == m_sections.end()) {
      m_sections.push_back({section, {}});
      found = m_sections.end() - 1;
    }
    auto& entries = found->second;
    auto existing =
        std::find_if(entries.begin(), entries.end(), [&](const auto& e) { return e.first == key; });
    if (existing == entries.end()) {
      entries.emplace_back(key, value);
    } else {
      existing->second = value;
    }
  }

  std::string text() const {
    std::string text;
    for (const auto& [section, entries] : m_sections) {
      text += fmt::format("\n[{}]\n", section);
      for (const auto& [key, value] : entries) {
        text += fmt::format("{} = {}\n", key, value);
      }
    }
    return text;
  }

private:
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> m_sections;
};

// What a stage (or an export) sets over the cross file: the sysroot for
// pkg-config and, since sys_root only reaches pkg-config, the flags for the
// compiler and linker. Those go into the compiler commands themselves, not
// into c_args and c_link_args: a machine file's option is replaced by a later
// one and by `-Dc_args=...` on the command line, so a user's or recipe's
// arguments would drop the sysroot; after the command they are added to it.
void set_sysroot_settings(MachineFileText& file, const Toolchain& toolchain, const StageEnvironment& env) {
  SysrootFlags flags = sysroot_flags(toolchain, env);
  file.set("binaries", "c", machine_file_array(flags.c_command(toolchain.c)));
  file.set("binaries", "cpp", machine_file_array(flags.cpp_command(toolchain.cpp)));
  file.set("binaries", "exe_wrapper", machine_file_array(exe_wrapper_for(toolchain, env)));
  file.set("properties", "sys_root", machine_file::Value(env.sysroot.string()).to_source());
  file.set("properties", "pkg_config_libdir", machine_file_array(pkg_config_libdirs(toolchain, env)));
}

} // namespace

std::string meson_overlay(const Toolchain& toolchain, const StageEnvironment& env) {
  MachineFileText file;
  set_sysroot_settings(file, toolchain, env);
  file.set("built-in options", "prefix",
           machine_file::Value(env.prefix.empty() ? std::string("/usr/local") : env.prefix).to_source());
  return "# Rendered by xstage; layer it over the cross file with a second --cross-file.\n" + file.text();
}

std::string meson_cross_file(const Toolchain& toolchain, const StageEnvironment& env,
                             const std::map<std::string, fs::path>& tools) {
  MachineFileText file;
  for (const machine_file::Section& section : toolchain.cross.sections()) {
    if (section.name == "constants") {
      continue; // already folded into the values that use them
    }
    for (const machine_file::Entry& entry : section.entries) {
      file.set(section.name, entry.key, entry.value.to_source());
    }
  }
  set_sysroot_settings(file, toolchain, env);
  for (const auto& [name, path] : tools) {
    file.set("binaries", name, machine_file::Value(path.string()).to_source());
  }
  return file.text();
}

} // namespace xstage::toolchain
