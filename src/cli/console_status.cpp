#include "cli/console_status.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/error.hpp"

namespace xstage::cli {

using orchestrator::StageResult;

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

namespace {

// "41s", "5m02s".
std::string elapsed_text(std::chrono::steady_clock::time_point since) {
  auto seconds =
      static_cast<long>(std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count());
  return seconds < 60 ? fmt::format("{}s", seconds) : fmt::format("{}m{:02}s", seconds / 60, seconds % 60);
}

std::size_t terminal_width() {
  struct winsize size {};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    return size.ws_col;
  }
  return 100;
}

// How often a non-TTY log lists the running stages again.
constexpr auto k_listing_interval = std::chrono::seconds(60);

// Smaller downloads come and go too fast to be worth a line.
constexpr std::uint64_t k_shown_download_size = 4'000'000;
constexpr auto k_download_line_interval = std::chrono::seconds(5);
constexpr auto k_download_redraw_interval = std::chrono::milliseconds(200);

// The last component of a URL's path: the file's name.
std::string file_name_of(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  return path.substr(path.rfind('/') + 1);
}

} // namespace

ConsoleStatus::ConsoleStatus(std::size_t stage_count)
    : m_stage_count(stage_count), m_tty(::isatty(STDOUT_FILENO) != 0),
      m_last_listed(std::chrono::steady_clock::now()) {}

std::string ConsoleStatus::describe(const Running& running) const {
  return fmt::format("[{}/{}] {}: {} ({})", running.index, m_stage_count, running.stage, running.step,
                     elapsed_text(running.started));
}

// Prints a line that stays: above the in-place line on a TTY.
void ConsoleStatus::print_line(const std::string& line) {
  if (m_line_open) {
    fmt::print("\r\033[K");
    m_line_open = false;
  }
  fmt::print("{}\n", line);
  std::fflush(stdout);
}

void ConsoleStatus::redraw() {
  if (!m_tty || m_running.empty()) {
    return;
  }
  std::string line;
  for (const Running& running : m_running) {
    line += (line.empty() ? "" : " | ") + describe(running);
  }
  std::size_t width = terminal_width();
  if (line.size() >= width) {
    line = line.substr(0, width > 4 ? width - 4 : 0) + "...";
  }
  fmt::print("\r\033[K{}", line);
  std::fflush(stdout);
  m_line_open = true;
}

void ConsoleStatus::stage_started(const std::string& stage, const std::string& key) {
  Running running{stage, ++m_started, key.substr(0, 12), std::chrono::steady_clock::now()};
  m_running.push_back(running);
  if (m_tty) {
    redraw();
  } else {
    print_line(fmt::format("[{}/{}] {} {}", running.index, m_stage_count, stage, key.substr(0, 12)));
  }
}

void ConsoleStatus::stage_step(const std::string& stage, const std::string& step) {
  for (Running& running : m_running) {
    if (running.stage == stage) {
      running.step = step;
      if (!m_tty) {
        print_line(describe(running));
      }
    }
  }
  redraw();
}

void ConsoleStatus::stage_finished(const orchestrator::StageOutcome& outcome) {
  auto running = std::find_if(m_running.begin(), m_running.end(),
                              [&](const Running& candidate) { return candidate.stage == outcome.stage; });
  std::size_t index = running == m_running.end() ? m_started : running->index;
  if (running != m_running.end()) {
    m_running.erase(running);
  }
  print_line(fmt::format("[{}/{}] {}: {} in {:.1f}s", index, m_stage_count, outcome.stage,
                         orchestrator::describe(outcome.result), outcome.seconds));
  redraw();
}

void ConsoleStatus::note(const std::string& text) {
  print_line("note: " + text);
  redraw();
}

void ConsoleStatus::download_progress(const std::string& what, std::uint64_t done, std::uint64_t total) {
  if (std::max(done, total) < k_shown_download_size) {
    return;
  }
  auto now = std::chrono::steady_clock::now();
  auto interval = m_tty ? std::chrono::steady_clock::duration(k_download_redraw_interval)
                        : std::chrono::steady_clock::duration(k_download_line_interval);
  if (what != m_download.what) {
    m_download = {what, now, now - interval, false};
  }
  bool finished = total > 0 && done >= total;
  if (m_download.finished || (!finished && now - m_download.shown < interval)) {
    return;
  }
  m_download.shown = now;
  m_download.finished = finished;
  double seconds = std::chrono::duration<double>(now - m_download.started).count();
  std::string rate =
      seconds > 0.5
          ? ", " + human_size(static_cast<std::uint64_t>(static_cast<double>(done) / seconds)) + "/s"
          : "";
  std::string name = file_name_of(what);
  if (finished) {
    print_line(fmt::format("fetched {}: {} in {:.1f}s{}", name, human_size(done), seconds, rate));
    redraw();
    return;
  }
  std::string line = total > 0 ? fmt::format("fetching {}: {} of {} ({}%){}", name, human_size(done),
                                             human_size(total), done * 100 / total, rate)
                               : fmt::format("fetching {}: {}{}", name, human_size(done), rate);
  if (m_tty) {
    fmt::print("\r\033[K{}", line);
    std::fflush(stdout);
    m_line_open = true;
  } else {
    print_line(line);
  }
}

void ConsoleStatus::tick() {
  if (m_tty) {
    redraw();
    return;
  }
  auto now = std::chrono::steady_clock::now();
  if (now - m_last_listed < k_listing_interval || m_running.empty()) {
    return;
  }
  m_last_listed = now;
  for (const Running& running : m_running) {
    print_line(describe(running) + " still running");
  }
}

void ConsoleStatus::print_summary(const std::vector<orchestrator::StageOutcome>& outcomes,
                                  double total_seconds) const {
  std::size_t width = 5;
  for (const auto& outcome : outcomes) {
    width = std::max(width, outcome.stage.size());
  }
  fmt::print("\n{:<{}}  {:<7}  {:>8}  {:>9}  {:<16}  {}\n", "stage", width, "", "time", "layer", "ccache",
             "key");
  std::map<StageResult, std::size_t> counts;
  for (const auto& outcome : outcomes) {
    ++counts[outcome.result];
    fmt::print("{:<{}}  {:<7}  {:>7.1f}s  {:>9}  {:<16}  {}\n", outcome.stage, width,
               orchestrator::describe(outcome.result), outcome.seconds, human_size(outcome.layer_size),
               outcome.ccache, outcome.key.substr(0, 12));
  }
  std::string failures;
  if (counts[StageResult::failed] + counts[StageResult::skipped] > 0) {
    failures =
        fmt::format(", {} failed, {} skipped", counts[StageResult::failed], counts[StageResult::skipped]);
  }
  fmt::print("{}: {} built, {}{}, {:.1f}s\n", counted(outcomes.size(), "stage"), counts[StageResult::built],
             counted(counts[StageResult::hit], "hit"), failures, total_seconds);
}

} // namespace xstage::cli

namespace xstage::cli {

void append_markdown_summary(const std::filesystem::path& path, const std::string& pipeline,
                             const std::vector<orchestrator::StageOutcome>& outcomes, double total_seconds) {
  std::string text =
      fmt::format("### xstage build: pipeline {}\n\n| stage | result | time | layer | ccache | key |\n"
                  "| --- | --- | ---: | ---: | --- | --- |\n",
                  pipeline);
  std::map<StageResult, std::size_t> counts;
  for (const auto& outcome : outcomes) {
    ++counts[outcome.result];
    text += fmt::format("| {} | {} | {:.1f} s | {} | {} | `{}` |\n", outcome.stage,
                        orchestrator::describe(outcome.result), outcome.seconds,
                        human_size(outcome.layer_size), outcome.ccache, outcome.key.substr(0, 12));
  }
  text += fmt::format("\n{}: {} built, {}, {} failed, {} skipped, {:.1f} s\n\n",
                      counted(outcomes.size(), "stage"), counts[StageResult::built],
                      counted(counts[StageResult::hit], "hit"), counts[StageResult::failed],
                      counts[StageResult::skipped], total_seconds);
  // Appended, as GitHub expects: each step adds its part of the summary.
  std::FILE* file = std::fopen(path.c_str(), "a");
  if (file == nullptr) {
    throw Error(fmt::format("cannot append the summary to {}: {}", path.string(), std::strerror(errno)));
  }
  std::fputs(text.c_str(), file);
  bool failed = std::fclose(file) != 0;
  if (failed) {
    throw Error(fmt::format("cannot write the summary to {}", path.string()));
  }
}

} // namespace xstage::cli
