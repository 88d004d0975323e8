#pragma once

#include <map>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cache/cache.hpp"
#include "key/stage_key.hpp"
#include "recipe/recipe.hpp"
#include "registry/client.hpp"
#include "remote/stage_sync.hpp"

namespace xstage::cli {

// What `build --registry` and `cache pull` print their summary line from.
using remote::PullSummary;

// remote::pull_missing_stages(), printing one line per stage as it is
// pulled, not in the registry or refused (a warning on stderr).
PullSummary pull_missing(registry::Client& client, cache::Cache& cache,
                         const std::vector<const recipe::Recipe*>& stages,
                         const std::map<std::string, key::StageKey>& keys,
                         const std::vector<remote::TrustedKey>& trusted = {});

// --trust FILE (repeatable), for `cache pull` and `build --registry`.
void add_trust_option(CLI::App* command, std::vector<std::string>& files);

// The keys of --trust FILE options (none: every verified stage is used).
std::vector<remote::TrustedKey> trusted_keys(const std::vector<std::string>& files);

// "pulled 4 stages (272.1 MB) from HOST/REPO; 0 already cached, 0 not in the
// registry, 0 refused": the summary line of a pull.
std::string describe(const PullSummary& summary, const std::string& registry);

} // namespace xstage::cli
