#pragma once

#include <string>
#include <vector>

namespace xstage::process {

// What a finished command left behind.
struct CommandResult {
  // The exit status, or 128 + signal number when the child was killed.
  int exit_code = 0;
  // Standard output and standard error, interleaved as written.
  std::string output;
};

// Runs commands. Core code takes this interface rather than spawning itself,
// so tests can substitute a fake that records what it was asked to run.
class CommandRunner {
public:
  virtual ~CommandRunner() = default;

  // Runs argv[0] (looked up in PATH) with the given arguments, waits for it
  // and returns its exit code and output. Throws xstage::Error only when the
  // command cannot be started at all.
  virtual CommandResult run(const std::vector<std::string>& argv) = 0;
};

// The real runner: posix_spawnp with a pipe for the child's output.
class SpawnRunner : public CommandRunner {
public:
  CommandResult run(const std::vector<std::string>& argv) override;
};

// "cmd arg1 'arg 2'": a command line as a user would type it, for messages.
std::string quote_command(const std::vector<std::string>& argv);

} // namespace xstage::process
