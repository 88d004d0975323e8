// xstage sysroot STAGE DIR: the stage's layers and its ancestors' extracted
// into DIR/sysroot, with the overlay cross file and CMake toolchain file a
// user needs to build their own project against it (orchestrator's
// export_sysroot), and how to use them.
#include <fmt/format.h>

#include "cli/build_setup.hpp"
#include "cli/commands.hpp"
#include "cli/console_status.hpp"
#include "orchestrator/sysroot_export.hpp"

namespace fs = std::filesystem;

namespace xstage::cli {

void add_sysroot_command(CLI::App& app, const GlobalOptions& options) {
  auto* command = app.add_subcommand("sysroot", "Materialise a stage's layered sysroot with toolchain files");
  auto stage = std::make_shared<std::string>();
  auto directory = std::make_shared<std::string>();
  command->add_option("stage", *stage, "Stage name")->required();
  command->add_option("dir", *directory, "Output directory (must be empty or absent)")->required();
  command->callback([&options, stage, directory] {
    BuildSession session(options, 0, {});
    const recipe::Recipe& recipe = session.project.pipeline.stage(*stage);
    ConsoleStatus status(0);
    auto builder = session.builder(status);
    auto exported =
        orchestrator::export_sysroot(builder, recipe, session.project.toolchain, fs::absolute(*directory));
    fmt::print("sysroot of {} in {}\n", *stage, exported.sysroot.string());
    fmt::print("  meson setup --cross-file {} --cross-file {} BUILD\n",
               (session.project.root / "cross" / "aarch64.ini").string(), exported.meson_cross.string());
    fmt::print("  cmake -DCMAKE_TOOLCHAIN_FILE={} -S SRC -B BUILD\n", exported.cmake_toolchain.string());
  });
}

} // namespace xstage::cli
