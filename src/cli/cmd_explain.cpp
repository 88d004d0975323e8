// xstage explain STAGE: why the stage's key differs from the newest cached
// build of that stage, one changed input per line.
#include <fmt/format.h>

#include "cache/explain.hpp"
#include "cli/commands.hpp"

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
    cache::KeyExplanation explained = cache::explain_key(cache, *stage, now.key, now.manifest);
    switch (explained.state) {
    case cache::KeyExplanation::State::cached:
      fmt::print("{}: cached as {}; nothing to rebuild\n", *stage, now.key.substr(0, 12));
      break;
    case cache::KeyExplanation::State::never_built:
      fmt::print("{}: never built into this cache; key {}\n", *stage, now.key.substr(0, 12));
      break;
    case cache::KeyExplanation::State::changed:
      fmt::print("{}: {} -> {} (not cached); compared with the newest cached build:\n", *stage,
                 explained.previous_key.substr(0, 12), now.key.substr(0, 12));
      for (const std::string& change : explained.changes) {
        fmt::print("  {}\n", change);
      }
      break;
    }
  });
}

} // namespace xstage::cli
