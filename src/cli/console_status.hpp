#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrator/status.hpp"

namespace xstage::cli {

// Shows build progress on the terminal. Stages build concurrently, so on a
// TTY one line rewritten in place lists every running stage
// ("[2/11] qtbase: build (41s) | ffmpeg: make (12s)"), and each finished
// stage leaves a line above it. Otherwise (CI logs) every event is one
// plain line, and a stage that runs long is listed again every minute, so a
// quiet 20-minute compile still shows progress. Ends with a summary table.
class ConsoleStatus : public orchestrator::Status {
public:
  explicit ConsoleStatus(std::size_t stage_count);

  void stage_started(const std::string& stage, const std::string& key) override;
  void stage_step(const std::string& stage, const std::string& step) override;
  void stage_finished(const orchestrator::StageOutcome& outcome) override;
  void note(const std::string& text) override;
  void tick() override;
  // Downloads of a few MB or more: the file's name, bytes, share and rate,
  // rewritten in place on a TTY, one line every few seconds otherwise, and
  // a last line when the expected size has arrived.
  void download_progress(const std::string& what, std::uint64_t done, std::uint64_t total) override;

  // The table: stage, result, time, layer size, ccache, key prefix; the
  // last line counts them.
  void print_summary(const std::vector<orchestrator::StageOutcome>& outcomes, double total_seconds) const;

private:
  struct Running {
    std::string stage;
    std::size_t index = 0; // in start order, from 1
    std::string step;
    std::chrono::steady_clock::time_point started;
  };
  // "[3/11] qtbase: build (41s)"
  std::string describe(const Running& running) const;
  void redraw();
  void print_line(const std::string& line);

  std::size_t m_stage_count;
  std::size_t m_started = 0;
  bool m_tty;
  bool m_line_open = false;
  std::vector<Running> m_running; // in start order
  std::chrono::steady_clock::time_point m_last_listed;
  struct Download {
    std::string what;
    std::chrono::steady_clock::time_point started;
    std::chrono::steady_clock::time_point shown;
    bool finished = false;
  };
  Download m_download; // the latest one reported
};

// The same table as Markdown (for $GITHUB_STEP_SUMMARY), appended to `path`.
void append_markdown_summary(const std::filesystem::path& path, const std::string& pipeline,
                             const std::vector<orchestrator::StageOutcome>& outcomes, double total_seconds);

// "19.7 MB", "812 kB", "0 B".
std::string human_size(std::uint64_t bytes);

// "1 stage", "4 stages", "2 entries": `noun`, or `plural` (default: noun + "s")
// unless there is one.
std::string counted(std::uint64_t count, std::string_view noun, std::string_view plural = {});

} // namespace xstage::cli
