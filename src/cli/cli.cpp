#include "cli/cli.hpp"

#include <cstdio>

#include <filesystem>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "key/stage_key.hpp"
#include "process/interrupt.hpp"
#include "util/error.hpp"
#include "util/umask.hpp"

namespace xstage::cli {

namespace {

using AddCommand = void (*)(CLI::App&, const GlobalOptions&);

// Every subcommand, in the order `xstage --help` lists them.
constexpr AddCommand k_commands[] = {
    add_plan_command,    add_build_command,   add_key_command,   add_keygen_command,
    add_explain_command, add_sysroot_command, add_run_command,   add_debian_source_command,
    add_lock_command,    add_cache_command,   add_image_command, add_package_command,
};

} // namespace

int run(int argc, char** argv) {
  process::install_interrupt_handler();
  util::set_build_umask();
  CLI::App app{"xstage: cross-compile staged builds for aarch64 Linux, cached by content key"};
  app.require_subcommand(1);
  GlobalOptions options;
  app.add_option("--root", options.root, "Project root (default: found from the current directory)");
  app.add_option("--pipeline", options.pipeline, "Pipeline under recipes/")->capture_default_str();
  app.add_option("--cross-file", options.cross_files,
                 "Cross file(s), layered in order (default: cross/aarch64.ini)")
      ->allow_extra_args(false);
  app.add_option("--cache", options.cache, "Stage cache directory (default: ~/.cache/xstage/cache)");
  app.add_option("-D", options.defines, "Set a pipeline option: -D NAME=VALUE (repeatable; see xstage plan)")
      ->allow_extra_args(false);
  app.set_version_flag(
      "--version", fmt::format("xstage {} (recipe format {})", XSTAGE_VERSION, key::k_recipe_format_version));
  // Global options may also follow the subcommand, as with git, cargo and meson.
  app.fallthrough();
  for (AddCommand add : k_commands) {
    add(app, options);
  }
  for (CLI::App* command : app.get_subcommands({})) {
    command->fallthrough();
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  } catch (const Error& error) {
    std::fflush(stdout);
    fmt::print(stderr, "xstage: error: {}\n", error.what());
    return 1;
  } catch (const std::filesystem::filesystem_error& error) {
    // A last resort: code that touches files reports failures in its own
    // words; any that escapes still names the operation, path and reason.
    std::fflush(stdout);
    std::string operation = error.what();
    if (auto colon = operation.find(": "); colon != std::string::npos) {
      operation = operation.substr(colon + 2); // "cannot remove: Directory not empty [p]"
    }
    operation = operation.substr(0, operation.find(':'));
    fmt::print(stderr, "xstage: error: {} {}{}: {}\n", operation, error.path1().string(),
               error.path2().empty() ? "" : " to " + error.path2().string(), error.code().message());
    return 1;
  } catch (const std::exception& error) {
    std::fflush(stdout);
    fmt::print(stderr, "xstage: error: {}\n", error.what());
    return 1;
  }
  return 0;
}

} // namespace xstage::cli
