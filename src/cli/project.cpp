#include "cli/project.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "process/spawn.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::cli {

namespace {

bool is_project_root(const fs::path& directory) {
  return fs::is_regular_file(directory / "cross" / "aarch64.ini") && fs::is_directory(directory / "recipes");
}

fs::path find_root(const std::string& given) {
  if (!given.empty()) {
    fs::path root = fs::absolute(given);
    if (!is_project_root(root)) {
      throw Error(fmt::format("{} is not an xstage project (no cross/aarch64.ini and recipes/)", given));
    }
    return root;
  }
  for (fs::path directory = fs::current_path();; directory = directory.parent_path()) {
    if (is_project_root(directory)) {
      return directory;
    }
    if (directory == directory.root_path()) {
      throw Error(fmt::format("no xstage project at or above {} (looked for cross/aarch64.ini and recipes/); "
                              "pass --root",
                              fs::current_path().string()));
    }
  }
}

} // namespace

fs::path cache_home() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return fs::path(xdg) / "xstage";
  }
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') {
    throw Error("neither XDG_CACHE_HOME nor HOME is set; pass --cache");
  }
  return fs::path(home) / ".cache" / "xstage";
}

fs::path cache_dir(const GlobalOptions& options) {
  return options.cache.empty() ? cache_home() / "cache" : fs::absolute(options.cache);
}

std::map<std::string, key::StageKey> Project::keys() const {
  process::SpawnRunner runner;
  nlohmann::json cross = toolchain::fingerprint(toolchain, runner).to_json();
  auto toolchain_of = [&](const recipe::Recipe& recipe) {
    return recipe.is_native() ? toolchain::native_fingerprint(recipe.host_packages(), runner) : cross;
  };
  return key::compute_keys(pipeline, toolchain_of, root);
}

Project load_project(const GlobalOptions& options) {
  fs::path root = find_root(options.root);
  std::vector<fs::path> cross_files;
  for (const std::string& file : options.cross_files) {
    cross_files.emplace_back(file);
  }
  if (cross_files.empty()) {
    cross_files.push_back(root / "cross" / "aarch64.ini");
  }
  return Project{root, toolchain::load_toolchain(cross_files),
                 recipe::Pipeline::load(root, options.pipeline, options.defines)};
}

} // namespace xstage::cli
