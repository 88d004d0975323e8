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
    std::uint64_t before = client.bytes_received();
    try {
      std::optional<cache::CacheEntry> entry = remote::pull_entry(client, cache, key);
      if (!entry) {
        ++summary.missing;
        fmt::print("{:<10} {}  not in the registry\n", recipe->name, key.substr(0, 12));
        continue;
      }
      ++summary.pulled;
      summary.bytes += client.bytes_received() - before;
      fmt::print("{:<10} {}  pulled {}\n", recipe->name, key.substr(0, 12),
                 human_size(client.bytes_received() - before));
    } catch (const Error& error) {
      ++summary.failed;
      std::fflush(stdout);
      fmt::print(stderr, "xstage: warning: stage '{}' not pulled: {}\n", recipe->name, error.what());
    }
  }
  return summary;
}

} // namespace xstage::cli
