#include "project/locations.hpp"

#include <fmt/format.h>

#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::project {

namespace {

bool is_set(const char* value) {
  return value != nullptr && *value != '\0';
}

bool is_project_root(const fs::path& directory) {
  return fs::is_regular_file(directory / "cross" / "aarch64.ini") && fs::is_directory(directory / "recipes");
}

} // namespace

fs::path find_project_root(const fs::path& start, const std::string& explicit_root) {
  if (!explicit_root.empty()) {
    fs::path root = start / explicit_root;
    if (!is_project_root(root)) {
      throw Error(
          fmt::format("{} is not an xstage project (no cross/aarch64.ini and recipes/)", explicit_root));
    }
    return root;
  }
  for (fs::path directory = start;; directory = directory.parent_path()) {
    if (is_project_root(directory)) {
      return directory;
    }
    if (directory == directory.root_path()) {
      throw Error(fmt::format("no xstage project at or above {} (looked for cross/aarch64.ini and recipes/); "
                              "pass --root",
                              start.string()));
    }
  }
}

fs::path cache_home(const char* xdg_cache_home, const char* home) {
  if (is_set(xdg_cache_home)) {
    return fs::path(xdg_cache_home) / "xstage";
  }
  if (!is_set(home)) {
    throw Error("neither XDG_CACHE_HOME nor HOME is set; pass --cache");
  }
  return fs::path(home) / ".cache" / "xstage";
}

} // namespace xstage::project
