// Stage keys: stable across checkouts and runs, moved by every single input.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "fake_runner.hpp"
#include "key/stage_key.hpp"
#include "test_support.hpp"

using namespace xstage;
using key::compute_keys;
using key::key_of;
using key::make_manifest;
using recipe::parse_recipe;
using recipe::Pipeline;

namespace {

// A configure-style recipe in which each test changes one thing.
std::string recipe_text(const std::string& sha256 = std::string(64, 'a'),
                        const std::string& args = "'--disable-doc'",
                        const std::string& description = "FFmpeg") {
  return fmt::format("[stage]\ndescription = '{}'\nbuilder = 'configure'\nparents = ['base']\n"
                     "[source]\nurl = 'https://e.org/f.tar.xz'\nsha256 = '{}'\n"
                     "[options]\nconfigure_args = [{}]\n",
                     description, sha256, args);
}

nlohmann::json toolchain_json(const std::string& c_version = "gcc 12.2.0", const std::string& ar = "ar") {
  return {{"cross", {{"binaries", {{"ar", ar}}}}}, {"c_version", c_version}, {"target", "aarch64-linux-gnu"}};
}

std::string key_for(const std::string& text, const nlohmann::json& toolchain = toolchain_json(),
                    const std::string& parent_key = std::string(64, '0'),
                    int format = key::k_recipe_format_version) {
  auto recipe = parse_recipe(text, "recipes/t/ffmpeg.ini");
  auto sources = key::source_digests(recipe, "/nonexistent");
  return key_of(make_manifest(recipe, sources, toolchain, {{"base", parent_key}}, format));
}

// Keys of the shipped demo pipeline computed from a checkout copied to `root`.
std::map<std::string, key::StageKey> demo_keys(const std::filesystem::path& root) {
  auto toolchain = toolchain::load_toolchain({root / "cross" / "aarch64.ini"});
  auto runner = test::bookworm_gcc();
  return compute_keys(Pipeline::load(root, "demo"), toolchain::fingerprint(toolchain, runner), root);
}

} // namespace

TEST_CASE("keys are 64 hex digits and repeat across runs", "[stage_key]") {
  CHECK(key_for(recipe_text()).size() == 64);
  CHECK(key_for(recipe_text()) == key_for(recipe_text()));
}

TEST_CASE("keys are identical from checkouts at different paths", "[stage_key]") {
  auto first = test::make_temp_dir("checkout-a");
  auto second = test::make_temp_dir("elsewhere") / "deeper" / "checkout-b";
  test::copy_checkout(first);
  test::copy_checkout(second);
  auto a = demo_keys(first);
  auto b = demo_keys(second);
  REQUIRE(a.size() == 4);
  for (const auto& [stage, stage_key] : a) {
    CHECK(stage_key.key == b.at(stage).key);
  }
}

TEST_CASE("the recipe-format version moves the key", "[stage_key]") {
  CHECK(key_for(recipe_text(), toolchain_json(), std::string(64, '0'), key::k_recipe_format_version + 1) !=
        key_for(recipe_text()));
}

TEST_CASE("recipe content moves the key", "[stage_key]") {
  CHECK(key_for(recipe_text(std::string(64, 'a'), "'--disable-doc'", "FFmpeg 6")) != key_for(recipe_text()));
}

TEST_CASE("a source digest moves the key", "[stage_key]") {
  CHECK(key_for(recipe_text(std::string(63, 'a') + "b")) != key_for(recipe_text()));
}

TEST_CASE("a git commit moves the key", "[stage_key]") {
  auto text = [](char digit) {
    return fmt::format("[stage]\ndescription = 'x'\nbuilder = 'cmake'\n[source]\n"
                       "git = 'https://e.org/a.git'\ncommit = '{}'\n",
                       std::string(40, digit));
  };
  CHECK(key_for(text('1')) != key_for(text('2')));
}

TEST_CASE("an option moves the key, and argument boundaries count", "[stage_key]") {
  CHECK(key_for(recipe_text(std::string(64, 'a'), "'--enable-gpl'")) != key_for(recipe_text()));
  CHECK(key_for(recipe_text(std::string(64, 'a'), "'-I', '-O2'")) !=
        key_for(recipe_text(std::string(64, 'a'), "'-I-O2'")));
}

TEST_CASE("a cross-file value moves the key", "[stage_key]") {
  CHECK(key_for(recipe_text(), toolchain_json("gcc 12.2.0", "llvm-ar")) != key_for(recipe_text()));
}

TEST_CASE("the compiler's version moves the key", "[stage_key]") {
  CHECK(key_for(recipe_text(), toolchain_json("gcc 12.3.0")) != key_for(recipe_text()));
}

TEST_CASE("a parent's key moves the key", "[stage_key]") {
  CHECK(key_for(recipe_text(), toolchain_json(), std::string(64, '1')) != key_for(recipe_text()));
}

TEST_CASE("a file of a path source moves the key", "[stage_key]") {
  auto root = test::make_temp_dir("checkout");
  test::copy_checkout(root);
  auto before = demo_keys(root);
  test::write_file(root / "examples" / "framegrab" / "src" / "main.cpp", "// changed\n");
  auto after = demo_keys(root);
  CHECK(after.at("app").key != before.at("app").key);
  CHECK(after.at("ffmpeg").key == before.at("ffmpeg").key);
  CHECK(after.at("base").key == before.at("base").key);
}

TEST_CASE("a parent's change reaches its children", "[stage_key]") {
  auto root = test::make_temp_dir("checkout");
  test::copy_checkout(root);
  auto before = demo_keys(root);
  auto base = test::read_file(root / "recipes" / "demo" / "base.ini");
  auto packages = base.find("packages = [");
  REQUIRE(packages != std::string::npos);
  base.insert(packages + 12, "'libzstd-dev', ");
  test::write_file(root / "recipes" / "demo" / "base.ini", base);
  std::filesystem::remove(root / "recipes" / "demo" /
                          "base.lock"); // it would be stale; unlocked, the list is the input
  auto after = demo_keys(root);
  CHECK(after.at("base").key != before.at("base").key);
  CHECK(after.at("ffmpeg").key != before.at("ffmpeg").key);
  CHECK(after.at("app").key != before.at("app").key);
}

TEST_CASE("whitespace and comment edits leave the key unchanged", "[stage_key]") {
  std::string edited = "# FFmpeg for the demo\n\n" + recipe_text();
  auto at = edited.find("builder = ");
  edited.replace(at, 10, "builder   =   ");
  edited += "\n; trailing comment\n\n";
  auto args = edited.find("configure_args = [");
  edited.replace(args, 18, "configure_args = [  # the flags\n    ");
  CHECK(key_for(edited) == key_for(recipe_text()));
}

TEST_CASE("a path source's links must stay inside its tree, and are never followed", "[stage_key]") {
  auto root = test::make_temp_dir("project");
  test::write_file(root / "src" / "a.txt", "a");
  auto recipe = parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'cmake'\n[source]\npath = 'src'\n",
                             "recipes/t/app.ini");
  std::filesystem::create_symlink("a.txt", root / "src" / "inner");
  auto files = key::source_digests(recipe, root)["main"]["files"];
  CHECK(files["inner"] == "-> a.txt");

  std::filesystem::create_symlink("/etc", root / "src" / "etc");
  REQUIRE_THROWS_WITH(
      key::source_digests(recipe, root),
      Catch::StartsWith("recipes/t/app.ini:4:1: path source 'src': the link etc -> /etc points "
                        "outside the source tree"));
  std::filesystem::remove(root / "src" / "etc");
  std::filesystem::create_symlink("../../x", root / "src" / "up");
  REQUIRE_THROWS_WITH(key::source_digests(recipe, root),
                      Catch::Contains("the link up -> ../../x points outside"));
  std::filesystem::remove(root / "src" / "up");
  // A loop is a link like any other: its text is hashed, nothing follows it.
  std::filesystem::create_symlink("loop", root / "src" / "loop");
  CHECK(key::source_digests(recipe, root)["main"]["files"]["loop"] == "-> loop");
}

TEST_CASE("a path source that resolves outside the project is refused", "[stage_key]") {
  auto root = test::make_temp_dir("project");
  std::filesystem::create_directories(root / "examples");
  std::filesystem::create_symlink("/etc", root / "examples" / "app");
  auto recipe =
      parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'cmake'\n[source]\npath = 'examples/app'\n",
                   "recipes/t/app.ini");
  REQUIRE_THROWS_WITH(
      key::source_digests(recipe, root),
      Catch::StartsWith("recipes/t/app.ini:4:1: path source 'examples/app': resolves to /etc, "
                        "outside the project"));
}
