#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "key/stage_key.hpp"
#include "recipe/pipeline.hpp"
#include "toolchain/toolchain.hpp"

namespace xstage::project {

// A loaded project: root, toolchain and pipeline, with stage keys on demand.
struct Project {
  std::filesystem::path root;
  toolchain::Toolchain toolchain;
  recipe::Pipeline pipeline;

  // Runs the compilers once for the fingerprint, then keys every stage.
  std::map<std::string, key::StageKey> keys() const;
};

// The project at `root`: its toolchain from `cross_files`, layered in order
// (<root>/cross/aarch64.ini when there are none), and the pipeline
// recipes/`pipeline` with the options `defines` (NAME=VALUE) set. Throws
// xstage::Error as load_toolchain() and Pipeline::load() do.
Project load_project(const std::filesystem::path& root, const std::vector<std::filesystem::path>& cross_files,
                     const std::string& pipeline, const std::vector<std::string>& defines);

} // namespace xstage::project
