// PipelineBuilder with a fake runner: hits, builds, failures and the sysroot.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "fake_runner.hpp"
#include "orchestrator/pipeline_builder.hpp"
#include "orchestrator/sysroot_export.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using namespace xstage;
namespace fs = std::filesystem;

namespace {

// Plays mmdebstrap: writes one file named after the package into the
// target directory, or fails for a package whose name starts with "broken".
// A package named "meet-*" waits (up to 10 s) until two of them run at once,
// which only concurrent stages can do; one named "after-broken-*" waits
// until a broken one has failed.
class FakeExtractor : public process::CommandRunner {
public:
  using process::CommandRunner::run;
  std::atomic<int> runs{0};
  std::atomic<bool> met{false};
  std::atomic<bool> broke{false};

  process::CommandResult run(const process::Invocation& invocation) override {
    if (invocation.argv.back() == "-dumpversion") {
      return {0, "12\n"}; // the compiler's version, for the sysroot flags
    }
    ++runs;
    fs::path target = invocation.argv.back();
    std::string package = invocation.argv[4].substr(std::string("--include=").size());
    if (package.rfind("broken", 0) == 0) {
      broke = true;
      return {100, "E: unable to locate package"};
    }
    if (package.rfind("meet-", 0) == 0) {
      std::unique_lock lock(m_mutex);
      ++m_meeting;
      m_changed.notify_all();
      met = m_changed.wait_for(lock, std::chrono::seconds(10), [&] { return m_meeting >= 2; }) || met;
    }
    if (package.rfind("after-broken-", 0) == 0) {
      for (int waited = 0; !broke && waited < 10000; waited += 5) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50)); // the failure is seen by now
    }
    test::write_file(target / "usr" / "share" / package, package + "\n");
    return {0, ""};
  }

private:
  std::mutex m_mutex;
  std::condition_variable m_changed;
  int m_meeting = 0;
};

struct CountingStatus : orchestrator::Status {
  std::vector<std::string> notes;
  std::vector<std::string> steps; // "stage: step"
  void stage_started(const std::string&, const std::string&) override {}
  void stage_step(const std::string& stage, const std::string& step) override {
    steps.push_back(stage + ": " + step);
  }
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

  orchestrator::PipelineBuilder builder(int jobs = 1) {
    orchestrator::BuildOptions options{dir, dir / "work", {}, jobs};
    return orchestrator::PipelineBuilder(pipeline, toolchain, keys, cache, options, runner, status);
  }
};

} // namespace

TEST_CASE("a built stage is cached and the next build is a hit", "[pipeline_builder]") {
  Fixture fixture({debian_stage("base", "libc6", "")});
  auto first = fixture.builder().build({});
  REQUIRE(first.size() == 1);
  CHECK(first[0].result == orchestrator::StageResult::built);
  auto second = fixture.builder().build({});
  CHECK(second[0].hit());
  CHECK(second[0].layer_size == first[0].layer_size);
  CHECK(fixture.runner.runs == 1);
}

TEST_CASE("a failing stage names itself and caches nothing", "[pipeline_builder]") {
  Fixture fixture({debian_stage("base", "broken-package", "")});
  REQUIRE_THROWS_WITH(fixture.builder().build({}),
                      Catch::StartsWith("stage 'base': extract packages failed: `mmdebstrap"));
  auto report = fixture.builder().run({});
  REQUIRE(report.failures.size() == 1);
  CHECK(report.failures[0].stage == "base");
  CHECK(report.outcomes[0].result == orchestrator::StageResult::failed);
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
  fixture.status.notes.clear();
  auto second = fixture.builder().build({});
  CHECK(second[0].result == orchestrator::StageResult::built);
  REQUIRE(fixture.status.notes.size() == 2); // the eviction, then that base is not locked
  CHECK_THAT(fixture.status.notes[0], Catch::StartsWith("stage 'base': evicted a corrupt cache entry"));
  CHECK_THAT(fixture.status.notes[1], Catch::StartsWith("stage 'base' is not locked"));
  CHECK(fixture.cache.find(first[0].key)->layer.digest == entry->layer.digest);
}

TEST_CASE("two independent stages build at the same time", "[pipeline_builder]") {
  Fixture fixture({debian_stage("base", "libc6", ""), debian_stage("left", "meet-left", "'base'"),
                   debian_stage("right", "meet-right", "'base'")});
  fixture.builder().build({"base"});
  auto outcomes = fixture.builder(2).build({});
  CHECK(fixture.runner.met);
  REQUIRE(outcomes.size() == 3);
  CHECK(outcomes[0].hit());
  CHECK(outcomes[1].result == orchestrator::StageResult::built);
  // Extracting packages compiles nothing: each is told the whole budget.
  CHECK(outcomes[1].jobs == 2);
  CHECK(outcomes[2].jobs == 2);
}

TEST_CASE("a failing branch lets the other branch's running stage finish, and both are reported",
          "[pipeline_builder]") {
  Fixture fixture({debian_stage("base", "libc6", ""), debian_stage("broken", "broken-pkg", "'base'"),
                   debian_stage("slow", "after-broken-x", "'base'"),
                   debian_stage("child", "zlib", "'slow'")});
  auto report = fixture.builder(2).run({});
  REQUIRE(report.outcomes.size() == 4);
  CHECK(report.outcomes[0].result == orchestrator::StageResult::built);
  CHECK(report.outcomes[1].result == orchestrator::StageResult::failed);
  CHECK(report.outcomes[2].result == orchestrator::StageResult::built);
  CHECK(report.outcomes[3].result == orchestrator::StageResult::skipped);
  REQUIRE(report.failures.size() == 1);
  CHECK(report.failures[0].stage == "broken");
  CHECK(fixture.cache.find(report.outcomes[2].key)); // slow was stored
  CHECK_FALSE(fixture.cache.find(report.outcomes[3].key));
}

TEST_CASE("two failing stages are both named", "[pipeline_builder]") {
  Fixture fixture({debian_stage("broken-a", "broken-a", ""), debian_stage("broken-b", "broken-b", "")});
  REQUIRE_THROWS_WITH(fixture.builder(2).build({}),
                      Catch::StartsWith("2 stages failed:\nstage 'broken-a': ") &&
                          Catch::Contains("\nstage 'broken-b': "));
}

TEST_CASE("a rebuilt stage reuses the sysroot it built against last time", "[pipeline_builder]") {
  std::vector<recipe::Recipe> recipes{debian_stage("base", "libc6", ""),
                                      debian_stage("app", "zlib", "'base'")};
  Fixture fixture(recipes);
  fixture.builder().build({});
  CHECK(std::count(fixture.status.steps.begin(), fixture.status.steps.end(), "app: sysroot") == 1);

  // The app's recipe changes; base does not.
  recipes[1] = debian_stage("app", "zlib1g", "'base'");
  Fixture edited(recipes);
  edited.dir = fixture.dir;
  orchestrator::BuildOptions options{fixture.dir, fixture.dir / "work", {}, 1};
  auto keys = key::compute_keys(edited.pipeline, toolchain::Fingerprint{}, fixture.dir);
  orchestrator::PipelineBuilder builder(edited.pipeline, edited.toolchain, keys, fixture.cache, options,
                                        fixture.runner, fixture.status);
  fixture.status.steps.clear();
  auto outcomes = builder.build({});
  CHECK(outcomes[1].result == orchestrator::StageResult::built);
  CHECK(std::count(fixture.status.steps.begin(), fixture.status.steps.end(),
                   "app: sysroot (kept from the last build)") == 1);
  CHECK(test::read_file(fixture.dir / "work" / "t" / "app" / "sysroot" / "usr" / "share" / "libc6") ==
        "libc6\n");

  SECTION("a touched sysroot is extracted again") {
    test::write_file(fixture.dir / "work" / "t" / "app" / "sysroot" / "usr" / "share" / "libc6", "changed\n");
    recipes[1] = debian_stage("app", "zlib1g-dev", "'base'");
    auto pipeline = recipe::Pipeline::from_recipes("t", recipes);
    auto new_keys = key::compute_keys(pipeline, toolchain::Fingerprint{}, fixture.dir);
    fixture.status.steps.clear();
    orchestrator::PipelineBuilder(pipeline, edited.toolchain, new_keys, fixture.cache, options,
                                  fixture.runner, fixture.status)
        .build({});
    CHECK(std::count(fixture.status.steps.begin(), fixture.status.steps.end(), "app: sysroot") == 1);
    CHECK(test::read_file(fixture.dir / "work" / "t" / "app" / "sysroot" / "usr" / "share" / "libc6") ==
          "libc6\n");
  }
}

TEST_CASE("a sysroot export holds every layer and the toolchain files", "[pipeline_builder]") {
  Fixture fixture({debian_stage("base", "libc6", ""), debian_stage("extra", "zlib", "'base'")});
  auto builder = fixture.builder();
  builder.build({});
  fs::path out = fixture.dir / "export";
  toolchain::ExportOrigin origin{"t", "extra", "k123", "0.0"};
  auto exported =
      orchestrator::export_sysroot(builder, fixture.pipeline.stage("extra"), fixture.toolchain, out, origin);
  CHECK(test::read_file(exported.sysroot / "usr" / "share" / "libc6") == "libc6\n");
  CHECK(test::read_file(exported.sysroot / "usr" / "share" / "zlib") == "zlib\n");
  CHECK_THAT(test::read_file(exported.meson_cross),
             Catch::Contains("sys_root = '" + exported.sysroot.string()));
  CHECK_THAT(test::read_file(exported.cmake_toolchain), Catch::Contains(exported.sysroot.string()));
  // The Meson file is complete (the cross file's own values included) and
  // runs tests through the export's emulator.
  CHECK_THAT(test::read_file(exported.meson_cross), Catch::Contains("[host_machine]\n"));
  CHECK_THAT(test::read_file(exported.meson_cross),
             Catch::Contains("exe_wrapper = ['" + exported.emulator.string() + "']\n"));
  for (const char* name :
       {"emulator", "cross.ini", "native.ini", "toolchain.cmake", "configure.env", "config.site", "README"}) {
    CHECK_THAT(test::read_file(out / name),
               Catch::Contains("pipeline t, stage extra, key k123") && Catch::Contains(out.string()));
  }
  CHECK((fs::status(exported.emulator).permissions() & fs::perms::owner_exec) != fs::perms::none);

  REQUIRE_THROWS_WITH(
      orchestrator::export_sysroot(builder, fixture.pipeline.stage("extra"), fixture.toolchain, out, origin),
      out.string() + " is not empty; xstage sysroot writes into an empty directory");
}

TEST_CASE("a sysroot export of an uncached stage names it", "[pipeline_builder]") {
  Fixture fixture({debian_stage("base", "libc6", "")});
  auto builder = fixture.builder();
  REQUIRE_THROWS_WITH(orchestrator::export_sysroot(builder, fixture.pipeline.stage("base"), fixture.toolchain,
                                                   fixture.dir / "x", {"t", "base", "k", "0.0"}),
                      Catch::StartsWith("stage 'base' needs stage 'base' (key ") &&
                          Catch::EndsWith("which is not in the cache"));
}
