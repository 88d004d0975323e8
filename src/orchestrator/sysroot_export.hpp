#pragma once

#include <filesystem>

#include "orchestrator/pipeline_builder.hpp"
#include "recipe/recipe.hpp"
#include "toolchain/export_files.hpp"
#include "toolchain/toolchain.hpp"

namespace xstage::orchestrator {

// What `xstage sysroot` leaves for a user's own project.
struct ExportedSysroot {
  std::filesystem::path sysroot;         // <out>/sysroot: the target layers
  std::filesystem::path host;            // <out>/host: build-machine layers, if any
  std::filesystem::path meson_cross;     // <out>/cross.ini, a complete Meson cross file
  std::filesystem::path cmake_toolchain; // <out>/toolchain.cmake
  std::filesystem::path configure_env;   // <out>/configure.env (and config.site)
  std::filesystem::path emulator;        // <out>/emulator, qemu with the sysroot
};

// Extracts `stage`'s layers and its ancestors' into `out` (which must be
// empty or absent; every layer must be cached) and writes the files of
// toolchain::export_files() pointing at them, each headed with `origin`.
// Throws xstage::Error naming `out` when it is not empty, or the stage that
// is not cached.
ExportedSysroot export_sysroot(PipelineBuilder& builder, const recipe::Recipe& stage,
                               const toolchain::Toolchain& toolchain, const std::filesystem::path& out,
                               const toolchain::ExportOrigin& origin);

} // namespace xstage::orchestrator
