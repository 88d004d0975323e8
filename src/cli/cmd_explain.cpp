// xstage explain STAGE: why the stage's key differs from the newest cached
// build of that stage, one changed input per line.
#include <fmt/format.h>

#include "cache/cache.hpp"
#include "cli/commands.hpp"
#include "key/explain.hpp"

namespace xstage::cli {

void add_explain_command(CLI::App& app, const GlobalOptions& options) {
  auto* command =
      app.add_subcommand("explain", "Say which inputs of a stage changed since its newest cached build");
  auto stage = std::make_shared<std::string>();
  command->add_option("stage", *stage, "Stage name")->required();
  command->callback([&options, stage] {
    Project project = load_project(options);
    project.pipeline.stage(*stage);
    auto keys = project.keys();
    const key::StageKey& now = keys.at(*stage);
    cache::Cache cache(cache_dir(options));
    if (cache.find(now.key)) {
      fmt::print("{}: cached as {}; nothing to rebuild\n", *stage, now.key.substr(0, 12));
      return;
    }
    auto previous = cache.newest_for_stage(*stage, now.key);
    if (!previous) {
      fmt::print("{}: never built into this cache; key {}\n", *stage, now.key.substr(0, 12));
      return;
    }
    fmt::print("{}: {} -> {} (not cached); compared with the newest cached build:\n", *stage,
               previous->key.substr(0, 12), now.key.substr(0, 12));
    for (const std::string& change : key::explain_changes(previous->manifest, now.manifest)) {
      fmt::print("  {}\n", change);
    }
  });
}

} // namespace xstage::cli
