// xstage package [STAGE] --deb OUT: the stage's Debian package (its
// [package] section), built from the cached layer with Depends computed
// from the shlibs files of the sysroot's locked packages (package/), and
// kept in the cache's packages/ by stage key and [package] section.
#include <fmt/format.h>

#include "cache/package_store.hpp"
#include "cli/build_setup.hpp"
#include "cli/commands.hpp"
#include "package/deb_control.hpp"
#include "package/deb_package.hpp"
#include "package/package_plan.hpp"
#include "util/atomic_file.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::cli {

namespace {

struct PackageArguments {
  std::string stage;
  std::string deb;
  int jobs = 0;
  std::vector<std::string> sources;
};

// dpkg-deb's --version line: another dpkg may lay a package out otherwise.
std::string dpkg_deb_version(process::CommandRunner& runner) {
  process::CommandResult result = runner.run(std::vector<std::string>{"dpkg-deb", "--version"});
  if (result.exit_code != 0) {
    throw xstage::Error(fmt::format("dpkg-deb --version failed (apt-get install dpkg): {}", result.output));
  }
  return result.output.substr(0, result.output.find('\n'));
}

} // namespace

void add_package_command(CLI::App& app, const GlobalOptions& options) {
  auto* command = app.add_subcommand(
      "package", "Write a Debian package of a stage (its [package] section) from its layer");
  auto args = std::make_shared<PackageArguments>();
  command->add_option("stage", args->stage,
                      "Stage with a [package] section (default: the pipeline's only one)");
  command->add_option("--deb", args->deb, "Write the .deb to this file")->required();
  command->add_option("-j,--jobs", args->jobs, "Parallel jobs per stage when a stage must be built");
  command->add_option("--sources", args->sources, "A local mirror directory of source archives (repeatable)")
      ->allow_extra_args(false);
  command->callback([&options, args] {
    util::refuse_special_target(args->deb); // before building: a device or link fails at once
    BuildSession session(options, args->jobs, args->sources);
    const recipe::Recipe& stage = package::package_stage(session.project.pipeline, args->stage);
    session.build_and_report({stage.name});
    // The bytes depend on the stage key and the [package] section only, so
    // a package is written once and then taken from the cache.
    const std::string& key = session.keys.at(stage.name).key;
    std::string spec = package::package_spec_digest(*stage.package, dpkg_deb_version(session.runner));
    cache::PackageStore store(session.cache->packages_dir());
    std::optional<fs::path> stored = store.find(key, spec);
    bool reused = stored.has_value();
    if (!stored) {
      package::PackageSources sources{session.project.root, session.options.fetch};
      package::DebInputs inputs = package::plan_deb(session.project.pipeline, stage, session.keys,
                                                    *session.cache, sources, session.runner);
      inputs.strip = session.project.toolchain.strip;
      fs::path staging = cache_home() / "staging";
      fs::create_directories(staging);
      fs::path fresh = staging / fmt::format("{}-{}.deb", key, spec);
      package::write_deb(inputs, staging, fresh, session.runner);
      stored = store.store(key, spec, fresh);
    }
    fs::path out = fs::absolute(args->deb);
    if (!out.parent_path().empty()) {
      fs::create_directories(out.parent_path());
    }
    util::copy_file_atomically(*stored, out);
    std::map<std::string, std::string> control = package::control_fields(*stored);
    fmt::print("wrote {}: {} {} {}, sha256 {}{}\n", args->deb, stage.package->name, stage.package->version,
               control["Architecture"], util::Digest::of_file(out).hex(),
               reused ? " (from the cache: the same stage key and [package] section)" : "");
    fmt::print("  Depends: {}\n", control["Depends"].empty() ? "(none)" : control["Depends"]);
  });
}

} // namespace xstage::cli
