// xstage cache push|pull: share stage builds through a registry repository.
#include <cstdio>
#include <optional>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/console_status.hpp"
#include "cli/registry_connection.hpp"
#include "cli/stage_pull.hpp"
#include "remote/stage_sync.hpp"
#include "util/error.hpp"

namespace xstage::cli {

namespace {

struct RemoteArguments {
  std::vector<std::string> stages;
  std::string registry;
  RegistryFlags flags;
  std::string sign;               // push: the private key to sign with
  std::vector<std::string> trust; // pull: the public keys to trust
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

void print_pushed_stage(const remote::StagePush& push) {
  std::string what;
  switch (push.result) {
  case remote::StagePush::Result::sent: what = "sent " + human_size(push.outcome.bytes_sent); break;
  case remote::StagePush::Result::already_there: what = "already there"; break;
  case remote::StagePush::Result::not_cached:
    what = fmt::format("not cached{}; build it first",
                       push.evicted_reason.empty() ? "" : " (evicted: " + push.evicted_reason + ")");
    break;
  }
  fmt::print("{:<10} {}  {}\n", push.stage, push.key.substr(0, 12), what);
}

void push(const GlobalOptions& options, const RemoteArguments& args) {
  // A bad key fails before anything is sent.
  std::optional<remote::SigningKey> sign;
  if (!args.sign.empty()) {
    sign = remote::load_signing_key(args.sign);
  }
  Project project = load_project(options);
  auto keys = project.keys();
  cache::Cache cache(cache_dir(options));
  auto client = connect_cache_repository(args.registry, args.flags);
  remote::PushSummary summary = remote::push_stages(*client, cache, project.pipeline.closure(args.stages),
                                                    keys, print_pushed_stage, sign ? &*sign : nullptr);
  const remote::PushCounts total = summary.total();
  const std::size_t not_cached = summary.count(remote::StagePush::Result::not_cached);
  fmt::print("pushed {} to {}: {} sent ({}), {} already there{}\n", counted(summary.pushed(), "stage"),
             args.registry, counted(total.blobs_sent, "blob"), human_size(total.bytes_sent),
             total.blobs_present, not_cached > 0 ? fmt::format("; {} not cached", not_cached) : "");
}

void pull(const GlobalOptions& options, const RemoteArguments& args) {
  Project project = load_project(options);
  auto keys = project.keys();
  cache::Cache cache(cache_dir(options));
  auto client = connect_cache_repository(args.registry, args.flags);
  PullSummary summary =
      pull_missing(*client, cache, project.pipeline.closure(args.stages), keys, trusted_keys(args.trust));
  fmt::print("{}\n", describe(summary, args.registry));
  for (const remote::StagePull& stage : summary.stages) {
    if (stage.result == remote::StagePull::Result::unreachable) {
      throw Error(
          fmt::format("registry {} is unreachable or failing: {}", args.registry, stage.refused_reason));
    }
  }
  if (std::size_t refused = summary.count(remote::StagePull::Result::refused); refused > 0) {
    throw Error(
        fmt::format("{} in {} failed verification (not used)", counted(refused, "stage"), args.registry));
  }
}

} // namespace

void add_cache_remote_commands(CLI::App* cache, const GlobalOptions& options) {
  auto push_args = std::make_shared<RemoteArguments>();
  auto* push_command =
      add_remote_subcommand(cache, "push", "Push cached stages (by key) to a registry repository", push_args);
  push_command->add_option("--sign", push_args->sign,
                           "Sign each stage pushed with this ed25519 private key (xstage keygen's FILE)");
  push_command->callback([&options, push_args] { push(options, *push_args); });
  auto pull_args = std::make_shared<RemoteArguments>();
  auto* pull_command = add_remote_subcommand(
      cache, "pull", "Pull the stages missing here from a registry repository, verified", pull_args);
  add_trust_option(pull_command, pull_args->trust);
  pull_command->callback([&options, pull_args] { pull(options, *pull_args); });
}

} // namespace xstage::cli
