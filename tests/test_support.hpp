#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace xstage::test {

// A fresh, empty directory for one test under a per-run root in the system
// temp directory. Tests get paths passed explicitly and never chdir, so they
// can run in parallel.
std::filesystem::path make_temp_dir(std::string_view name);

// Writes `content` to `path`, creating parent directories.
void write_file(const std::filesystem::path& path, std::string_view content);

// Reads a whole file.
std::string read_file(const std::filesystem::path& path);

// The project's source root (XSTAGE_SOURCE_ROOT, set by meson test).
std::filesystem::path source_root();

// Copies the project's cross/ and recipes/ trees under `destination`, to act
// as a second checkout at another path.
void copy_checkout(const std::filesystem::path& destination);

// What a shell command printed (stdout and stderr) and its exit status.
struct Run {
  int status = -1;
  std::string output;
};

// Runs `command` through /bin/sh, capturing stdout and stderr together.
Run run(const std::string& command);

// True when `name` is a command on PATH.
bool have_tool(const std::string& name);

} // namespace xstage::test
