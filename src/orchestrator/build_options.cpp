#include "orchestrator/build_options.hpp"

#include <algorithm>
#include <sstream>

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
