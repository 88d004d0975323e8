// The pipeline DAG: build order, unknown parents, cycles and the real pipelines.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "recipe/pipeline.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using xstage::Error;
using xstage::recipe::parse_recipe;
using xstage::recipe::Pipeline;
using xstage::recipe::Recipe;

namespace {

Recipe stage(const std::string& name, const std::string& parents) {
  return parse_recipe(fmt::format("[stage]\ndescription = '{}'\nbuilder = 'debian'\nparents = [{}]\n"
                                  "[options]\npackages = ['libc6']\n",
                                  name, parents),
                      "recipes/t/" + name + ".ini");
}

std::vector<std::string> order(const Pipeline& pipeline) {
  std::vector<std::string> names;
  for (const auto& recipe : pipeline.stages()) {
    names.push_back(recipe.name);
  }
  return names;
}

} // namespace

TEST_CASE("stages come in build order, ties by name", "[pipeline]") {
  auto pipeline = Pipeline::from_recipes("t", {stage("app", "'ffmpeg', 'qt'"), stage("qt", "'base'"),
                                               stage("ffmpeg", "'base'"), stage("base", "")});
  CHECK(order(pipeline) == std::vector<std::string>{"base", "ffmpeg", "qt", "app"});
}

TEST_CASE("an unknown parent is located at the parents line", "[pipeline]") {
  REQUIRE_THROWS_MATCHES(
      Pipeline::from_recipes("t", {stage("base", ""), stage("app", "'bsae'")}), Error,
      Catch::Message("recipes/t/app.ini:4:1: unknown parent 'bsae' of stage 'app'; did you mean "
                     "'base'?\n"
                     "parents = ['bsae']\n"
                     "^"));
}

TEST_CASE("a cycle names every stage around it", "[pipeline]") {
  REQUIRE_THROWS_MATCHES(
      Pipeline::from_recipes("t", {stage("a", "'c'"), stage("b", "'a'"), stage("c", "'b'")}), Error,
      Catch::Message("recipes/t/b.ini:4:1: dependency cycle: a -> c -> b -> a\nparents = ['a']\n^"));
}

TEST_CASE("a stage that is its own parent is a cycle", "[pipeline]") {
  REQUIRE_THROWS_WITH(Pipeline::from_recipes("t", {stage("a", "'a'")}),
                      Catch::StartsWith("recipes/t/a.ini:4:1: dependency cycle: a -> a"));
}

TEST_CASE("closure adds ancestors in build order", "[pipeline]") {
  auto pipeline = Pipeline::from_recipes(
      "t", {stage("app", "'ffmpeg'"), stage("qt", "'base'"), stage("ffmpeg", "'base'"), stage("base", "")});
  std::vector<std::string> names;
  for (const Recipe* recipe : pipeline.closure({"app"})) {
    names.push_back(recipe->name);
  }
  CHECK(names == std::vector<std::string>{"base", "ffmpeg", "app"});
}

TEST_CASE("an unknown stage gets a suggestion", "[pipeline]") {
  auto pipeline = Pipeline::from_recipes("t", {stage("base", ""), stage("ffmpeg", "'base'")});
  REQUIRE_THROWS_MATCHES(
      pipeline.stage("ffmepg"), Error,
      Catch::Message("unknown stage 'ffmepg' in pipeline 't'; did you mean 'ffmpeg'?; stages: "
                     "base, ffmpeg"));
}

TEST_CASE("an unknown pipeline lists the known ones", "[pipeline]") {
  REQUIRE_THROWS_MATCHES(
      Pipeline::load(xstage::test::source_root(), "dmeo"), Error,
      Catch::Message("unknown pipeline 'dmeo' (no directory recipes/dmeo); did you mean 'demo'?; "
                     "pipelines: demo, openterface"));
}

TEST_CASE("the shipped demo pipeline loads", "[pipeline]") {
  auto pipeline = Pipeline::load(xstage::test::source_root(), "demo");
  CHECK(order(pipeline) == std::vector<std::string>{"base", "ffmpeg", "app", "runtime"});
}

TEST_CASE("the shipped openterface pipeline loads", "[pipeline]") {
  auto pipeline = Pipeline::load(xstage::test::source_root(), "openterface");
  CHECK(order(pipeline) == std::vector<std::string>{"base", "ffmpeg", "qt_host", "qtbase", "qthttpserver",
                                                    "qtshadertools", "qtmultimedia", "qtserialport", "qtsvg",
                                                    "qttools", "openterface", "runtime"});
}

TEST_CASE("an image's unknown runtime stage is located at its runtime line", "[pipeline]") {
  Recipe app = parse_recipe("[stage]\ndescription = 'app'\nbuilder = 'debian'\n[options]\npackages = ['x']\n"
                            "[image]\nentrypoint = ['/app']\nruntime = ['runtim']\n",
                            "recipes/t/app.ini");
  REQUIRE_THROWS_MATCHES(
      Pipeline::from_recipes("t", {stage("runtime", ""), app}), Error,
      Catch::Message("recipes/t/app.ini:8:1: unknown runtime stage 'runtim' in the image of "
                     "stage 'app'; did you mean 'runtime'?\nruntime = ['runtim']\n^"));
}
