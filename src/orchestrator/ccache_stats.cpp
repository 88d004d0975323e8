#include "orchestrator/ccache_stats.hpp"

#include <cstdint>
#include <fstream>

#include <fmt/format.h>

namespace xstage::orchestrator {

std::string ccache_summary(const std::filesystem::path& stats_log) {
  std::ifstream in(stats_log);
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t remote = 0;
  // One "# SOURCE" line per compile, then one counter name per line; a hit
  // served by remote storage also counts remote_storage_hit.
  for (std::string line; std::getline(in, line);) {
    if (line == "direct_cache_hit" || line == "preprocessed_cache_hit") {
      ++hits;
    } else if (line == "cache_miss") {
      ++misses;
    } else if (line == "remote_storage_hit") {
      ++remote;
    }
  }
  std::uint64_t calls = hits + misses;
  if (calls == 0) {
    return "-";
  }
  if (remote > 0) {
    return fmt::format("{}/{} ({}%, {} remote)", hits, calls, hits * 100 / calls, remote);
  }
  return fmt::format("{}/{} ({}%)", hits, calls, hits * 100 / calls);
}

} // namespace xstage::orchestrator
