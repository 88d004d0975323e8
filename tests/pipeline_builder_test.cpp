// PipelineBuilder with a fake runner: hits, builds, failures and the sysroot.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "fake_runner.hpp"
#include "orchestrator/pipeline_builder.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using namespace xstage;
namespace fs = std::filesystem;

namespace {

// Plays mmdebstrap: writes one file named after the stage into the target
// directory, or fails for a stage whose name starts with "broken".
class FakeExtractor : public process::CommandRunner {
public:
  using process::CommandRunner::run;
  int runs = 0;

  process::CommandResult run(const process::Invocation& invocation) override {
    if (invocation.argv[0] != "mmdebstrap") {
      return {1, "ccache not here"}; // ccache statistics are optional
    }
    ++runs;
    fs::path target = invocation.argv.back();
    std::string package = invocation.argv[4].substr(std::string("--include=").size());
    if (package.rfind("broken", 0) == 0) {
      return {100, "E: unable to locate package"};
    }
    test::write_file(target / "usr" / "share" / package, package + "\n");
    return {0, ""};
  }
};

struct CountingStatus : orchestrator::Status {
  std::vector<std::string> notes;
  void stage_started(const std::string&, const std::string&) override {}
  void stage_step(const std::string&, const std::string&) override {}
  void stage_finished(const orchestrator::StageOutcome&) override {}
  void note(const std::string& text) override { notes.push_back(text); }
};

recipe::Recipe debian_stage(const std::string& name, const std::string& package, const std::string& parents) {
  return recipe::parse_recipe(fmt::format("[stage]\ndescription = 'x'\nbuilder = 'debian'\nparents = [{}]\n"
                                          "[options]\npackages = ['{}']\n",
                                          parents, package),
                              "recipes/t/" + name + ".ini");
}

struct Fixture {
  fs::path dir = test::make_temp_dir("stage-builder");
  toolchain::Toolchain toolchain = toolchain::load_toolchain({test::source_root() / "cross" / "aarch64.ini"});
  recipe::Pipeline pipeline;
  std::map<std::string, key::StageKey> keys;
  cache::Cache cache{dir / "cache"};
  FakeExtractor runner;
  CountingStatus status;

  explicit Fixture(std::vector<recipe::Recipe> recipes)
      : pipeline(recipe::Pipeline::from_recipes("t", std::move(recipes))) {
    keys = key::compute_keys(pipeline, toolchain::Fingerprint{}, dir);
  }

  orchestrator::PipelineBuilder builder() {
    orchestrator::BuildOptions options{dir, dir / "work", {}, 1};
    return orchestrator::PipelineBuilder(pipeline, toolchain, keys, cache, options, runner, status);
  }
};

} // namespace

TEST_CASE("a built stage is cached and the next build is a hit", "[pipeline_builder]") {
  Fixture fixture({debian_stage("base", "libc6", "")});
  auto first = fixture.builder().build({});
  REQUIRE(first.size() == 1);
  CHECK_FALSE(first[0].hit);
  auto second = fixture.builder().build({});
  CHECK(second[0].hit);
  CHECK(second[0].layer_size == first[0].layer_size);
  CHECK(fixture.runner.runs == 1);
}

TEST_CASE("a failing stage names itself and caches nothing", "[pipeline_builder]") {
  Fixture fixture({debian_stage("base", "broken-package", "")});
  auto builder = fixture.builder();
  REQUIRE_THROWS_WITH(builder.build({}),
                      Catch::StartsWith("stage 'base': extract packages failed: `mmdebstrap"));
  CHECK(builder.failed_stage() == "base");
  CHECK(fixture.cache.entries().empty());
}

TEST_CASE("a stage builds against its ancestors' layers", "[pipeline_builder]") {
  Fixture fixture({debian_stage("base", "libc6", ""), debian_stage("extra", "zlib", "'base'")});
  auto builder = fixture.builder();
  builder.build({});
  fs::path sysroot = fixture.dir / "sysroot";
  builder.assemble(fixture.pipeline.stage("extra"), true, sysroot, fixture.dir / "host");
  CHECK(test::read_file(sysroot / "usr" / "share" / "libc6") == "libc6\n");
  CHECK(test::read_file(sysroot / "usr" / "share" / "zlib") == "zlib\n");
}

TEST_CASE("two stages that write the same path conflict", "[pipeline_builder]") {
  Fixture fixture({debian_stage("base", "libc6", ""), debian_stage("again", "libc6", "'base'")});
  auto builder = fixture.builder();
  builder.build({});
  REQUIRE_THROWS_WITH(
      builder.assemble(fixture.pipeline.stage("again"), true, fixture.dir / "s", fixture.dir / "h"),
      Catch::Contains("usr/share/libc6") && Catch::Contains("'base'") && Catch::Contains("'again'"));
}

TEST_CASE("a truncated blob is evicted, reported and rebuilt", "[pipeline_builder]") {
  Fixture fixture({debian_stage("base", "libc6", "")});
  auto first = fixture.builder().build({});
  auto entry = fixture.cache.find(first[0].key);
  REQUIRE(entry);
  fs::resize_file(fixture.cache.blob_path(entry->layer.digest), 10);
  auto second = fixture.builder().build({});
  CHECK_FALSE(second[0].hit);
  REQUIRE(fixture.status.notes.size() == 1);
  CHECK_THAT(fixture.status.notes[0], Catch::StartsWith("stage 'base': evicted a corrupt cache entry"));
  CHECK(fixture.cache.find(first[0].key)->layer.digest == entry->layer.digest);
}
