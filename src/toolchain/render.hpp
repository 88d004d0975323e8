#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "toolchain/toolchain.hpp"

namespace xstage::toolchain {

// Where one stage builds: what the cross file is rendered against.
struct StageEnvironment {
  std::filesystem::path sysroot; // the ancestors' target layers, extracted
  std::filesystem::path host;    // the ancestors' build-machine layers (host tools)
  std::string prefix;            // install prefix inside the stage's layer
  int jobs = 1;
  std::filesystem::path sources; // the stage's unpacked sources, one directory per source name
  // The C++ compiler's major version ("12", from -dumpversion): which of the
  // sysroot's libstdc++ header trees matches it. Empty: none is used.
  std::string compiler_version;
  // When set, the exe wrapper to use instead of the cross file's (an
  // `xstage sysroot` export's own emulator script).
  std::vector<std::string> emulator;
};

// What confines the cross compiler to the sysroot. Debian's cross GCC
// searches its own tree first (/usr/<triple>/{include,lib}, from
// libc6-dev-<arch>-cross, another glibc build than the sysroot's), and
// without --sysroot it also finds the build machine's multiarch packages
// (/usr/lib/<triple>). These flags put, ahead of both, the sysroot's
// libstdc++ headers of the compiler's version (when the sysroot has them),
// its libc and kernel headers, its crt files and its libraries. Only
// directories that exist are named; the compiler's own headers (stddef.h)
// and runtime (libgcc) stay the compiler's.
struct SysrootFlags {
  std::string sysroot;
  std::vector<std::string> c_include;        // -isystem directories for C, in search order
  std::vector<std::string> cpp_include;      // for C++: libstdc++'s directories, then C's
  std::vector<std::string> link;             // -B (crt files), -L, -Wl,-rpath-link
  std::vector<std::string> c_args() const;   // --sysroot and -isystem DIR, for C
  std::vector<std::string> cpp_args() const; // the same for C++
  // A compiler command (launcher, compiler) with the C or C++ arguments and
  // `link` after it: what configure's CC and CXX and Meson's [binaries] hold,
  // so that a user's or recipe's CFLAGS, LIBS or c_args add to them.
  std::vector<std::string> c_command(const std::vector<std::string>& compiler) const;
  std::vector<std::string> cpp_command(const std::vector<std::string>& compiler) const;
};
SysrootFlags sysroot_flags(const Toolchain& toolchain, const StageEnvironment& env);

// Replaces @SYSROOT@, @HOST@, @PREFIX@, @CROSS_PREFIX@, @TRIPLE@, @JOBS@ and
// @SOURCES@ (so @SOURCES@/NAME is source NAME's tree) in
// `text`. Any other @WORD@ is an error naming it, so a typo never reaches a
// build system as a literal.
std::string substitute(const std::string& text, const Toolchain& toolchain, const StageEnvironment& env);

// The cross file's exe_wrapper with its -L argument pointed at the sysroot,
// e.g. {"qemu-aarch64-static", "-L", SYSROOT}; env.emulator when set.
std::vector<std::string> exe_wrapper_for(const Toolchain& toolchain, const StageEnvironment& env);

// pkg-config directories inside the sysroot: the cross file's
// pkg_config_libdir entries re-rooted, then every <sysroot>/opt/*/lib/pkgconfig
// that an ancestor stage installed.
std::vector<std::string> pkg_config_libdirs(const Toolchain& toolchain, const StageEnvironment& env);

// PKG_CONFIG_LIBDIR, PKG_CONFIG_SYSROOT_DIR and an empty PKG_CONFIG_PATH, so
// that pkg-config sees the sysroot and nothing of the build machine.
std::map<std::string, std::string> pkg_config_environment(const Toolchain& toolchain,
                                                          const StageEnvironment& env);

// CC, CXX (with the launcher and the sysroot flags: libtool passes a
// compiler's own arguments through, not unknown LDFLAGS such as -B), AR, NM,
// RANLIB, STRIP and the pkg-config variables: what autotools-style configure
// scripts read.
std::map<std::string, std::string> configure_environment(const Toolchain& toolchain,
                                                         const StageEnvironment& env);

// A CMake toolchain file: CMAKE_SYSROOT, compilers with the ccache launcher,
// the sysroot flags (as standard include directories and standard libraries,
// which a user's CMAKE_<LANG>_FLAGS do not replace, put ahead of the values a
// user or recipe gave those, once however often CMake reads the file), find-root-path modes
// that append to the user's CMAKE_FIND_ROOT_PATH and CMAKE_PREFIX_PATH,
// pkg-config confined to the sysroot, qemu as CMAKE_CROSSCOMPILING_EMULATOR
// and, when `qt_host_path` is set, QT_HOST_PATH.
std::string cmake_toolchain_file(const Toolchain& toolchain, const StageEnvironment& env,
                                 const std::string& qt_host_path);

// A Meson cross file to layer over cross/aarch64.ini: sys_root,
// pkg_config_libdir, the exe_wrapper pointed at the sysroot and the
// compilers with the sysroot flags in their commands, leaving c_args,
// cpp_args and the link arguments to the user and the recipe.
std::string meson_overlay(const Toolchain& toolchain, const StageEnvironment& env);

// A complete Meson cross file: the cross file's evaluated sections (its
// constants folded in) with the overlay's settings, prefix excepted, so a
// user's project needs this one file; `tools` (build-machine programs) are
// added to [binaries], where find_program() looks first when cross building.
std::string meson_cross_file(const Toolchain& toolchain, const StageEnvironment& env,
                             const std::map<std::string, std::filesystem::path>& tools = {});

} // namespace xstage::toolchain
