#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrator/status.hpp"

namespace xstage::cli {

// Shows build progress on the terminal: on a TTY one line rewritten in place
// ("[2/3] ffmpeg: make (41s)"), otherwise one plain line per event, so CI
// logs stay readable. Ends with a summary table.
class ConsoleStatus : public orchestrator::Status {
public:
  explicit ConsoleStatus(std::size_t stage_count);

  void stage_started(const std::string& stage, const std::string& key) override;
  void stage_step(const std::string& stage, const std::string& step) override;
  void stage_finished(const orchestrator::StageOutcome& outcome) override;
  void note(const std::string& text) override;

  // The table: stage, hit or built, time, layer size, ccache, key prefix.
  void print_summary(const std::vector<orchestrator::StageOutcome>& outcomes, double total_seconds) const;

private:
  void show(const std::string& line);
  void end_line();

  std::size_t m_stage_count;
  std::size_t m_stage_index = 0;
  bool m_tty;
  bool m_line_open = false;
  std::chrono::steady_clock::time_point m_stage_start;
};

// "19.7 MB", "812 kB", "0 B".
std::string human_size(std::uint64_t bytes);

// "1 stage", "4 stages", "2 entries": `noun`, or `plural` (default: noun + "s")
// unless there is one.
std::string counted(std::uint64_t count, std::string_view noun, std::string_view plural = {});

} // namespace xstage::cli
