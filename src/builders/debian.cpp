// The debian builder: a sysroot from Debian packages, extracted without
// running maintainer scripts, so nothing is emulated.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "builders/builder.hpp"
#include "builders/symlinks.hpp"
#include "layer/layer.hpp"
#include "util/atomic_file.hpp"
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
// unpacked the way mmdebstrap's extract variant does (each package's data
// into the tree; no maintainer scripts, no dpkg database), but by xstage's
// own extractor under the layer policy: dpkg-deb piped into tar would follow
// a directory symlink an earlier package left (even an absolute one) and
// write on the build machine. Each .deb must also be the package the lock
// names: a digest proves the bytes, not the name and version beside it,
// which the image's SBOM reports.
void extract_debs(BuildContext& context) {
  // The list goes in a file: a command line of hundreds of paths would make
  // every message that quotes the command unreadable.
  std::string list;
  const std::vector<recipe::LockedPackage>& locked = context.recipe.lock->packages;
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < context.debs.size(); ++i) {
    labels.push_back(fmt::format("{} {} {}", locked[i].name, locked[i].version, locked[i].architecture));
    list += fmt::format("{}\t{}\n", context.debs[i].string(), labels.back());
  }
  fs::path list_file = context.work / "debs.list";
  fs::create_directories(context.work);
  util::write_file_atomically(list_file, list);
  std::vector<std::string> argv = {
      "bash", "-c",
      "set -eo pipefail; "
      "while IFS=$'\\t' read -r deb want; do "
      "got=$(dpkg-deb --show --showformat='${Package} ${Version} ${Architecture}' \"$deb\"); "
      "if [ \"$got\" != \"$want\" ]; then echo \"${deb##*/} is $got, the lock says $want\" >&2; exit 1; fi; "
      "done < \"$1\"",
      "check-debs", list_file.string()};
  run_command(context, "check packages", {argv, {}, {}, {}});
  // Ctrl-C stops the extraction at the next read of a package's data
  // (layer::extract_deb checks the stop request there).
  layer::PathOwners owners;
  for (std::size_t i = 0; i < context.debs.size(); ++i) {
    try {
      layer::extract_deb(context.debs[i], labels[i], context.destdir, owners);
    } catch (const Error& error) {
      throw Error(fmt::format("stage '{}': extract packages: {}", context.recipe.name, error.what()));
    }
  }
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
