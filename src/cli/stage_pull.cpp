#include "cli/stage_pull.hpp"

#include <cstdio>

#include <fmt/format.h>

#include "cli/console_status.hpp"
#include "remote/stage_remote.hpp"
#include "util/error.hpp"

namespace xstage::cli {

PullSummary pull_missing(registry::Client& client, cache::Cache& cache,
                         const std::vector<const recipe::Recipe*>& stages,
                         const std::map<std::string, key::StageKey>& keys) {
  PullSummary summary;
  for (const recipe::Recipe* recipe : stages) {
    const std::string& key = keys.at(recipe->name).key;
    if (cache.find(key)) {
      ++summary.local;
      continue;
    }
    const std::uint64_t before = client.bytes_received();
    try {
      std::optional<cache::CacheEntry> entry = remote::pull_entry(client, cache, key);
      if (!entry) {
        ++summary.missing;
        fmt::print("{:<10} {}  not in the registry\n", recipe->name, key.substr(0, 12));
        continue;
      }
      std::uint64_t bytes = client.bytes_received() - before;
      ++summary.pulled;
      summary.bytes += bytes;
      fmt::print("{:<10} {}  pulled {}\n", recipe->name, key.substr(0, 12), human_size(bytes));
    } catch (const Error& error) {
      ++summary.failed;
      std::fflush(stdout);
      fmt::print(stderr, "xstage: warning: stage '{}' not pulled: {}\n", recipe->name, error.what());
    }
  }
  return summary;
}

std::string describe(const PullSummary& summary, const std::string& registry) {
  return fmt::format("pulled {} ({}) from {}; {} already cached, {} not in the registry, {} refused",
                     counted(summary.pulled, "stage"), human_size(summary.bytes), registry, summary.local,
                     summary.missing, summary.failed);
}

} // namespace xstage::cli
