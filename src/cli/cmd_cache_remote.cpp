// xstage cache push|pull: share stage builds through a registry repository.
#include <cstdio>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/console_status.hpp"
#include "cli/registry_connection.hpp"
#include "cli/stage_pull.hpp"
#include "remote/stage_remote.hpp"
#include "util/error.hpp"

namespace xstage::cli {

namespace {

struct RemoteArguments {
  std::vector<std::string> stages;
  std::string registry;
  RegistryFlags flags;
};

CLI::App* add_remote_subcommand(CLI::App* cache, const char* name, const char* description,
                                const std::shared_ptr<RemoteArguments>& args) {
  auto* command = cache->add_subcommand(name, description);
  command->add_option("stages", args->stages, "Stages, with their ancestors (default: all)");
  command->add_option("--registry", args->registry, "Registry repository, e.g. 127.0.0.1:5000/xstage-cache")
      ->required();
  add_insecure_flag(command, args->flags);
  return command;
}

void push(const GlobalOptions& options, const RemoteArguments& args) {
  Project project = load_project(options);
  auto keys = project.keys();
  cache::Cache cache(cache_dir(options));
  auto client = connect_cache_repository(args.registry, args.flags);
  std::size_t pushed = 0;
  std::size_t not_cached = 0;
  remote::PushCounts total;
  for (const recipe::Recipe* recipe : project.pipeline.closure(args.stages)) {
    const std::string& key = keys.at(recipe->name).key;
    // restore() re-hashes the blob: a corrupt local build is never shared.
    cache::RestoreResult restored = cache.restore(key);
    if (!restored.entry) {
      ++not_cached;
      fmt::print("{:<10} {}  not cached{}; build it first\n", recipe->name, key.substr(0, 12),
                 restored.evicted_reason.empty() ? "" : " (evicted: " + restored.evicted_reason + ")");
      continue;
    }
    remote::PushOutcome outcome = remote::push_entry(*client, cache, *restored.entry);
    ++pushed;
    total.add(outcome);
    fmt::print("{:<10} {}  {}\n", recipe->name, key.substr(0, 12),
               outcome.bytes_sent > 0 ? "sent " + human_size(outcome.bytes_sent) : "already there");
  }
  fmt::print("pushed {} to {}: {} sent ({}), {} already there{}\n", counted(pushed, "stage"), args.registry,
             counted(total.blobs_sent, "blob"), human_size(total.bytes_sent), total.blobs_present,
             not_cached > 0 ? fmt::format("; {} not cached", not_cached) : "");
}

void pull(const GlobalOptions& options, const RemoteArguments& args) {
  Project project = load_project(options);
  auto keys = project.keys();
  cache::Cache cache(cache_dir(options));
  auto client = connect_cache_repository(args.registry, args.flags);
  PullSummary summary = pull_missing(*client, cache, project.pipeline.closure(args.stages), keys);
  fmt::print("{}\n", describe(summary, args.registry));
  if (summary.failed > 0) {
    throw Error(fmt::format("{} in {} failed verification (not used)", counted(summary.failed, "stage"),
                            args.registry));
  }
}

} // namespace

void add_cache_remote_commands(CLI::App* cache, const GlobalOptions& options) {
  auto push_args = std::make_shared<RemoteArguments>();
  add_remote_subcommand(cache, "push", "Push cached stages (by key) to a registry repository", push_args)
      ->callback([&options, push_args] { push(options, *push_args); });
  auto pull_args = std::make_shared<RemoteArguments>();
  add_remote_subcommand(cache, "pull", "Pull the stages missing here from a registry repository, verified",
                        pull_args)
      ->callback([&options, pull_args] { pull(options, *pull_args); });
}

} // namespace xstage::cli
