// KeptSysroot: reused only with the same layers and untouched trees; the
// per-stage ccache summary.
#include <catch2/catch.hpp>

#include "orchestrator/ccache_stats.hpp"
#include "orchestrator/kept_sysroot.hpp"
#include "test_support.hpp"

using namespace xstage;
namespace fs = std::filesystem;

namespace {

std::vector<orchestrator::ExtractedLayer> layers(const std::string& digest) {
  return {{"base", std::string(64, 'a'), layer::LayerInfo{digest, 0, "", 0}, false}};
}

// A kept sysroot holding one file, sealed with layers("sha256:1").
orchestrator::KeptSysroot sealed(const fs::path& work) {
  orchestrator::KeptSysroot kept(work);
  test::write_file(kept.sysroot() / "usr" / "lib" / "libz.so.1", "z");
  kept.seal(layers("sha256:1"), "/cache");
  return kept;
}

} // namespace

TEST_CASE("a sealed sysroot is held until its layers change", "[orchestrator]") {
  fs::path dir = test::make_temp_dir("kept-sysroot");
  auto kept = sealed(dir / "work");
  CHECK(kept.holds(layers("sha256:1")));
  CHECK_FALSE(kept.holds(layers("sha256:2")));
  CHECK_FALSE(kept.holds({}));
}

TEST_CASE("a sysroot written to is not held, and forgets its record", "[orchestrator]") {
  fs::path dir = test::make_temp_dir("kept-sysroot");
  auto kept = sealed(dir / "work");
  SECTION("a new file") {
    test::write_file(kept.sysroot() / "usr" / "lib" / "libextra.so", "x");
  }
  SECTION("a file rewritten") {
    test::write_file(kept.sysroot() / "usr" / "lib" / "libz.so.1", "Z");
  }
  SECTION("a file removed") {
    fs::remove(kept.sysroot() / "usr" / "lib" / "libz.so.1");
  }
  SECTION("a host tree appears") {
    fs::create_directories(kept.host());
  }
  CHECK_FALSE(kept.holds(layers("sha256:1")));
  kept.forget_if_touched();
  CHECK_FALSE(fs::exists(dir / "work" / "sysroot.json"));
}

TEST_CASE("an untouched sysroot keeps its record", "[orchestrator]") {
  fs::path dir = test::make_temp_dir("kept-sysroot");
  auto kept = sealed(dir / "work");
  kept.forget_if_touched();
  CHECK(kept.holds(layers("sha256:1")));
}

TEST_CASE("gc removes the cache's kept sysroots whose layers are gone, and those without a record",
          "[orchestrator]") {
  fs::path dir = test::make_temp_dir("kept-sysroot");
  fs::path work_root = dir / "work";
  auto current = sealed(work_root / "demo" / "app");
  auto stale = sealed(work_root / "demo" / "ffmpeg");
  fs::remove(stale.sysroot().parent_path() / "sysroot.json");
  orchestrator::KeptSysroot gone(work_root / "other" / "app");
  test::write_file(gone.sysroot() / "f", "12345");
  gone.seal(layers("sha256:gone"), "/cache");
  orchestrator::KeptSysroot elsewhere(work_root / "other" / "ffmpeg");
  test::write_file(elsewhere.sysroot() / "f", "1");
  elsewhere.seal(layers("sha256:gone"), "/another-cache");
  test::write_file(work_root / "demo" / "base" / "build.log", "log");

  auto report = orchestrator::remove_stale_sysroots(
      work_root, "/cache", [](const std::string& digest) { return digest == "sha256:1"; });
  CHECK(report.removed == 2);
  CHECK(report.bytes_freed == 6); // "z" and "12345"
  CHECK(current.holds(layers("sha256:1")));
  CHECK_FALSE(fs::exists(stale.sysroot()));
  CHECK_FALSE(fs::exists(gone.sysroot()));
  CHECK(elsewhere.holds(layers("sha256:gone")));
  CHECK(fs::exists(work_root / "demo" / "base" / "build.log"));
}

TEST_CASE("the ccache summary counts one stage's stats log", "[orchestrator]") {
  fs::path dir = test::make_temp_dir("ccache-log");
  test::write_file(dir / "stats.log", "# a.c\ncache_miss\ndirect_cache_miss\nlocal_storage_miss\n"
                                      "# b.c\ndirect_cache_hit\nlocal_storage_hit\n"
                                      "# c.c\npreprocessed_cache_hit\n# d.c\ndirect_cache_hit\n");
  CHECK(orchestrator::ccache_summary(dir / "stats.log") == "3/4 (75%)");
  CHECK(orchestrator::ccache_summary(dir / "absent.log") == "-");
  test::write_file(dir / "remote.log", "# a.c\ndirect_cache_hit\nlocal_storage_miss\nremote_storage_hit\n"
                                       "remote_storage_read_hit\n# b.c\ncache_miss\nremote_storage_miss\n");
  CHECK(orchestrator::ccache_summary(dir / "remote.log") == "1/2 (50%, 1 remote)");
}
