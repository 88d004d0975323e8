#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cache/cache.hpp"
#include "key/stage_key.hpp"
#include "recipe/recipe.hpp"
#include "registry/client.hpp"
#include "remote/push_counts.hpp"
#include "remote/stage_remote.hpp"
#include "remote/stage_signature.hpp"

namespace xstage::remote {

// Checks that `text` (--registry) names a stage cache repository: HOST/REPO,
// whose tags are the stage keys. Throws xstage::Error for a reference
// parse_reference() refuses, and for one with a tag or digest, naming the
// repository meant.
void check_cache_repository(std::string_view text);

// What pushing one stage did.
struct StagePush {
  enum class Result {
    sent,          // some of its blobs went over the network
    already_there, // the registry had (or mounted) every blob it needs
    not_cached,    // no verified local build of this key: nothing pushed
  };

  std::string stage;
  std::string key;
  Result result = Result::not_cached;
  PushOutcome outcome;        // sent, already_there: what the push cost
  std::string evicted_reason; // not_cached: why the cache evicted a damaged build, "" if none was there
};

struct PushSummary {
  std::vector<StagePush> stages; // in the order they were pushed

  // What pushing every stage cost.
  PushCounts total() const;

  // The stages whose result is `result`.
  std::size_t count(StagePush::Result result) const;
  // The stages pushed: sent or already there.
  std::size_t pushed() const;
};

// Pushes every stage of `stages` (keyed by `keys`) that `cache` holds to the
// client's repository, in order. Each build is restored first, which
// re-hashes its blob, so a damaged local build is evicted and never shared;
// such a stage, like one never built, is reported not cached and skipped.
// `on_stage`, when set, is called with each stage's result as soon as it is
// known, so a caller can show progress. With `sign`, each stage pushed is
// signed too. A failing push throws xstage::Error.
PushSummary push_stages(registry::Client& client, cache::Cache& cache,
                        const std::vector<const recipe::Recipe*>& stages,
                        const std::map<std::string, key::StageKey>& keys,
                        const std::function<void(const StagePush&)>& on_stage = {},
                        const SigningKey* sign = nullptr);

// What pulling one stage did.
struct StagePull {
  enum class Result {
    pulled,      // verified and stored in the cache
    local,       // already in the cache, so not asked for
    missing,     // not in the registry either
    refused,     // in the registry but failed verification; the cache is unchanged for it
    unreachable, // the registry did not serve: no answer, or HTTP 5xx (for this stage or an earlier one)
  };

  std::string stage;
  std::string key;
  Result result = Result::missing;
  std::uint64_t bytes = 0;    // pulled: the blob bytes received
  std::string refused_reason; // refused: the verification error; unreachable: the transfer's
};

struct PullSummary {
  std::vector<StagePull> stages; // in the order they were pulled

  // The blob bytes of the stages pulled.
  std::uint64_t bytes() const;

  // The stages whose result is `result`.
  std::size_t count(StagePull::Result result) const;
};

// Pulls every stage of `stages` (keyed by `keys`) that `cache` lacks from the
// client's repository, in order, through pull_entry(), so nothing unverified
// is stored. A stage that fails verification is reported refused and left
// out rather than thrown, so the caller may still build it and the other
// stages are pulled. `on_stage`, when set, is called with each stage's result
// as soon as it is known. With `trusted` keys, a stage none of them signed is
// refused, with the reason. A failure of this machine's disk (FileError, a
// filesystem_error: a full cache) is thrown: it is not the stage's fault.
PullSummary pull_missing_stages(registry::Client& client, cache::Cache& cache,
                                const std::vector<const recipe::Recipe*>& stages,
                                const std::map<std::string, key::StageKey>& keys,
                                const std::function<void(const StagePull&)>& on_stage = {},
                                const std::vector<TrustedKey>& trusted = {});

} // namespace xstage::remote
