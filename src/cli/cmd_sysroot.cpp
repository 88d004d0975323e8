// xstage sysroot STAGE DIR: the stage's layers and its ancestors' extracted
// into DIR/sysroot, with the files a user needs to build their own Meson,
// CMake or autotools project against it and run its tests (orchestrator's
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
    toolchain::ExportOrigin origin{session.project.pipeline.name(), *stage, session.keys.at(*stage).key,
                                   XSTAGE_VERSION};
    fs::path out = fs::weakly_canonical(fs::absolute(*directory));
    auto exported = orchestrator::export_sysroot(builder, recipe, session.project.toolchain, out, origin);
    std::string triple = session.project.toolchain.triple();
    fmt::print("sysroot of {} in {}\n", *stage, exported.sysroot.string());
    fmt::print("  meson:     meson setup --cross-file {} --native-file {}/native.ini BUILD\n",
               exported.meson_cross.string(), out.string());
    fmt::print("  cmake:     cmake -DCMAKE_TOOLCHAIN_FILE={} -S SRC -B BUILD\n",
               exported.cmake_toolchain.string());
    fmt::print("  autotools: . {} && ./configure --host={} && make && xstage run -- make check\n",
               exported.configure_env.string(), triple);
    fmt::print("  (how to use each file: {}/README)\n", out.string());
  });
}

} // namespace xstage::cli
