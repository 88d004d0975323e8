#pragma once

#include <memory>

#include "cache/cache.hpp"
#include "cli/project.hpp"
#include "orchestrator/pipeline_builder.hpp"
#include "source/debian_archive.hpp"

namespace xstage::cli {

// What build-like commands (build, sysroot) share: the project, its keys, the
// cache and a configured PipelineBuilder.
struct BuildSession {
  Project project;
  std::map<std::string, key::StageKey> keys;
  std::unique_ptr<cache::Cache> cache;
  process::SpawnRunner runner;
  orchestrator::BuildOptions options;
  // Debian suites' sources through xstage's own apt configuration, at the
  // mirror the machine's apt uses; absent when it names no Debian mirror.
  std::unique_ptr<source::DebianArchive> debian;
  // Where the summary table is also appended as Markdown (CI's
  // $GITHUB_STEP_SUMMARY); empty: nowhere.
  std::filesystem::path markdown_summary;

  BuildSession(const GlobalOptions& global, int jobs, const std::vector<std::string>& source_dirs);

  orchestrator::PipelineBuilder builder(orchestrator::Status& status);

  // Builds `stages` (empty: all) with progress on the console and a summary
  // table; a failure prints the tail of the failed stage's log and throws.
  std::vector<orchestrator::StageOutcome> build_and_report(const std::vector<std::string>& stages);
};

} // namespace xstage::cli
