#include "cli/build_setup.hpp"

#include <chrono>
#include <deque>
#include <fstream>
#include <iterator>
#include <thread>

#include <fmt/format.h>

#include "cli/console_status.hpp"
#include "orchestrator/build_options.hpp"
#include "util/error.hpp"

namespace xstage::cli {

namespace {

// Prints the last `count` lines of a log, so a failure can be read in place.
void print_tail(const std::filesystem::path& log, std::size_t count) {
  std::ifstream in(log);
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (lines.size() > count) {
      lines.pop_front();
    }
  }
  if (lines.empty()) {
    return;
  }
  fmt::print(stderr, "--- last {} lines of {} ---\n", lines.size(), log.string());
  for (const std::string& line : lines) {
    fmt::print(stderr, "{}\n", line);
  }
  fmt::print(stderr, "---\n");
}

} // namespace

BuildSession::BuildSession(const GlobalOptions& global, int jobs, const std::vector<std::string>& source_dirs)
    : project(load_project(global)), keys(project.keys()),
      cache(std::make_unique<cache::Cache>(cache_dir(global))) {
  std::ifstream os_release("/etc/os-release");
  orchestrator::MachineFacts machine{cache_home(), std::filesystem::current_path(),
                                     std::thread::hardware_concurrency(),
                                     std::string(std::istreambuf_iterator<char>(os_release), {})};
  options = orchestrator::build_options(project.root, machine, jobs, source_dirs);
  if (auto mirror = source::debian_mirror()) {
    debian = std::make_unique<source::DebianArchive>(cache_home() / "apt", *mirror, runner);
    options.fetch.debian_archives = source::debian_archive_uris();
    options.fetch.debian_apt = [this](const std::string& suite, bool refresh) {
      return debian->apt_get(suite, refresh);
    };
  }
}

orchestrator::PipelineBuilder BuildSession::builder(orchestrator::Status& status) {
  return orchestrator::PipelineBuilder(project.pipeline, project.toolchain, keys, *cache, options, runner,
                                       status);
}

std::vector<orchestrator::StageOutcome>
BuildSession::build_and_report(const std::vector<std::string>& stages) {
  auto started = std::chrono::steady_clock::now();
  ConsoleStatus status(project.pipeline.closure(stages).size());
  auto pipeline_builder = builder(status);
  orchestrator::BuildReport report = pipeline_builder.run(stages);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  status.print_summary(report.outcomes, seconds);
  if (!markdown_summary.empty()) {
    append_markdown_summary(markdown_summary, project.pipeline.name(), report.outcomes, seconds);
  }
  if (!report.failures.empty()) {
    for (const orchestrator::StageFailure& failure : report.failures) {
      print_tail(pipeline_builder.log_path(failure.stage), 25);
    }
    throw Error(report.failure_message());
  }
  return report.outcomes;
}

} // namespace xstage::cli
