// xstage run [--sysroot DIR] -- COMMAND...: COMMAND with every exec of a
// target program in its tree handed to the emulator of an `xstage sysroot`
// export, so `make check`, ctest and libtool's wrapper scripts run aarch64
// test programs without root or binfmt_misc.
#include <cstdlib>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "process/foreign_exec.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::cli {

namespace {

std::string environment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

} // namespace

void add_run_command(CLI::App& app, const GlobalOptions&) {
  auto* command = app.add_subcommand(
      "run", "Run a command in which every exec of a target program goes through qemu with a sysroot");
  auto sysroot = std::make_shared<std::string>();
  auto argv = std::make_shared<std::vector<std::string>>();
  command->add_option("--sysroot", *sysroot, "A directory `xstage sysroot` wrote (default: $XSTAGE_SYSROOT)");
  command->add_option("command", *argv, "The command and its arguments, after --")->required();
  command->callback([sysroot, argv] {
    std::string dir = sysroot->empty() ? environment("XSTAGE_SYSROOT") : *sysroot;
    if (dir.empty()) {
      throw Error("xstage run needs a sysroot: --sysroot DIR (a directory `xstage sysroot` wrote) or "
                  "XSTAGE_SYSROOT, which its configure.env sets");
    }
    fs::path emulator = process::export_emulator(fs::absolute(dir));
    fs::path library =
        process::find_exec_redirect(fs::read_symlink("/proc/self/exe"), XSTAGE_EXEC_REDIRECT_DIR);
    process::exec_command(*argv, process::redirect_environment(library, emulator, environment("LD_PRELOAD")));
  });
}

} // namespace xstage::cli
