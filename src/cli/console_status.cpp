#include "cli/console_status.hpp"

#include <cstdio>

#include <fmt/format.h>
#include <unistd.h>

namespace xstage::cli {

std::string human_size(std::uint64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1000 && unit + 1 < std::size(units)) {
    value /= 1000;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

std::string counted(std::uint64_t count, std::string_view noun, std::string_view plural) {
  if (count == 1) {
    return fmt::format("1 {}", noun);
  }
  return plural.empty() ? fmt::format("{} {}s", count, noun) : fmt::format("{} {}", count, plural);
}

ConsoleStatus::ConsoleStatus(std::size_t stage_count)
    : m_stage_count(stage_count), m_tty(::isatty(STDOUT_FILENO) != 0) {}

void ConsoleStatus::show(const std::string& line) {
  if (m_tty) {
    fmt::print("\r\033[K{}", line);
    m_line_open = true;
  } else {
    fmt::print("{}\n", line);
  }
  std::fflush(stdout);
}

void ConsoleStatus::end_line() {
  if (m_line_open) {
    fmt::print("\n");
    m_line_open = false;
  }
}

void ConsoleStatus::stage_started(const std::string& stage, const std::string& key) {
  ++m_stage_index;
  m_stage_start = std::chrono::steady_clock::now();
  show(fmt::format("[{}/{}] {} {}", m_stage_index, m_stage_count, stage, key.substr(0, 12)));
}

void ConsoleStatus::stage_step(const std::string& stage, const std::string& step) {
  auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_stage_start).count();
  show(fmt::format("[{}/{}] {}: {} ({:.0f}s)", m_stage_index, m_stage_count, stage, step, elapsed));
}

void ConsoleStatus::stage_finished(const orchestrator::StageOutcome& outcome) {
  show(fmt::format("[{}/{}] {}: {} in {:.1f}s", m_stage_index, m_stage_count, outcome.stage,
                   outcome.hit ? "hit" : "built", outcome.seconds));
  end_line();
}

void ConsoleStatus::note(const std::string& text) {
  end_line();
  fmt::print("note: {}\n", text);
}

void ConsoleStatus::print_summary(const std::vector<orchestrator::StageOutcome>& outcomes,
                                  double total_seconds) const {
  std::size_t width = 5;
  for (const auto& outcome : outcomes) {
    width = std::max(width, outcome.stage.size());
  }
  fmt::print("\n{:<{}}  {:<5}  {:>8}  {:>9}  {:<16}  {}\n", "stage", width, "", "time", "layer", "ccache",
             "key");
  std::size_t built = 0;
  for (const auto& outcome : outcomes) {
    built += outcome.hit ? 0 : 1;
    fmt::print("{:<{}}  {:<5}  {:>7.1f}s  {:>9}  {:<16}  {}\n", outcome.stage, width,
               outcome.hit ? "hit" : "built", outcome.seconds, human_size(outcome.layer_size), outcome.ccache,
               outcome.key.substr(0, 12));
  }
  fmt::print("{}: {} built, {}, {:.1f}s\n", counted(outcomes.size(), "stage"), built,
             counted(outcomes.size() - built, "hit"), total_seconds);
}

} // namespace xstage::cli
