#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace xstage::orchestrator {

// Empties the work directory `work` of `stage` (creating it), except its
// kept sysroot and, when `keep_log`, its build.log: before a build, and
// after it or its failure (a stage's source and build trees are gigabytes,
// and its layer is in the cache). Returns the bytes removed. Throws
// xstage::Error naming the directory, the stage and the path that failed.
std::uint64_t clear_work_dir(const std::filesystem::path& work, const std::string& stage, bool keep_log);

struct WorkTrim {
  std::size_t trimmed = 0; // work directories that held more than a sysroot and a log
  std::size_t busy = 0;    // skipped: a build holds their lock
  std::uint64_t bytes_freed = 0;
};

// clear_work_dir() of every stage directory below `work_root`
// (<work_root>/<pipeline>/<stage>) that no build holds (its StageLock is
// taken, so none can start meanwhile): what failed, interrupted or --keep-work
// builds left.
WorkTrim trim_work_root(const std::filesystem::path& work_root);

} // namespace xstage::orchestrator
