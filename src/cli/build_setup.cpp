#include "cli/build_setup.hpp"

#include <thread>

namespace xstage::cli {

BuildSession::BuildSession(const GlobalOptions& global, int jobs, const std::vector<std::string>& source_dirs)
    : project(load_project(global)), keys(project.keys()),
      cache(std::make_unique<cache::Cache>(cache_dir(global))) {
  options.project_root = project.root;
  options.work_root = cache_home() / "work";
  options.jobs = jobs > 0 ? jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  options.fetch.downloads = cache_home() / "downloads";
  for (const std::string& dir : source_dirs) {
    options.fetch.mirror_dirs.push_back(std::filesystem::absolute(dir));
  }
}

build::PipelineBuilder BuildSession::builder(build::Status& status) {
  return build::PipelineBuilder(project.pipeline, project.toolchain, keys, *cache, options, runner, status);
}

} // namespace xstage::cli
