// xstage build [STAGE...]: builds what is missing in DAG order, with progress
// and a summary table; a failure shows the tail of the stage's log.
#include <chrono>
#include <deque>
#include <fstream>

#include <fmt/format.h>

#include "cli/build_setup.hpp"
#include "cli/commands.hpp"
#include "cli/console_status.hpp"
#include "util/error.hpp"

namespace xstage::cli {

namespace {

struct BuildArguments {
  std::vector<std::string> stages;
  int jobs = 0;
  std::vector<std::string> sources;
};

// Prints the last `count` lines of a log, so a failure can be read in place.
void print_tail(const std::filesystem::path& log, std::size_t count) {
  std::ifstream in(log);
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (lines.size() > count) {
      lines.pop_front();
    }
  }
  if (lines.empty()) {
    return;
  }
  fmt::print(stderr, "--- last {} lines of {} ---\n", lines.size(), log.string());
  for (const std::string& line : lines) {
    fmt::print(stderr, "{}\n", line);
  }
  fmt::print(stderr, "---\n");
}

} // namespace

void add_build_command(CLI::App& app, const GlobalOptions& options) {
  auto* command =
      app.add_subcommand("build", "Build the stages (default: all) that are not cached, in DAG order");
  auto args = std::make_shared<BuildArguments>();
  command->add_option("stages", args->stages, "Stages to build, with their ancestors");
  command->add_option("-j,--jobs", args->jobs, "Parallel jobs per stage (default: number of cores)");
  command->add_option("--sources", args->sources, "A local mirror directory of source archives (repeatable)");
  command->callback([&options, args] {
    auto started = std::chrono::steady_clock::now();
    BuildSession session(options, args->jobs, args->sources);
    auto stages = session.project.pipeline.closure(args->stages);
    ConsoleStatus status(stages.size());
    auto builder = session.builder(status);
    std::vector<build::StageOutcome> outcomes;
    try {
      outcomes = builder.build(args->stages);
    } catch (const Error&) {
      if (!builder.failed_stage().empty()) {
        print_tail(builder.log_path(builder.failed_stage()), 25);
      }
      throw;
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    status.print_summary(outcomes, seconds);
  });
}

} // namespace xstage::cli
