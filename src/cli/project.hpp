#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "project/project.hpp"

namespace xstage::cli {

// Options every command shares.
struct GlobalOptions {
  std::string root;                     // project root; found from the cwd when empty
  std::string pipeline = "demo";        // recipes/<pipeline>
  std::vector<std::string> cross_files; // default: <root>/cross/aarch64.ini
  std::string cache;                    // stage cache; default: <cache home>/cache
  std::vector<std::string> defines;     // -D NAME=VALUE: the pipeline's options
};

using project::Project;

// project::cache_home() of this process's environment.
std::filesystem::path cache_home();

// The stage cache directory: --cache, else <cache home>/cache.
std::filesystem::path cache_dir(const GlobalOptions& options);

// project::load_project() of the root --root names, or else the one found
// from the current directory.
Project load_project(const GlobalOptions& options);

} // namespace xstage::cli
