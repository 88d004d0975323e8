#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "machine_file/value.hpp"
#include "process/spawn.hpp"
#include "recipe/recipe.hpp"
#include "toolchain/render.hpp"
#include "toolchain/toolchain.hpp"

namespace xstage::builders {

// Everything a builder needs to turn a stage's sources into files under
// `destdir`. Builders render their toolchain settings from `toolchain` (the
// cross file) and `env` (where the sysroot and prefix are), and run every
// command through `runner` with output appended to `log`.
struct BuildContext {
  const recipe::Recipe& recipe;
  const toolchain::Toolchain& toolchain;
  toolchain::StageEnvironment env;
  std::map<std::string, std::filesystem::path> sources; // unpacked, by source name
  std::filesystem::path work;                           // scratch for build trees and rendered files
  std::filesystem::path destdir;                        // becomes the stage's layer
  std::filesystem::path log;
  process::CommandRunner& runner;
  std::function<void(const std::string& step)> on_step; // progress; may be empty
  std::map<std::string, std::string> common_env;        // set for every command (CCACHE_BASEDIR)
  // A locked debian stage's .debs, each verified against its lock, in the
  // lock's order; empty for an unlocked stage.
  std::vector<std::filesystem::path> debs = {};
};

// One builder run: a source and the options for it (the stage's [options]
// extended by the step's own keys).
struct StepPlan {
  std::string name;
  std::filesystem::path source_dir; // empty for the debian builder
  std::map<std::string, machine_file::Value> options;
  int index = 0; // 0 for the stage's first step; later steps build on what earlier ones installed
};

// The stage's steps: its [step.NAME] sections in order, or one step over its
// only source. Array options of a step extend the stage's; others replace.
std::vector<StepPlan> plan_steps(const BuildContext& context);

// False for the debian builder, which downloads and extracts packages and
// compiles nothing: the scheduler lets it run beside compiling stages
// without a share of the job slots.
bool runs_compilers(const recipe::Recipe& recipe);

// Runs the recipe's builder over every step. Throws xstage::Error naming the
// stage, the step and the failed command, pointing at the log.
void run_builder(BuildContext& context);

// Runs one command of a step; a non-zero exit throws xstage::Error.
void run_command(BuildContext& context, const std::string& step, process::Invocation invocation);

// Option helpers: a string (or `fallback`), a list of substituted strings,
// a boolean, and `env` entries (NAME=value) as a map.
std::string option_string(const StepPlan& step, const std::string& key, const std::string& fallback);
std::vector<std::string> option_list(const BuildContext& context, const StepPlan& step,
                                     const std::string& key);
bool option_flag(const StepPlan& step, const std::string& key);
std::map<std::string, std::string> option_env(const BuildContext& context, const StepPlan& step);

// The builders, one file each.
void build_debian(BuildContext& context, const StepPlan& step);
void build_configure(BuildContext& context, const StepPlan& step);
void build_cmake(BuildContext& context, const StepPlan& step);
void build_meson(BuildContext& context, const StepPlan& step);

} // namespace xstage::builders
