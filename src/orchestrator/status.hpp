#pragma once

#include <cstdint>
#include <string>

namespace xstage::orchestrator {

// How one stage of a build ended.
struct StageOutcome {
  std::string stage;
  std::string key;
  bool hit = false;   // restored from the cache, not built
  double seconds = 0; // wall time spent on the stage
  std::uint64_t layer_size = 0;
  std::string ccache; // "53/63 (84%)" compiles served by ccache, or "-"
};

// Progress of a build, reported by the core and shown by the CLI: the core
// never prints. Calls come from one thread, in order.
class Status {
public:
  virtual ~Status() = default;
  virtual void stage_started(const std::string& stage, const std::string& key) = 0;
  virtual void stage_step(const std::string& stage, const std::string& step) = 0;
  virtual void stage_finished(const StageOutcome& outcome) = 0;
  // Something the user should know that is not a failure: a corrupt cache
  // entry evicted, a source found in a mirror.
  virtual void note(const std::string& text) = 0;
};

} // namespace xstage::orchestrator
