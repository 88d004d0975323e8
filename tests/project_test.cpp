// Finding the project root and the cache home from explicit paths and
// environment values, and loading a project.
#include <catch2/catch.hpp>

#include <filesystem>

#include "project/locations.hpp"
#include "project/project.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using namespace xstage;
namespace fs = std::filesystem;

namespace {

// A directory with the files that make a project root.
fs::path make_project(const fs::path& dir) {
  test::write_file(dir / "cross/aarch64.ini", "");
  fs::create_directories(dir / "recipes");
  return dir;
}

} // namespace

TEST_CASE("the project root is found from a subdirectory", "[project]") {
  fs::path root = make_project(test::make_temp_dir("project-from-subdir"));
  fs::create_directories(root / "recipes/demo/sources");
  CHECK(project::find_project_root(root / "recipes/demo/sources", "") == root);
  CHECK(project::find_project_root(root, "") == root);
}

TEST_CASE("an explicit root is taken relative to the start directory", "[project]") {
  fs::path dir = test::make_temp_dir("project-explicit");
  make_project(dir / "checkout");
  CHECK(project::find_project_root(dir, "checkout") == dir / "checkout");
  CHECK(project::find_project_root(fs::path("/"), (dir / "checkout").string()) == dir / "checkout");
}

TEST_CASE("an explicit root without the project files is refused, naming it", "[project]") {
  fs::path dir = test::make_temp_dir("project-explicit-bad");
  make_project(dir);
  fs::create_directories(dir / "recipes/demo");
  CHECK_THROWS_WITH(project::find_project_root(dir, "recipes/demo"),
                    "recipes/demo is not an xstage project (no cross/aarch64.ini and recipes/)");
}

TEST_CASE("no project root above the start directory names it and the files looked for", "[project]") {
  fs::path dir = test::make_temp_dir("project-none");
  fs::create_directories(dir / "src");
  test::write_file(dir / "cross/aarch64.ini", ""); // recipes/ missing: not a root
  CHECK_THROWS_WITH(project::find_project_root(dir / "src", ""),
                    "no xstage project at or above " + (dir / "src").string() +
                        " (looked for cross/aarch64.ini and recipes/); pass --root");
}

TEST_CASE("the cache home is under XDG_CACHE_HOME when it is set", "[project]") {
  CHECK(project::cache_home("/xdg", "/home/u") == fs::path("/xdg/xstage"));
  CHECK(project::cache_home("/xdg", nullptr) == fs::path("/xdg/xstage"));
}

TEST_CASE("the cache home is under HOME when XDG_CACHE_HOME is unset or empty", "[project]") {
  CHECK(project::cache_home(nullptr, "/home/u") == fs::path("/home/u/.cache/xstage"));
  CHECK(project::cache_home("", "/home/u") == fs::path("/home/u/.cache/xstage"));
}

TEST_CASE("without XDG_CACHE_HOME and HOME there is no cache home", "[project]") {
  CHECK_THROWS_WITH(project::cache_home(nullptr, nullptr),
                    "neither XDG_CACHE_HOME nor HOME is set; pass --cache");
  CHECK_THROWS_WITH(project::cache_home("", ""), "neither XDG_CACHE_HOME nor HOME is set; pass --cache");
}

TEST_CASE("a project loads the pipeline named, over the default cross file", "[project]") {
  project::Project loaded = project::load_project(test::source_root(), {}, "demo", {});
  CHECK(loaded.root == test::source_root());
  CHECK(loaded.pipeline.name() == "demo");
  CHECK(loaded.toolchain.files == std::vector<fs::path>{test::source_root() / "cross/aarch64.ini"});
}

// Errors quote the line they are about, so a link to a secret would print it.
TEST_CASE("recipe files and the cross file that link out of the checkout are refused unread", "[project]") {
  fs::path dir = test::make_temp_dir("links-out");
  test::write_file(dir / "secret", "[stage]\ntoken = 'do not print'\n");
  fs::path root = make_project(dir / "checkout");
  fs::create_directories(root / "recipes/p");
  fs::create_symlink(dir / "secret", root / "recipes/p/base.ini");
  CHECK_THROWS_WITH(
      project::load_project(root, {fs::path(test::source_root() / "cross/aarch64.ini")}, "p", {}),
      "recipes/p/base.ini is a symlink out of the project (to " + (dir / "secret").string() +
          "); refusing to read it");
  fs::remove(root / "recipes/p/base.ini");
  fs::create_symlink("../../secret.ini", root / "recipes/p/inside.ini"); // dangling but inside: not refused
  fs::remove(root / "cross/aarch64.ini");
  fs::create_symlink(dir / "secret", root / "cross/aarch64.ini");
  CHECK_THROWS_WITH(project::load_project(root, {}, "p", {}),
                    "cross/aarch64.ini is a symlink out of the project (to " + (dir / "secret").string() +
                        "); refusing to read it");
}
