#include "remote/stage_sync.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "http/session.hpp"
#include "util/error.hpp"
#include "util/stop.hpp"

namespace fs = std::filesystem;

namespace xstage::remote {

namespace {

template <typename StageResult>
std::size_t count_results(const std::vector<StageResult>& stages, typename StageResult::Result result) {
  return static_cast<std::size_t>(std::count_if(
      stages.begin(), stages.end(), [&](const StageResult& stage) { return stage.result == result; }));
}

StagePush push_stage(registry::Client& client, cache::Cache& cache, const std::string& stage,
                     const std::map<std::string, key::StageKey>& keys, const SigningKey* sign) {
  StagePush push;
  push.stage = stage;
  push.key = keys.at(stage).key;
  // restore() re-hashes the blob: a corrupt local build is never shared.
  cache::RestoreResult restored = cache.restore(push.key);
  if (!restored.entry) {
    push.result = StagePush::Result::not_cached;
    push.evicted_reason = restored.evicted_reason;
    return push;
  }
  push.outcome = push_entry(client, cache, *restored.entry, sign);
  push.result = push.outcome.bytes_sent > 0 ? StagePush::Result::sent : StagePush::Result::already_there;
  return push;
}

StagePull pull_stage(registry::Client& client, cache::Cache& cache, const std::string& stage,
                     const std::map<std::string, key::StageKey>& keys,
                     const std::vector<TrustedKey>& trusted) {
  StagePull pull;
  pull.stage = stage;
  pull.key = keys.at(stage).key;
  if (cache.find(pull.key)) {
    pull.result = StagePull::Result::local;
    return pull;
  }
  const std::uint64_t before = client.bytes_received();
  try {
    if (!pull_entry(client, cache, pull.key, trusted)) {
      pull.result = StagePull::Result::missing;
      return pull;
    }
  } catch (const FileError&) {
    throw; // this machine's disk failed (full, read-only): the next stage would too
  } catch (const fs::filesystem_error&) {
    throw; // the same, from a directory made or removed in the cache
  } catch (const std::exception& error) {
    // An interrupt stops the pull; anything else is reported, not thrown:
    // the caller may build this stage, and the others are still worth
    // pulling. A registry that did not serve is `unreachable`; any other
    // failure (a registry's JSON is checked field by field, and a JSON error
    // that still got through is one too) is a refusal.
    if (util::stop_signal() != 0) {
      throw;
    }
    pull.result = dynamic_cast<const http::TransferError*>(&error) != nullptr ? StagePull::Result::unreachable
                                                                              : StagePull::Result::refused;
    pull.refused_reason = error.what();
    return pull;
  }
  pull.result = StagePull::Result::pulled;
  pull.bytes = client.bytes_received() - before;
  return pull;
}

// Runs `sync_stage` on each stage in order, passing each result to
// `on_stage` (when set) as soon as it is known, so a caller can show
// progress.
template <typename StageResult, typename SyncStage>
std::vector<StageResult> sync_each(const std::vector<const recipe::Recipe*>& stages,
                                   const std::function<void(const StageResult&)>& on_stage,
                                   SyncStage sync_stage) {
  std::vector<StageResult> results;
  for (const recipe::Recipe* recipe : stages) {
    results.push_back(sync_stage(recipe->name));
    if (on_stage) {
      on_stage(results.back());
    }
  }
  return results;
}

} // namespace

void check_cache_repository(std::string_view text) {
  registry::Reference reference = registry::parse_reference(text);
  if (!reference.tag.empty() || !reference.digest.empty()) {
    throw Error(
        fmt::format("--registry '{}' names an image; name the repository only ({}/{}): stage keys are "
                    "its tags",
                    text, reference.host, reference.repository));
  }
}

std::size_t PushSummary::count(StagePush::Result result) const {
  return count_results(stages, result);
}

PushCounts PushSummary::total() const {
  PushCounts total;
  for (const StagePush& push : stages) {
    total.add(push.outcome);
  }
  return total;
}

std::size_t PushSummary::pushed() const {
  return count(StagePush::Result::sent) + count(StagePush::Result::already_there);
}

PushSummary push_stages(registry::Client& client, cache::Cache& cache,
                        const std::vector<const recipe::Recipe*>& stages,
                        const std::map<std::string, key::StageKey>& keys,
                        const std::function<void(const StagePush&)>& on_stage, const SigningKey* sign) {
  return {sync_each(stages, on_stage,
                    [&](const std::string& stage) { return push_stage(client, cache, stage, keys, sign); })};
}

std::size_t PullSummary::count(StagePull::Result result) const {
  return count_results(stages, result);
}

std::uint64_t PullSummary::bytes() const {
  std::uint64_t bytes = 0;
  for (const StagePull& pull : stages) {
    bytes += pull.bytes;
  }
  return bytes;
}

PullSummary pull_missing_stages(registry::Client& client, cache::Cache& cache,
                                const std::vector<const recipe::Recipe*>& stages,
                                const std::map<std::string, key::StageKey>& keys,
                                const std::function<void(const StagePull&)>& on_stage,
                                const std::vector<TrustedKey>& trusted) {
  // A registry that did not serve once is not asked again: each stage would
  // wait as long (a stalled server costs the low-speed limit per request).
  std::string unanswered; // the stage it did not answer for
  PullSummary summary;
  summary.stages = sync_each(stages, on_stage, [&](const std::string& stage) {
    if (!unanswered.empty()) {
      StagePull skipped;
      skipped.stage = stage;
      skipped.key = keys.at(stage).key;
      skipped.result = StagePull::Result::unreachable;
      skipped.refused_reason = fmt::format("not tried: the registry failed for stage '{}'", unanswered);
      return skipped;
    }
    StagePull pull = pull_stage(client, cache, stage, keys, trusted);
    if (pull.result == StagePull::Result::unreachable) {
      unanswered = stage;
    }
    return pull;
  });
  return summary;
}

} // namespace xstage::remote
