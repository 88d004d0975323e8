// The debian builder: a sysroot from Debian packages, extracted without
// running maintainer scripts, so nothing is emulated.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "builders/builder.hpp"
#include "builders/symlinks.hpp"
#include "util/error.hpp"
#include "util/inner_path.hpp"

namespace fs = std::filesystem;

namespace xstage::builders {

namespace {

// What a sysroot needs of an extracted tree: /usr, and bookworm's merged-/usr
// links (bin, lib, sbin -> usr/...). The rest (apt state, logs, dev nodes,
// /etc) is either build-machine state that differs run to run or useless to
// a compiler.
void keep_only_sysroot(const fs::path& root) {
  static const std::vector<std::string> keep = {"usr", "bin", "lib", "lib64", "sbin"};
  std::vector<fs::path> junk;
  for (const fs::directory_entry& entry : fs::directory_iterator(root)) {
    std::string name = entry.path().filename().string();
    if (std::find(keep.begin(), keep.end(), name) == keep.end()) {
      junk.push_back(entry.path());
    }
  }
  for (const fs::path& path : junk) {
    fs::remove_all(path);
  }
}

// Removes the recipe's `drop` paths (documentation, locales: what a runtime
// layer does not need). Each must stay inside the tree; a path that does not
// exist is an error, so a typo does not silently keep 30 MB.
void drop_paths(const BuildContext& context, const std::vector<std::string>& paths) {
  for (const std::string& relative : paths) {
    if (!util::is_inner_path(relative)) {
      throw Error(
          fmt::format("stage '{}': 'drop' entry '{}' must be a path inside the tree, like usr/share/doc",
                      context.recipe.name, relative));
    }
    std::error_code error;
    if (!fs::exists(fs::symlink_status(context.destdir / relative, error))) {
      throw Error(fmt::format("stage '{}': 'drop' entry '{}' is not in the extracted tree",
                              context.recipe.name, relative));
    }
    fs::remove_all(context.destdir / relative);
  }
}

// What every debian stage's tree goes through after extraction.
void finish_tree(BuildContext& context, const StepPlan& step) {
  keep_only_sysroot(context.destdir);
  drop_paths(context, option_list(context, step, "drop"));
  make_symlinks_relative(context.destdir);
}

// dpkg's name for the build machine's architecture: amd64 on x86_64.
std::string build_machine_architecture(BuildContext& context) {
  process::CommandResult result = context.runner.run({"dpkg", "--print-architecture"});
  std::string architecture = result.output.substr(0, result.output.find('\n'));
  if (result.exit_code != 0 || architecture.empty()) {
    throw Error(
        fmt::format("stage '{}': cannot tell the build machine's architecture (dpkg --print-architecture: "
                    "{}); set architecture in [options]",
                    context.recipe.name, result.output));
  }
  return architecture;
}

} // namespace

// A locked stage: exactly the lock's .debs, each already verified by digest,
// unpacked the way mmdebstrap's extract variant does (dpkg-deb's data tar
// into the tree; no maintainer scripts, no dpkg database). tar keeps a
// directory symlink a package before it made (Debian bug 989602).
void extract_debs(BuildContext& context) {
  std::vector<std::string> argv = {
      "bash", "-c",
      "set -eo pipefail; root=$1; shift; for deb; do dpkg-deb --fsys-tarfile \"$deb\" | "
      "tar -C \"$root\" --keep-directory-symlink --no-same-owner --extract --file -; done",
      "extract-debs", context.destdir.string()};
  for (const fs::path& deb : context.debs) {
    argv.push_back(deb.string());
  }
  run_command(context, "extract packages", {argv, {}, {}, {}});
}

void build_debian(BuildContext& context, const StepPlan& step) {
  if (!context.debs.empty()) {
    extract_debs(context);
    finish_tree(context, step);
    return;
  }
  std::vector<std::string> packages = option_list(context, step, "packages");
  std::string suite = option_string(step, "suite", "bookworm");
  // A native stage (the build machine's tools) defaults to the build
  // machine's architecture, which its key holds (`cc -dumpmachine`).
  std::string architecture = option_string(step, "architecture", "");
  if (architecture.empty()) {
    architecture = context.recipe.is_native() ? build_machine_architecture(context) : "arm64";
  }
  run_command(context, "extract packages",
              {{"mmdebstrap", "--variant=extract", "--mode=root", "--arch=" + architecture,
                fmt::format("--include={}", fmt::join(packages, ",")), suite, context.destdir.string()},
               {},
               {},
               {}});
  finish_tree(context, step);
}

} // namespace xstage::builders
