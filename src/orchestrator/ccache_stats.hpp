#pragma once

#include <cstdint>
#include <string>

#include "process/spawn.hpp"

namespace xstage::orchestrator {

// Counts what ccache served during a stage: reads ccache's counters when
// constructed and again in summary(). Compiles run by anyone else on the
// machine at the same time are counted too; ccache has no per-build stats.
class CcacheCounter {
public:
  explicit CcacheCounter(process::CommandRunner& runner);

  // "HITS/CALLS (PERCENT%)" of cacheable compiles since construction, or "-"
  // when nothing was compiled or ccache cannot be asked.
  std::string summary();

private:
  struct Counts {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
  };
  Counts read();

  process::CommandRunner& m_runner;
  Counts m_start;
};

} // namespace xstage::orchestrator
