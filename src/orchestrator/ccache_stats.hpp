#pragma once

#include <filesystem>
#include <string>

namespace xstage::orchestrator {

// What ccache served to one stage. Each stage's commands run with
// CCACHE_STATSLOG=<work>/ccache-stats.log, to which ccache appends the
// counters of every compile: unlike its machine-wide counters, this counts
// that stage's compiles only, while other stages build at the same time.
//
// "HITS/CALLS (PERCENT%)" of the cacheable compiles in the log, with ", N
// remote" inside the parentheses when remote storage served N of the hits,
// or "-" when it is absent (nothing was compiled through ccache).
std::string ccache_summary(const std::filesystem::path& stats_log);

} // namespace xstage::orchestrator
