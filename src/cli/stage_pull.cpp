#include "cli/stage_pull.hpp"

#include <cstdio>

#include <fmt/format.h>

#include "cli/console_status.hpp"

namespace xstage::cli {

namespace {

void print_pulled_stage(const remote::StagePull& pull) {
  using Result = remote::StagePull::Result;
  switch (pull.result) {
  case Result::local: break;
  case Result::missing:
    fmt::print("{:<10} {}  not in the registry\n", pull.stage, pull.key.substr(0, 12));
    break;
  case Result::pulled:
    fmt::print("{:<10} {}  pulled {}\n", pull.stage, pull.key.substr(0, 12), human_size(pull.bytes));
    break;
  case Result::refused:
  case Result::unreachable:
    std::fflush(stdout);
    fmt::print(stderr, "xstage: warning: stage '{}' not pulled: {}\n", pull.stage, pull.refused_reason);
    break;
  }
}

} // namespace

PullSummary pull_missing(registry::Client& client, cache::Cache& cache,
                         const std::vector<const recipe::Recipe*>& stages,
                         const std::map<std::string, key::StageKey>& keys,
                         const std::vector<remote::TrustedKey>& trusted) {
  return remote::pull_missing_stages(client, cache, stages, keys, print_pulled_stage, trusted);
}

void add_trust_option(CLI::App* command, std::vector<std::string>& files) {
  command
      ->add_option(
          "--trust", files,
          "Use only stages signed by a key of this file: xstage keygen's FILE.pub, or a trusted-keys "
          "file of several (.pub files concatenated, # comments); repeatable")
      ->allow_extra_args(false);
}

std::vector<remote::TrustedKey> trusted_keys(const std::vector<std::string>& files) {
  std::vector<remote::TrustedKey> keys;
  for (const std::string& file : files) {
    for (remote::TrustedKey& key : remote::load_trusted_keys(file)) {
      keys.push_back(std::move(key));
    }
  }
  return keys;
}

std::string describe(const PullSummary& summary, const std::string& registry) {
  using Result = remote::StagePull::Result;
  std::size_t unreachable = summary.count(Result::unreachable);
  return fmt::format(
      "pulled {} ({}) from {}; {} already cached, {} not in the registry, {} refused{}",
      counted(summary.count(Result::pulled), "stage"), human_size(summary.bytes()), registry,
      summary.count(Result::local), summary.count(Result::missing), summary.count(Result::refused),
      unreachable > 0 ? fmt::format(", {} not pulled (the registry is unreachable or failing)", unreachable)
                      : "");
}

} // namespace xstage::cli
