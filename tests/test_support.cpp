#include "test_support.hpp"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

namespace fs = std::filesystem;

namespace xstage::test {

namespace {

fs::path run_root() {
  static const fs::path root = [] {
    fs::path path = fs::temp_directory_path() / ("xstage-tests-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
    return path;
  }();
  return root;
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

} // namespace xstage::test
