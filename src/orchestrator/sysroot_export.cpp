#include "orchestrator/sysroot_export.hpp"

#include <fmt/format.h>

#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::orchestrator {

namespace {

// The trees and files of an export, into `out` (empty).
void write_export(PipelineBuilder& builder, const recipe::Recipe& stage,
                  const toolchain::Toolchain& toolchain, const fs::path& out,
                  const toolchain::ExportOrigin& origin, const ExportedSysroot& exported) {
  std::vector<ExtractedLayer> layers = builder.layers_of(stage, true);
  builder.extract(layers, exported.sysroot, exported.host);
  std::vector<toolchain::HostTool> tools;
  for (const ExtractedLayer& layer : layers) {
    for (const std::string& tool : builder.pipeline().stage(layer.stage).tools()) {
      tools.push_back({tool, layer.stage});
    }
  }
  toolchain::StageEnvironment env = builder.stage_environment(exported.sysroot, exported.host, 1, {});
  env.emulator = {exported.emulator.string()};
  for (const toolchain::ExportFile& file : toolchain::export_files(toolchain, env, out, origin, tools)) {
    fs::create_directories((out / file.name).parent_path());
    util::write_file_atomically(out / file.name, file.text);
    if (file.executable) {
      fs::permissions(out / file.name, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                      fs::perm_options::add);
    }
  }
}

} // namespace

ExportedSysroot export_sysroot(PipelineBuilder& builder, const recipe::Recipe& stage,
                               const toolchain::Toolchain& toolchain, const fs::path& out,
                               const toolchain::ExportOrigin& origin) {
  // Extracting over a user's files would mix them with the layers, and a
  // path written twice is how the extractor finds conflicts.
  if (fs::exists(out) && !fs::is_empty(out)) {
    throw Error(fmt::format("{} is not empty; xstage sysroot writes into an empty directory", out.string()));
  }
  ExportedSysroot exported{out / "sysroot",         out / "host",          out / "cross.ini",
                           out / "toolchain.cmake", out / "configure.env", out / "emulator"};
  try {
    write_export(builder, stage, toolchain, out, origin, exported);
  } catch (...) {
    // Half a sysroot would build against missing files: nothing stays.
    std::error_code ignored;
    for (const fs::directory_entry& entry : fs::directory_iterator(out, ignored)) {
      fs::remove_all(entry.path(), ignored);
    }
    throw;
  }
  return exported;
}

} // namespace xstage::orchestrator
