// xstage package [STAGE] --deb OUT: the stage's Debian package (its
// [package] section), built from the cached layer with Depends computed
// from the shlibs files of the sysroot's locked packages (package/).
#include <fmt/format.h>

#include "cli/build_setup.hpp"
#include "cli/commands.hpp"
#include "package/package_plan.hpp"
#include "util/atomic_file.hpp"
#include "util/digest.hpp"

namespace fs = std::filesystem;

namespace xstage::cli {

namespace {

struct PackageArguments {
  std::string stage;
  std::string deb;
  int jobs = 0;
  std::vector<std::string> sources;
};

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
    package::PackageSources sources{session.project.root, session.options.fetch};
    package::DebInputs inputs = package::plan_deb(session.project.pipeline, stage, session.keys,
                                                  *session.cache, sources, session.runner);
    inputs.strip = session.project.toolchain.strip;
    fs::path out = fs::absolute(args->deb);
    if (!out.parent_path().empty()) {
      fs::create_directories(out.parent_path());
    }
    package::write_deb(inputs, cache_home() / "staging", out, session.runner);
    fmt::print("wrote {}: {} {} {}, sha256 {}\n", args->deb, stage.package->name, stage.package->version,
               inputs.architecture, util::Digest::of_file(out).hex());
    fmt::print("  Depends: {}\n", inputs.depends.empty() ? "(none)" : inputs.depends);
  });
}

} // namespace xstage::cli
