#include "orchestrator/build_options.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::orchestrator {

std::string os_release_codename(std::string_view os_release) {
  std::istringstream lines{std::string(os_release)};
  const std::string prefix = "VERSION_CODENAME=";
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(prefix, 0) != 0) {
      continue;
    }
    std::string value = line.substr(prefix.size());
    // os-release(5) allows shell quoting; Debian writes none.
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    if (!value.empty()) {
      return value;
    }
  }
  return "bookworm";
}

void check_ccache_remote(const std::string& url) {
  if (url.empty()) {
    return;
  }
  // ccache takes several space-separated URLs, each with optional |attributes.
  std::istringstream urls(url);
  for (std::string one; urls >> one;) {
    std::string scheme = one.substr(0, one.find(':'));
    bool known = scheme == "redis" || scheme == "redis+unix" || scheme == "http" || scheme == "file";
    if (!known || one.find(':') == std::string::npos || one.size() == scheme.size() + 1) {
      throw Error(
          fmt::format("--ccache-remote '{}': '{}' is not a ccache remote storage URL (redis://HOST:PORT, "
                      "redis+unix:PATH, http://HOST/PATH or file:PATH)",
                      url, one));
    }
  }
}

BuildOptions build_options(const fs::path& project_root, const MachineFacts& machine, int jobs,
                           const std::vector<std::string>& source_dirs) {
  BuildOptions options;
  options.project_root = project_root;
  options.work_root = machine.cache_home / "work";
  options.jobs = jobs > 0 ? jobs : static_cast<int>(std::max(1u, machine.hardware_threads));
  options.fetch.downloads = machine.cache_home / "downloads";
  for (const std::string& dir : source_dirs) {
    options.fetch.mirror_dirs.push_back((machine.cwd / dir).lexically_normal());
  }
  options.fetch.default_debian_suite = os_release_codename(machine.os_release);
  return options;
}

} // namespace xstage::orchestrator
