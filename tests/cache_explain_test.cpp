// Where a stage's key stands in the cache: cached, never built, or changed
// since the newest cached build, with the inputs that changed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "cache/explain.hpp"
#include "layer/layer.hpp"
#include "test_support.hpp"

using namespace xstage;
namespace fs = std::filesystem;
using nlohmann::json;
using State = cache::KeyExplanation::State;

namespace {

json manifest_with_option(const std::string& value) {
  return {{"stage", "app"}, {"options", {{"cmake_args", {value}}}}};
}

// A cache holding one build of stage "app", keyed 'a'*64, whose cmake_args
// were ["-DA=1"].
cache::Cache cache_with_app(const fs::path& dir) {
  test::write_file(dir / "tree/opt/app", "app\n");
  layer::write_layer(dir / "tree", dir / "layer.tar.zst");
  cache::Cache cache(dir / "cache");
  cache.store(std::string(64, 'a'), "app", manifest_with_option("-DA=1"), dir / "layer.tar.zst");
  return cache;
}

} // namespace

TEST_CASE("a key in the cache explains nothing to rebuild", "[cache]") {
  cache::Cache cache = cache_with_app(test::make_temp_dir("explain-cached"));
  cache::KeyExplanation explained =
      cache::explain_key(cache, "app", std::string(64, 'a'), manifest_with_option("-DA=1"));
  CHECK(explained.state == State::cached);
  CHECK(explained.changes.empty());
}

TEST_CASE("a stage with no build in the cache was never built", "[cache]") {
  cache::Cache cache = cache_with_app(test::make_temp_dir("explain-never"));
  cache::KeyExplanation explained =
      cache::explain_key(cache, "base", std::string(64, 'b'), {{"stage", "base"}});
  CHECK(explained.state == State::never_built);
  CHECK(explained.previous_key.empty());
}

TEST_CASE("a new key is compared with the stage's newest cached build", "[cache]") {
  cache::Cache cache = cache_with_app(test::make_temp_dir("explain-changed"));
  cache::KeyExplanation explained =
      cache::explain_key(cache, "app", std::string(64, 'c'), manifest_with_option("-DA=2"));
  CHECK(explained.state == State::changed);
  CHECK(explained.previous_key == std::string(64, 'a'));
  CHECK(explained.changes ==
        std::vector<std::string>{"recipe option cmake_args changed: added \"-DA=2\"; removed \"-DA=1\""});
}
