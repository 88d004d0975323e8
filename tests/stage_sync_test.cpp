// Pushing and pulling a pipeline's stages through a real docker-registry:
// what each stage's result is, and the totals a summary line is made of.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cache/cache.hpp"
#include "key/stage_key.hpp"
#include "layer/layer.hpp"
#include "local_registry.hpp"
#include "recipe/recipe.hpp"
#include "registry/client.hpp"
#include "remote/stage_sync.hpp"
#include "test_support.hpp"

using namespace xstage;
namespace fs = std::filesystem;
using nlohmann::json;
using PushResult = remote::StagePush::Result;
using PullResult = remote::StagePull::Result;

namespace {

// Stages with real keys (the hash of their input manifests, which a pull
// verifies), built into caches on demand.
struct Stages {
  fs::path dir;
  std::vector<recipe::Recipe> recipes;
  std::map<std::string, key::StageKey> keys;

  Stages(fs::path directory, const std::vector<std::string>& names) : dir(std::move(directory)) {
    for (const std::string& name : names) {
      recipes.push_back(recipe::parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'debian'\n"
                                             "[options]\npackages = ['" +
                                                 name + "']\n",
                                             "recipes/t/" + name + ".ini"));
      json inputs = {{"stage", name}, {"recipe", {{"builder", "debian"}}}};
      keys[name] = {key::key_of(inputs), inputs};
    }
  }

  std::vector<const recipe::Recipe*> all() const {
    std::vector<const recipe::Recipe*> stages;
    for (const recipe::Recipe& recipe : recipes) {
      stages.push_back(&recipe);
    }
    return stages;
  }

  cache::CacheEntry build(cache::Cache& cache, const std::string& name) const {
    test::write_file(dir / name / "tree/opt" / name / "bin/tool", "#!/bin/sh\necho " + name + "\n");
    layer::write_layer(dir / name / "tree", dir / name / "layer.tar.zst");
    return cache.store(keys.at(name).key, name, keys.at(name).manifest, dir / name / "layer.tar.zst");
  }
};

registry::Client client_for(const test::LocalRegistry& server) {
  return registry::Client(registry::parse_reference(server.host() + "/stages"), {});
}

void flip_middle_byte(const fs::path& file) {
  std::string bytes = test::read_file(file);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
  test::write_file(file, bytes);
}

} // namespace

TEST_CASE("push_stages sends a stage once and finds it already there the second time", "[registry]") {
  test::LocalRegistry server;
  Stages stages(test::make_temp_dir("sync-push-twice"), {"app"});
  cache::Cache cache(stages.dir / "cache");
  cache::CacheEntry app = stages.build(cache, "app");
  registry::Client client = client_for(server);

  std::vector<PushResult> reported;
  remote::PushSummary first =
      remote::push_stages(client, cache, stages.all(), stages.keys,
                          [&](const remote::StagePush& push) { reported.push_back(push.result); });
  REQUIRE(first.stages.size() == 1);
  CHECK(first.stages[0].stage == "app");
  CHECK(first.stages[0].key == app.key);
  CHECK(first.stages[0].result == PushResult::sent);
  CHECK(first.stages[0].outcome.bytes_sent > app.layer.size);
  CHECK(first.total().blobs_sent == 2);
  CHECK(first.pushed() == 1);
  CHECK(reported == std::vector<PushResult>{PushResult::sent});

  remote::PushSummary second = remote::push_stages(client, cache, stages.all(), stages.keys);
  CHECK(second.stages[0].result == PushResult::already_there);
  CHECK(second.total().bytes_sent == 0);
  CHECK(second.total().blobs_present == 2);
  CHECK(second.pushed() == 1);
}

TEST_CASE("push_stages skips stages not cached, naming why a damaged build was evicted", "[registry]") {
  test::LocalRegistry server;
  Stages stages(test::make_temp_dir("sync-push-not-cached"), {"app", "base", "tools"});
  cache::Cache cache(stages.dir / "cache");
  stages.build(cache, "app");
  cache::CacheEntry tools = stages.build(cache, "tools");
  flip_middle_byte(cache.blob_path(tools.layer.digest));
  registry::Client client = client_for(server);

  remote::PushSummary summary = remote::push_stages(client, cache, stages.all(), stages.keys);
  REQUIRE(summary.stages.size() == 3);
  CHECK(summary.stages[0].result == PushResult::sent);
  CHECK(summary.stages[1].stage == "base");
  CHECK(summary.stages[1].result == PushResult::not_cached);
  CHECK(summary.stages[1].evicted_reason.empty());
  CHECK(summary.stages[2].stage == "tools");
  CHECK(summary.stages[2].result == PushResult::not_cached);
  CHECK(!summary.stages[2].evicted_reason.empty());
  CHECK(summary.count(PushResult::not_cached) == 2);
  CHECK(summary.pushed() == 1);
  CHECK(summary.total().blobs_sent == 2);
}

TEST_CASE("pull_missing_stages counts pulled, local, missing and refused stages", "[registry]") {
  test::LocalRegistry server;
  Stages stages(test::make_temp_dir("sync-pull"), {"app", "base", "corrupt", "missing"});
  cache::Cache built(stages.dir / "built");
  stages.build(built, "app");
  cache::CacheEntry corrupt = stages.build(built, "corrupt");
  registry::Client client = client_for(server);
  remote::push_stages(client, built, stages.all(), stages.keys);
  flip_middle_byte(server.blob_data(corrupt.layer.digest));
  cache::Cache here(stages.dir / "here");
  stages.build(here, "base");

  std::vector<PullResult> reported;
  remote::PullSummary summary =
      remote::pull_missing_stages(client, here, stages.all(), stages.keys,
                                  [&](const remote::StagePull& pull) { reported.push_back(pull.result); });
  CHECK(reported == std::vector<PullResult>{PullResult::pulled, PullResult::local, PullResult::refused,
                                            PullResult::missing});
  REQUIRE(summary.stages.size() == 4);
  CHECK(summary.stages[0].bytes > 0);
  CHECK(summary.bytes() == summary.stages[0].bytes);
  CHECK_THAT(summary.stages[2].refused_reason, Catch::Contains("corrupt on the registry"));
  CHECK(summary.count(PullResult::pulled) == 1);
  CHECK(summary.count(PullResult::local) == 1);
  CHECK(summary.count(PullResult::refused) == 1);
  CHECK(summary.count(PullResult::missing) == 1);
  CHECK(here.restore(stages.keys.at("app").key).entry);
  CHECK(!here.find(corrupt.key));
  CHECK(!fs::exists(here.blob_path(corrupt.layer.digest)));
}

TEST_CASE("a stage cache is a repository: a tag or digest is refused, naming the repository", "[registry]") {
  CHECK_NOTHROW(remote::check_cache_repository("127.0.0.1:5000/team/cache"));
  CHECK_THROWS_WITH(remote::check_cache_repository("127.0.0.1:5000/team/cache:v1"),
                    "--registry '127.0.0.1:5000/team/cache:v1' names an image; name the repository only "
                    "(127.0.0.1:5000/team/cache): stage keys are its tags");
}
