#include "orchestrator/sysroot_export.hpp"

#include <fmt/format.h>

#include "toolchain/render.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::orchestrator {

ExportedSysroot export_sysroot(PipelineBuilder& builder, const recipe::Recipe& stage,
                               const toolchain::Toolchain& toolchain, const fs::path& out) {
  // Extracting over a user's files would mix them with the layers, and a
  // path written twice is how the extractor finds conflicts.
  if (fs::exists(out) && !fs::is_empty(out)) {
    throw Error(fmt::format("{} is not empty; xstage sysroot writes into an empty directory", out.string()));
  }
  ExportedSysroot exported{out / "sysroot", out / "host", out / "cross.ini", out / "toolchain.cmake"};
  builder.assemble(stage, true, exported.sysroot, exported.host);
  toolchain::StageEnvironment env{exported.sysroot, exported.host, "/usr/local", 1, {}};
  util::write_file_atomically(exported.meson_cross, toolchain::meson_overlay(toolchain, env));
  util::write_file_atomically(exported.cmake_toolchain,
                              toolchain::cmake_toolchain_file(toolchain, env, "/usr"));
  return exported;
}

} // namespace xstage::orchestrator
