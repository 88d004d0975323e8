#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace xstage::process {

// `xstage run`: a command tree in which every exec of a target program goes
// through an emulator, without root or binfmt_misc. The exec_redirect
// library (LD_PRELOAD) wraps the exec family in every dynamically linked
// program of the tree and hands target ELF programs to the emulator.

// The emulator script of an `xstage sysroot` export: DIR/emulator, or the
// one beside DIR when DIR is the export's sysroot/. Throws xstage::Error
// naming DIR when it has none.
std::filesystem::path export_emulator(const std::filesystem::path& dir);

// The exec_redirect library: beside `executable` (a build tree), else at
// `installed`. Throws xstage::Error naming both places when neither has it.
std::filesystem::path find_exec_redirect(const std::filesystem::path& executable,
                                         const std::filesystem::path& installed);

// What the tree's environment gains: LD_PRELOAD with `library` first (a
// preload already set stays after it) and XSTAGE_RUN_EMULATOR.
std::map<std::string, std::string> redirect_environment(const std::filesystem::path& library,
                                                        const std::filesystem::path& emulator,
                                                        const std::string& current_preload);

// Replaces this process with `argv` (looked up in PATH) and `env` set on top
// of the environment, started by env(1) so that an LD_PRELOAD in `env`
// applies to argv[0] itself. Returns only by throwing xstage::Error naming the
// command when it cannot be executed.
[[noreturn]] void exec_command(const std::vector<std::string>& argv,
                               const std::map<std::string, std::string>& env);

} // namespace xstage::process
