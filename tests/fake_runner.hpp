#pragma once

#include <map>
#include <string>
#include <vector>

#include "process/spawn.hpp"

namespace xstage::test {

// Records the commands it is asked to run and answers from a table keyed by
// the joined command line; unknown commands exit 127.
class FakeRunner : public process::CommandRunner {
public:
  std::map<std::string, process::CommandResult> answers;
  std::vector<std::string> commands;

  using process::CommandRunner::run;
  process::CommandResult run(const process::Invocation& invocation) override {
    std::string line = process::quote_command(invocation.argv);
    commands.push_back(line);
    auto found = answers.find(line);
    return found == answers.end() ? process::CommandResult{127, "not found"} : found->second;
  }
};

// A runner that answers like Debian bookworm's aarch64 cross GCC 12.
inline FakeRunner bookworm_gcc() {
  FakeRunner runner;
  runner.answers["aarch64-linux-gnu-gcc --version"] = {
      0, "aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0\nCopyright\n"};
  runner.answers["aarch64-linux-gnu-g++ --version"] = {
      0, "aarch64-linux-gnu-g++ (Debian 12.2.0-14) 12.2.0\nCopyright\n"};
  runner.answers["aarch64-linux-gnu-gcc -dumpmachine"] = {0, "aarch64-linux-gnu\n"};
  runner.answers["aarch64-linux-gnu-g++ -dumpversion"] = {0, "12\n"};
  return runner;
}

} // namespace xstage::test
