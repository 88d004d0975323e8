#include "cli/project.hpp"

#include <cstdlib>

#include "project/locations.hpp"

namespace fs = std::filesystem;

namespace xstage::cli {

fs::path cache_home() {
  return project::cache_home(std::getenv("XDG_CACHE_HOME"), std::getenv("HOME"));
}

fs::path cache_dir(const GlobalOptions& options) {
  return options.cache.empty() ? cache_home() / "cache" : fs::absolute(options.cache);
}

Project load_project(const GlobalOptions& options) {
  fs::path root = project::find_project_root(fs::current_path(), options.root);
  return project::load_project(root, {options.cross_files.begin(), options.cross_files.end()},
                               options.pipeline, options.defines);
}

} // namespace xstage::cli
