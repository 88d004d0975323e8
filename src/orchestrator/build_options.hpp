#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "orchestrator/pipeline_builder.hpp"

namespace xstage::orchestrator {

// What a build takes from the machine it runs on, passed in so that tests
// choose it.
struct MachineFacts {
  std::filesystem::path cache_home; // work/, downloads/ live below it
  std::filesystem::path cwd;        // relative --sources are relative to it
  unsigned hardware_threads = 1;    // std::thread::hardware_concurrency(); 0 when unknown
  std::string os_release;           // the text of /etc/os-release, or ""
};

// The options of a build of the project at `project_root`: work and downloads
// below the cache home, `jobs` job slots (0: one per hardware thread, at
// least 1), the mirror directories absolute, and the machine's Debian suite
// for debian_source pins that name none. The Debian apt access is the
// caller's to add (it needs a runner and a mirror).
BuildOptions build_options(const std::filesystem::path& project_root, const MachineFacts& machine, int jobs,
                           const std::vector<std::string>& source_dirs);

// Checks a --ccache-remote value: ccache's remote storage URL (redis:,
// redis+unix:, http: or file:, e.g. "redis://cache.example.com:6379"). Throws
// xstage::Error naming the value otherwise; "" (none) passes.
void check_ccache_remote(const std::string& url);

// VERSION_CODENAME of an os-release text (quotes removed), or "bookworm"
// when it names none.
std::string os_release_codename(std::string_view os_release);

} // namespace xstage::orchestrator
