// xstage build [STAGE...]: builds what is missing in DAG order, with progress
// and a summary table; a failure shows the tail of the stage's log.
#include "cli/build_setup.hpp"
#include "cli/commands.hpp"

namespace xstage::cli {

namespace {

struct BuildArguments {
  std::vector<std::string> stages;
  int jobs = 0;
  std::vector<std::string> sources;
};

} // namespace

void add_build_command(CLI::App& app, const GlobalOptions& options) {
  auto* command =
      app.add_subcommand("build", "Build the stages (default: all) that are not cached, in DAG order");
  auto args = std::make_shared<BuildArguments>();
  command->add_option("stages", args->stages, "Stages to build, with their ancestors");
  command->add_option("-j,--jobs", args->jobs, "Parallel jobs per stage (default: number of cores)");
  command->add_option("--sources", args->sources, "A local mirror directory of source archives (repeatable)");
  command->callback([&options, args] {
    BuildSession session(options, args->jobs, args->sources);
    session.build_and_report(args->stages);
  });
}

} // namespace xstage::cli
