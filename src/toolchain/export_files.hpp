#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "toolchain/render.hpp"

namespace xstage::toolchain {

// Where an exported sysroot came from, for the header of every file written.
struct ExportOrigin {
  std::string pipeline;
  std::string stage;
  std::string key;
  std::string version; // xstage's
};

// The files `xstage sysroot` writes into DIR beside DIR/sysroot and DIR/host,
// each rendered here from the toolchain and the export's environment
// (whose `emulator` is DIR/emulator), each with a header naming its origin.
struct ExportFile {
  std::filesystem::path name; // relative to DIR
  std::string text;
  bool executable = false;
};

// Directories of the sysroot holding Qt plugins (a `platforms/` inside):
// Debian's usr/lib/<triple>/qt6/plugins and qt5/plugins, and opt/*/plugins
// of a Qt built from source.
std::vector<std::string> qt_plugin_dirs(const Toolchain& toolchain, const std::filesystem::path& sysroot);

// A program a native stage's `tools` names.
struct HostTool {
  std::string name;
  std::string stage;
};

// Where the host tree has each of `wanted` (usr/bin, usr/sbin, opt/*/bin):
// glib-mkenums, wayland-scanner and the like, which a project runs while it
// builds. Throws xstage::Error naming the stage and the tool that is not in
// the tree.
std::map<std::string, std::filesystem::path> host_tools(const std::filesystem::path& host,
                                                        const std::vector<HostTool>& wanted);

// Every file of an export: emulator (qemu with the sysroot and Qt's plugin
// paths for the target process), cross.ini (a complete Meson cross file),
// native.ini (the host tree's `tools`), toolchain.cmake, configure.env and
// config.site (autotools), bin/<tool> wrappers for the host tools, README.
std::vector<ExportFile> export_files(const Toolchain& toolchain, const StageEnvironment& env,
                                     const std::filesystem::path& dir, const ExportOrigin& origin,
                                     const std::vector<HostTool>& tools);

} // namespace xstage::toolchain
