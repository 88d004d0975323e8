#include "test_support.hpp"

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <sys/wait.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace xstage::test {

namespace {

pid_t g_owner = 0; // the test process, not a child that forked from it

// Every run's scratch goes at exit (1.1 GB of images, archives and caches
// per run otherwise piles up in /tmp); XSTAGE_KEEP_TEST_DIRS=1 keeps it to
// look at a failure.
void remove_run_root();

// Never destroyed, so the exit handler can still read it.
const fs::path* g_root = nullptr;

fs::path run_root() {
  static const fs::path* root = [] {
    auto* path = new fs::path(fs::temp_directory_path() / ("xstage-tests-" + std::to_string(::getpid())));
    fs::remove_all(*path);
    fs::create_directories(*path);
    g_root = path;
    if (std::getenv("XSTAGE_KEEP_TEST_DIRS") == nullptr) {
      g_owner = ::getpid();
      std::atexit(remove_run_root);
    }
    return path;
  }();
  return *root;
}

void remove_run_root() {
  if (::getpid() == g_owner && g_root != nullptr) {
    std::error_code ignored;
    fs::remove_all(*g_root, ignored);
  }
}

} // namespace

fs::path make_temp_dir(std::string_view name) {
  static std::atomic<int> counter{0};
  fs::path path = run_root() / (std::string(name) + "-" + std::to_string(counter++));
  fs::create_directories(path);
  return path;
}

void write_file(const fs::path& path, std::string_view content) {
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path());
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) {
    throw std::runtime_error("cannot write " + path.string());
  }
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

fs::path source_root() {
  const char* root = std::getenv("XSTAGE_SOURCE_ROOT");
  if (root == nullptr) {
    throw std::runtime_error("XSTAGE_SOURCE_ROOT is not set; run the tests through meson test");
  }
  return root;
}

void copy_checkout(const fs::path& destination) {
  const fs::path root = source_root();
  fs::create_directories(destination);
  for (const char* part : {"cross", "recipes", "examples"}) {
    if (fs::exists(root / part)) {
      fs::copy(root / part, destination / part, fs::copy_options::recursive);
    }
  }
}

Run run(const std::string& command) {
  Run result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    throw std::runtime_error("cannot run: " + command);
  }
  std::array<char, 4096> buffer{};
  while (std::size_t got = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
    result.output.append(buffer.data(), got);
  }
  int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

bool have_tool(const std::string& name) {
  return run("command -v " + name).status == 0;
}

} // namespace xstage::test
