#pragma once

#include <map>
#include <string>
#include <vector>

#include "cache/cache.hpp"
#include "key/stage_key.hpp"
#include "recipe/recipe.hpp"
#include "registry/client.hpp"

namespace xstage::cli {

struct PullSummary {
  std::size_t pulled = 0;
  std::size_t local = 0;   // already in the local cache
  std::size_t missing = 0; // not in the registry either
  std::size_t failed = 0;  // in the registry but refused (corrupt, mismatched)
  std::uint64_t bytes = 0; // blob bytes of the stages pulled
};

// Pulls every stage of `stages` whose key is not in `cache` from the
// registry, printing one line per stage. A stage the registry has but that
// fails verification is reported and left out (the cache is unchanged for
// it), so a caller may still build it.
PullSummary pull_missing(registry::Client& client, cache::Cache& cache,
                         const std::vector<const recipe::Recipe*>& stages,
                         const std::map<std::string, key::StageKey>& keys);

// "pulled 4 stages (272.1 MB) from HOST/REPO; 0 already cached, 0 not in the
// registry, 0 refused": the summary line of a pull.
std::string describe(const PullSummary& summary, const std::string& registry);

} // namespace xstage::cli
