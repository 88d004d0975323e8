#pragma once

#include <CLI/CLI.hpp>

#include "cli/project.hpp"

namespace xstage::cli {

// Each command adds its subcommand to `app`; its callback runs the command and
// may throw xstage::Error, which cli::run reports. Commands only read
// `options` once parsing is done.
void add_key_command(CLI::App& app, const GlobalOptions& options);
void add_keygen_command(CLI::App& app, const GlobalOptions& options);
void add_plan_command(CLI::App& app, const GlobalOptions& options);
void add_build_command(CLI::App& app, const GlobalOptions& options);
void add_explain_command(CLI::App& app, const GlobalOptions& options);
void add_sysroot_command(CLI::App& app, const GlobalOptions& options);
void add_run_command(CLI::App& app, const GlobalOptions& options);
void add_debian_source_command(CLI::App& app, const GlobalOptions& options);
void add_lock_command(CLI::App& app, const GlobalOptions& options);
void add_cache_command(CLI::App& app, const GlobalOptions& options);
void add_image_command(CLI::App& app, const GlobalOptions& options);
void add_package_command(CLI::App& app, const GlobalOptions& options);
// `cache push` and `cache pull`, under the `cache` subcommand.
void add_cache_remote_commands(CLI::App* cache, const GlobalOptions& options);

} // namespace xstage::cli
