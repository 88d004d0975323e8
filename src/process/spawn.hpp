#pragma once

#include <filesystem>
#include <map>
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

// A command and where it runs.
struct Invocation {
  std::vector<std::string> argv;
  std::filesystem::path cwd;              // empty: the caller's
  std::map<std::string, std::string> env; // set on top of the caller's environment
  std::filesystem::path log;              // non-empty: output is appended here, not captured
};

// Runs commands. Core code takes this interface rather than spawning itself,
// so tests can substitute a fake that records what it was asked to run.
class CommandRunner {
public:
  virtual ~CommandRunner() = default;

  // Runs argv[0] (looked up in PATH) in `cwd` with `env` added, waits for it
  // and returns its exit code, and its output unless it went to `log`.
  // Throws xstage::Error only when the command cannot be started at all.
  virtual CommandResult run(const Invocation& invocation) = 0;

  // Runs argv in the current directory and environment, capturing output.
  CommandResult run(const std::vector<std::string>& argv) { return run(Invocation{argv, {}, {}, {}}); }
};

// The real runner: posix_spawnp with a pipe (or the log file) for the child's
// output and standard input from /dev/null.
class SpawnRunner : public CommandRunner {
public:
  using CommandRunner::run;
  CommandResult run(const Invocation& invocation) override;
};

// "cmd arg1 'arg 2'": a command line as a user would type it, for messages.
std::string quote_command(const std::vector<std::string>& argv);

// `text` in single quotes for a POSIX shell, each ' written as '\''; what
// quote_command() does to a word that needs quoting.
std::string shell_quote(const std::string& text);

} // namespace xstage::process
