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
};

// Replaces @SYSROOT@, @HOST@, @PREFIX@, @CROSS_PREFIX@, @TRIPLE@, @JOBS@ and
// @SOURCES@ (so @SOURCES@/NAME is source NAME's tree) in
// `text`. Any other @WORD@ is an error naming it, so a typo never reaches a
// build system as a literal.
std::string substitute(const std::string& text, const Toolchain& toolchain, const StageEnvironment& env);

// The cross file's exe_wrapper with its -L argument pointed at the sysroot,
// e.g. {"qemu-aarch64-static", "-L", SYSROOT}.
std::vector<std::string> exe_wrapper_for(const Toolchain& toolchain, const StageEnvironment& env);

// pkg-config directories inside the sysroot: the cross file's
// pkg_config_libdir entries re-rooted, then every <sysroot>/opt/*/lib/pkgconfig
// that an ancestor stage installed.
std::vector<std::string> pkg_config_libdirs(const Toolchain& toolchain, const StageEnvironment& env);

// PKG_CONFIG_LIBDIR, PKG_CONFIG_SYSROOT_DIR and an empty PKG_CONFIG_PATH, so
// that pkg-config sees the sysroot and nothing of the build machine.
std::map<std::string, std::string> pkg_config_environment(const Toolchain& toolchain,
                                                          const StageEnvironment& env);

// CC, CXX (with the launcher), AR, NM, RANLIB, STRIP, --sysroot flags and the
// pkg-config variables: what autotools-style configure scripts read.
std::map<std::string, std::string> configure_environment(const Toolchain& toolchain,
                                                         const StageEnvironment& env);

// A CMake toolchain file: CMAKE_SYSROOT, compilers with the ccache launcher,
// find-root-path modes, pkg-config confined to the sysroot, qemu as
// CMAKE_CROSSCOMPILING_EMULATOR and, when `qt_host_path` is set, QT_HOST_PATH.
std::string cmake_toolchain_file(const Toolchain& toolchain, const StageEnvironment& env,
                                 const std::string& qt_host_path);

// A Meson cross file to layer over cross/aarch64.ini: sys_root,
// pkg_config_libdir and the exe_wrapper pointed at the sysroot.
std::string meson_overlay(const Toolchain& toolchain, const StageEnvironment& env);

} // namespace xstage::toolchain
