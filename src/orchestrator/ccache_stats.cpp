#include "orchestrator/ccache_stats.hpp"

#include <sstream>

#include <fmt/format.h>

namespace xstage::orchestrator {

CcacheCounter::CcacheCounter(process::CommandRunner& runner) : m_runner(runner), m_start(read()) {}

CcacheCounter::Counts CcacheCounter::read() {
  Counts counts;
  process::CommandResult result;
  try {
    result = m_runner.run({"ccache", "--print-stats"});
  } catch (const std::exception&) {
    return counts;
  }
  if (result.exit_code != 0) {
    return counts;
  }
  // Lines of "name<TAB>value"; hits are direct or preprocessed.
  std::istringstream lines(result.output);
  std::string name;
  std::uint64_t value = 0;
  while (lines >> name >> value) {
    if (name == "direct_cache_hit" || name == "preprocessed_cache_hit") {
      counts.hits += value;
    } else if (name == "cache_miss") {
      counts.misses += value;
    }
  }
  return counts;
}

std::string CcacheCounter::summary() {
  Counts now = read();
  std::uint64_t hits = now.hits - m_start.hits;
  std::uint64_t calls = hits + (now.misses - m_start.misses);
  if (calls == 0) {
    return "-";
  }
  return fmt::format("{}/{} ({}%)", hits, calls, hits * 100 / calls);
}

} // namespace xstage::orchestrator
