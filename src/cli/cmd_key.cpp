// xstage key STAGE: the stage's 64-hex key alone on stdout, for scripts and
// CI cache keys.
#include <fmt/format.h>

#include "cli/commands.hpp"

namespace xstage::cli {

void add_key_command(CLI::App& app, const GlobalOptions& options) {
  auto* command = app.add_subcommand("key", "Print a stage's key (64 hex digits) alone on stdout");
  auto stage = std::make_shared<std::string>();
  command->add_option("stage", *stage, "Stage name")->required();
  command->callback([&options, stage] {
    Project project = load_project(options);
    project.pipeline.stage(*stage); // an unknown stage fails before the compilers run
    fmt::print("{}\n", project.keys().at(*stage).key);
  });
}

} // namespace xstage::cli
