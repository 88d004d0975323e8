#pragma once

#include <cstdint>
#include <string>

namespace xstage::orchestrator {

// How one stage of a build ended.
enum class StageResult {
  hit,     // restored from the cache, not built
  built,   // built and stored
  failed,  // its build failed; nothing was stored for it
  skipped, // not started, because another stage failed first
};

// "hit", "built", "FAILED", "skipped": as the summary table shows it.
inline const char* describe(StageResult result) {
  switch (result) {
  case StageResult::hit: return "hit";
  case StageResult::built: return "built";
  case StageResult::failed: return "FAILED";
  case StageResult::skipped: return "skipped";
  }
  return "?";
}

struct StageOutcome {
  std::string stage;
  std::string key;
  StageResult result = StageResult::skipped;
  double seconds = 0; // wall time spent on the stage
  std::uint64_t layer_size = 0;
  std::string ccache = "-"; // "53/63 (84%)" compiles served by ccache, or "-"
  int jobs = 0;             // the job slots it built with; 0 for a hit

  bool hit() const { return result == StageResult::hit; }
};

// Progress of a build, reported by the core and shown by the CLI: the core
// never prints. Stages build concurrently, so calls come from several
// threads; PipelineBuilder makes them one at a time, never overlapping.
class Status {
public:
  virtual ~Status() = default;
  virtual void stage_started(const std::string& stage, const std::string& key) = 0;
  virtual void stage_step(const std::string& stage, const std::string& step) = 0;
  virtual void stage_finished(const StageOutcome& outcome) = 0;
  // Something the user should know that is not a failure: a corrupt cache
  // entry evicted, a source found in a mirror.
  virtual void note(const std::string& text) = 0;
  // About once a second while stages build, so elapsed times can move.
  virtual void tick() {}
  // A download's bytes so far and its expected size (0 when unknown), as
  // they arrive: `what` is the URL. Called many times a second; showing it
  // (and how often) is the implementation's choice.
  virtual void download_progress(const std::string& /*what*/, std::uint64_t /*done*/,
                                 std::uint64_t /*total*/) {}
};

} // namespace xstage::orchestrator
