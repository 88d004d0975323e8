#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cache/cache.hpp"

namespace xstage::cache {

// Where a stage's current key stands in a cache: what `xstage explain`
// reports.
struct KeyExplanation {
  enum class State {
    cached,      // the key is in the cache: nothing to rebuild
    never_built, // no build of the stage is in the cache
    changed,     // an older build is: the key differs from it
  };

  State state = State::never_built;
  std::string previous_key;         // changed: the key of the newest cached build
  std::vector<std::string> changes; // changed: its inputs that differ, one sentence each
};

// Compares the build of `stage` keyed `key` (hashed from `manifest`) with
// what `cache` holds: the key itself, or else the newest other build of the
// stage, whose input manifest key::explain_changes() compares.
KeyExplanation explain_key(const Cache& cache, const std::string& stage, const std::string& key,
                           const nlohmann::json& manifest);

} // namespace xstage::cache
