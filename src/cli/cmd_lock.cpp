// xstage lock [STAGE...]: pins each debian stage's packages, resolved in
// Debian's archive today, in recipes/<pipeline>/<stage>.lock.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/console_status.hpp"
#include "cli/project.hpp"
#include "key/explain.hpp"
#include "key/stage_key.hpp"
#include "process/spawn.hpp"
#include "source/debian_packages.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::cli {

namespace {

std::string option_or(const recipe::Recipe& recipe, const std::string& name, const std::string& fallback) {
  auto found = recipe.options.find(name);
  return found == recipe.options.end() ? fallback : found->second.as_string();
}

// The architecture a stage installs: its option, else the build machine's
// for a native stage, else arm64 (the debian builder's own rule).
std::string architecture_of(const recipe::Recipe& recipe, process::CommandRunner& runner) {
  std::string architecture = option_or(recipe, "architecture", "");
  if (!architecture.empty() || !recipe.is_native()) {
    return architecture.empty() ? "arm64" : architecture;
  }
  process::CommandResult result = runner.run({"dpkg", "--print-architecture"});
  architecture = result.output.substr(0, result.output.find('\n'));
  if (result.exit_code != 0 || architecture.empty()) {
    throw Error(fmt::format("stage '{}': cannot tell the build machine's architecture (dpkg "
                            "--print-architecture: {}); set architecture in [options]",
                            recipe.name, result.output));
  }
  return architecture;
}

std::vector<const recipe::Recipe*> stages_to_lock(const recipe::Pipeline& pipeline,
                                                  const std::vector<std::string>& names) {
  std::vector<const recipe::Recipe*> stages;
  for (const std::string& name : names) {
    const recipe::Recipe& recipe = pipeline.stage(name);
    if (recipe.builder != "debian") {
      throw Error(
          fmt::format("stage '{}' is built by '{}': only debian stages have a lock", name, recipe.builder));
    }
    stages.push_back(&recipe);
  }
  if (names.empty()) {
    for (const recipe::Recipe& recipe : pipeline.stages()) {
      if (recipe.builder == "debian") {
        stages.push_back(&recipe);
      }
    }
  }
  if (stages.empty()) {
    throw Error(fmt::format("pipeline '{}' has no debian stages to lock", pipeline.name()));
  }
  return stages;
}

// `xstage lock --check`: what has changed in the archive since each lock was
// written, printed; nothing is written, and findings are not errors (only
// failing to ask the archive is).
void report_lock_check(const recipe::Recipe& recipe, const std::string& display,
                       const source::LockCheck& check) {
  if (check.newer.empty() && check.gone.empty() && check.added.empty() && check.dropped.empty()) {
    fmt::print("{}: {} is current ({} packages)\n", recipe.name, display, check.current.packages.size());
    return;
  }
  auto list = [&](const std::vector<std::string>& items, const char* what) {
    if (!items.empty()) {
      fmt::print("{}: {} {}:\n", recipe.name, counted(items.size(), "package"), what);
      for (const std::string& item : items) {
        fmt::print("  {}\n", item);
      }
    }
  };
  list(check.newer, "have newer versions in the archive");
  list(check.gone, "locked at versions the archive's index no longer lists (their .debs will leave the "
                   "mirror, and a fresh machine will fail to build the stage)");
  list(check.added, "would be added by a re-lock");
  list(check.dropped, "would be dropped by a re-lock");
  fmt::print("{}: re-lock with `xstage lock {}`\n", recipe.name, recipe.name);
}

} // namespace

void add_lock_command(CLI::App& app, const GlobalOptions& options) {
  auto* command = app.add_subcommand(
      "lock",
      "Pin each debian stage's packages (versions and .deb SHA-256) in recipes/<pipeline>/<stage>.lock");
  auto stages = std::make_shared<std::vector<std::string>>();
  command->add_option("stages", *stages, "Stages to lock (default: every debian stage)");
  auto check_only = std::make_shared<bool>(false);
  command->add_flag(
      "--check", *check_only,
      "Write nothing: say which locked packages have newer versions in the suite and its pockets, "
      "and which the archive no longer lists");
  command->callback([&options, stages, check_only] {
    Project project = load_project(options);
    auto mirror = source::debian_mirror();
    if (!mirror) {
      throw Error("the machine's apt configuration (/etc/apt) names no Debian mirror to resolve packages in");
    }
    process::SpawnRunner runner;
    source::DebianArchive archive(cache_home() / "apt", *mirror, runner);
    for (const recipe::Recipe* recipe : stages_to_lock(project.pipeline, *stages)) {
      std::string suite = option_or(*recipe, "suite", "bookworm");
      std::string architecture = architecture_of(*recipe, runner);
      std::vector<std::string> packages = recipe->string_list("packages");
      std::string pockets;
      for (const source::AptEntry& pocket : source::debian_pockets(suite)) {
        pockets += fmt::format(" + {} at {}", pocket.suite, pocket.uri);
      }
      fmt::print("{}: resolving {} packages in Debian {} {} at {}{}...\n", recipe->name, packages.size(),
                 suite, architecture, *mirror, pockets);
      std::fflush(stdout);
      std::string display = fmt::format("recipes/{}/{}.lock", project.pipeline.name(), recipe->name);
      if (*check_only) {
        if (!recipe->lock) {
          fmt::print("{}: no lock ({} does not exist)\n", recipe->name, display);
          continue;
        }
        report_lock_check(*recipe, display, source::check_lock(archive, runner, *recipe->lock, packages));
        continue;
      }
      recipe::DebianLock lock = source::resolve_packages(archive, runner, suite, architecture, packages);
      std::string text = recipe::format_debian_lock(lock, recipe->name);
      // What is written must read back: the same checks a build makes.
      lock = recipe::parse_debian_lock(text, display);
      std::vector<std::string> changes = recipe->lock
                                             ? key::explain_changes({{"lock", key::lock_json(*recipe->lock)}},
                                                                    {{"lock", key::lock_json(lock)}})
                                             : std::vector<std::string>{};
      util::write_file_atomically(project.root / display, text);
      if (!recipe->lock) {
        fmt::print("{}: {} packages locked in {}\n", recipe->name, lock.packages.size(), display);
      } else if (changes.empty()) {
        fmt::print("{}: {} packages locked in {}, unchanged\n", recipe->name, lock.packages.size(), display);
      } else {
        fmt::print("{}: {} packages locked in {}, {} changed:\n", recipe->name, lock.packages.size(), display,
                   changes.size());
        for (const std::string& change : changes) {
          fmt::print("  {}\n", change);
        }
      }
    }
  });
}

} // namespace xstage::cli
