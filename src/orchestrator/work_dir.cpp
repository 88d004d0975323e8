#include "orchestrator/work_dir.hpp"

#include <memory>

#include <fmt/format.h>

#include "orchestrator/kept_sysroot.hpp"
#include "orchestrator/stage_lock.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::orchestrator {

std::uint64_t clear_work_dir(const fs::path& work, const std::string& stage, bool keep_log) {
  KeptSysroot kept(work);
  std::uint64_t bytes = 0;
  try {
    fs::create_directories(work);
    for (const fs::directory_entry& entry : fs::directory_iterator(work)) {
      if (!kept.owns(entry.path()) && !(keep_log && entry.path().filename() == "build.log")) {
        bytes += tree_size(entry.path());
        fs::remove_all(entry.path());
      }
    }
  } catch (const fs::filesystem_error& error) {
    throw Error(fmt::format("cannot clear the work directory {} of stage '{}': {} ({})", work.string(), stage,
                            error.code().message(), error.path1().string()));
  }
  return bytes;
}

WorkTrim trim_work_root(const fs::path& work_root) {
  WorkTrim trim;
  std::error_code error;
  for (fs::directory_iterator pipeline(work_root, error), end; !error && pipeline != end;
       pipeline.increment(error)) {
    if (!pipeline->is_directory(error)) {
      continue;
    }
    for (fs::directory_iterator stage(pipeline->path(), error); !error && stage != end;
         stage.increment(error)) {
      if (!stage->is_directory(error) || stage->is_symlink(error)) {
        continue;
      }
      std::unique_ptr<StageLock> lock = StageLock::try_take(stage->path());
      if (!lock) {
        ++trim.busy;
        continue;
      }
      std::uint64_t bytes = clear_work_dir(stage->path(), stage->path().filename().string(), true);
      if (bytes > 0) {
        ++trim.trimmed;
        trim.bytes_freed += bytes;
      }
    }
  }
  return trim;
}

} // namespace xstage::orchestrator
