#include "process/foreign_exec.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <unistd.h>

#include <fmt/format.h>

#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::process {

namespace {

constexpr const char* k_library_name = "libxstage-exec-redirect.so";

} // namespace

fs::path export_emulator(const fs::path& dir) {
  for (const fs::path& candidate : {dir / "emulator", dir.parent_path() / "emulator"}) {
    if (fs::is_regular_file(candidate)) {
      return fs::absolute(candidate);
    }
  }
  throw Error(fmt::format("{} has no emulator script: give the directory `xstage sysroot` wrote "
                          "(--sysroot DIR or XSTAGE_SYSROOT)",
                          dir.string()));
}

fs::path find_exec_redirect(const fs::path& executable, const fs::path& installed) {
  fs::path beside = executable.parent_path() / k_library_name;
  for (const fs::path& candidate : {beside, installed / k_library_name}) {
    if (fs::is_regular_file(candidate)) {
      return candidate;
    }
  }
  throw Error(fmt::format("xstage's exec redirection library is neither at {} nor at {}; reinstall xstage",
                          beside.string(), (installed / k_library_name).string()));
}

std::map<std::string, std::string> redirect_environment(const fs::path& library, const fs::path& emulator,
                                                        const std::string& current_preload) {
  std::string preload = library.string();
  if (!current_preload.empty()) {
    preload += ":" + current_preload;
  }
  return {{"LD_PRELOAD", preload}, {"XSTAGE_RUN_EMULATOR", emulator.string()}};
}

void exec_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  if (argv.empty()) {
    throw Error("no command to run: give it after --, as in xstage run -- make check");
  }
  for (const auto& [name, value] : env) {
    setenv(name.c_str(), value.c_str(), 1);
  }
  // Through env, which the library is loaded into: the command itself may be
  // a target program.
  std::vector<char*> args = {const_cast<char*>("env"), const_cast<char*>("--")};
  for (const std::string& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  execvp(args[0], args.data());
  throw Error(fmt::format("cannot run {}: {}", argv[0], std::strerror(errno)));
}

} // namespace xstage::process
