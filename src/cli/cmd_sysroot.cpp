// xstage sysroot STAGE DIR: the stage's layers and its ancestors' extracted
// into DIR/sysroot, with the overlay cross file and CMake toolchain file a
// user needs to build their own project against it.
#include <fmt/format.h>

#include "cli/build_setup.hpp"
#include "cli/commands.hpp"
#include "cli/console_status.hpp"
#include "toolchain/render.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"

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
    fs::path out = fs::absolute(*directory);
    if (fs::exists(out) && !fs::is_empty(out)) {
      throw Error(
          fmt::format("{} is not empty; xstage sysroot writes into an empty directory", out.string()));
    }
    ConsoleStatus status(0);
    auto builder = session.builder(status);
    builder.assemble(recipe, true, out / "sysroot", out / "host");
    toolchain::StageEnvironment env{out / "sysroot", out / "host", "/usr/local", 1, {}};
    util::write_file_atomically(out / "cross.ini", toolchain::meson_overlay(session.project.toolchain, env));
    util::write_file_atomically(out / "toolchain.cmake",
                                toolchain::cmake_toolchain_file(session.project.toolchain, env, "/usr"));
    fmt::print("sysroot of {} in {}\n", *stage, (out / "sysroot").string());
    fmt::print("  meson setup --cross-file {} --cross-file {} BUILD\n",
               (session.project.root / "cross" / "aarch64.ini").string(), (out / "cross.ini").string());
    fmt::print("  cmake -DCMAKE_TOOLCHAIN_FILE={} -S SRC -B BUILD\n", (out / "toolchain.cmake").string());
  });
}

} // namespace xstage::cli
