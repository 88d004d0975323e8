#include "project/project.hpp"

#include <fmt/format.h>

#include "process/spawn.hpp"
#include "util/error.hpp"
#include "util/inner_path.hpp"

namespace fs = std::filesystem;

namespace xstage::project {

std::map<std::string, key::StageKey> Project::keys() const {
  process::SpawnRunner runner;
  nlohmann::json cross = toolchain::fingerprint(toolchain, runner).to_json();
  auto toolchain_of = [&](const recipe::Recipe& recipe) {
    return recipe.is_native() ? toolchain::native_fingerprint(recipe.host_packages(), runner) : cross;
  };
  return key::compute_keys(pipeline, toolchain_of, root);
}

Project load_project(const fs::path& root, const std::vector<fs::path>& cross_files,
                     const std::string& pipeline, const std::vector<std::string>& defines) {
  std::vector<fs::path> layered = cross_files;
  if (layered.empty()) {
    // The checkout's own cross file, so read only from the checkout (a cross
    // file the user names may be anywhere).
    layered.push_back(root / "cross" / "aarch64.ini");
    if (fs::is_symlink(layered.back()) && !util::resolves_inside(root, layered.back())) {
      throw Error(
          fmt::format("cross/aarch64.ini is a symlink out of the project (to {}); refusing to read it",
                      fs::read_symlink(layered.back()).string()));
    }
  }
  return Project{root, toolchain::load_toolchain(layered), recipe::Pipeline::load(root, pipeline, defines)};
}

} // namespace xstage::project
