#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "key/stage_key.hpp"
#include "recipe/pipeline.hpp"
#include "toolchain/toolchain.hpp"

namespace xstage::cli {

// Options every command shares.
struct GlobalOptions {
  std::string root;                     // project root; found from the cwd when empty
  std::string pipeline = "demo";        // recipes/<pipeline>
  std::vector<std::string> cross_files; // default: <root>/cross/aarch64.ini
  std::string cache;                    // stage cache; default: <cache home>/cache
  std::vector<std::string> defines;     // -D NAME=VALUE: the pipeline's options
};

// $XDG_CACHE_HOME/xstage, else ~/.cache/xstage: the cache, work and download
// directories live below it, outside any checkout.
std::filesystem::path cache_home();

// The stage cache directory: --cache, else <cache home>/cache.
std::filesystem::path cache_dir(const GlobalOptions& options);

// A loaded project: root, toolchain and pipeline, with stage keys on demand.
struct Project {
  std::filesystem::path root;
  toolchain::Toolchain toolchain;
  recipe::Pipeline pipeline;

  // Runs the compilers once for the fingerprint, then keys every stage.
  std::map<std::string, key::StageKey> keys() const;
};

// Finds the project root (the nearest directory at or above the cwd holding
// cross/aarch64.ini and recipes/, unless --root names it), reads the cross
// files and loads the pipeline.
Project load_project(const GlobalOptions& options);

} // namespace xstage::cli
