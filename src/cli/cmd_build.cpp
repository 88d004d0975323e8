// xstage build [STAGE...]: builds what is missing in DAG order (after pulling
// it from a registry, with --registry), with progress and a summary table; a
// failure shows the tail of the stage's log.
#include <fmt/format.h>

#include "cli/build_setup.hpp"
#include "cli/commands.hpp"
#include "cli/registry_connection.hpp"
#include "cli/stage_pull.hpp"
#include "orchestrator/build_options.hpp"
#include "util/error.hpp"

namespace xstage::cli {

namespace {

struct BuildArguments {
  std::vector<std::string> stages;
  int jobs = 0;
  bool keep_work = false;
  std::vector<std::string> trust;
  int max_stages = 0;
  std::string ccache_remote;
  std::string markdown_summary;
  std::vector<std::string> sources;
  std::string registry;
  RegistryFlags flags;
};

} // namespace

void add_build_command(CLI::App& app, const GlobalOptions& options) {
  auto* command =
      app.add_subcommand("build", "Build the stages (default: all) that are not cached, in DAG order");
  auto args = std::make_shared<BuildArguments>();
  command->add_option("stages", args->stages, "Stages to build, with their ancestors");
  command
      ->add_option("-j,--jobs", args->jobs,
                   "Job slots, shared by the stages building at once (default: number of cores)")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--max-stages", args->max_stages,
                   "Stages building at once at most (default: one per job slot; 1: one after another)")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--ccache-remote", args->ccache_remote,
                   "ccache remote storage shared with other machines, e.g. redis://HOST:6379 "
                   "(default: $XSTAGE_CCACHE_REMOTE)")
      ->envname("XSTAGE_CCACHE_REMOTE");
  command->add_option("--markdown-summary", args->markdown_summary,
                      "Also append the summary table as Markdown to FILE (e.g. $GITHUB_STEP_SUMMARY)");
  // One value per option: `--sources DIR app` must leave `app` a stage.
  command->add_option("--sources", args->sources, "A local mirror directory of source archives (repeatable)")
      ->allow_extra_args(false);
  command->add_flag(
      "--keep-work", args->keep_work,
      "Keep each stage's source and build trees in its work directory after it builds or fails");
  command->add_option("--registry", args->registry,
                      "Pull missing stages by key from this registry repository before building");
  add_insecure_flag(command, args->flags);
  add_trust_option(command, args->trust);
  command->callback([&options, args] {
    orchestrator::check_ccache_remote(args->ccache_remote);
    if (!args->trust.empty() && args->registry.empty()) {
      throw Error("--trust only applies to --registry: it says whose signed stages to pull");
    }
    BuildSession session(options, args->jobs, args->sources);
    session.options.max_stages = args->max_stages;
    session.options.ccache_remote = args->ccache_remote;
    session.options.keep_work = args->keep_work;
    session.markdown_summary = args->markdown_summary;
    if (!args->registry.empty()) {
      auto client = connect_cache_repository(args->registry, args->flags);
      PullSummary pulled =
          pull_missing(*client, *session.cache, session.project.pipeline.closure(args->stages), session.keys,
                       trusted_keys(args->trust));
      fmt::print("{}\n", describe(pulled, args->registry));
    }
    session.build_and_report(args->stages);
  });
}

} // namespace xstage::cli
