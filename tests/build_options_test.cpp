// build_options: what a build takes from the machine, passed in.
#include <catch2/catch.hpp>

#include "orchestrator/build_options.hpp"

using namespace xstage;

namespace {

orchestrator::MachineFacts machine(unsigned threads, std::string os_release) {
  return {"/home/u/.cache/xstage", "/home/u/src", threads, std::move(os_release)};
}

} // namespace

TEST_CASE("build options live below the cache home, with one job slot per thread", "[orchestrator]") {
  auto options = orchestrator::build_options("/p", machine(8, ""), 0, {});
  CHECK(options.project_root == "/p");
  CHECK(options.work_root == "/home/u/.cache/xstage/work");
  CHECK(options.fetch.downloads == "/home/u/.cache/xstage/downloads");
  CHECK(options.jobs == 8);
  CHECK(orchestrator::build_options("/p", machine(0, ""), 0, {}).jobs == 1);
  CHECK(orchestrator::build_options("/p", machine(8, ""), 3, {}).jobs == 3);
}

TEST_CASE("mirror directories are made absolute against the cwd", "[orchestrator]") {
  auto options = orchestrator::build_options("/p", machine(1, ""), 0, {"mirror", "../other/", "/abs"});
  CHECK(options.fetch.mirror_dirs ==
        std::vector<std::filesystem::path>{"/home/u/src/mirror", "/home/u/other/", "/abs"});
}

TEST_CASE("the Debian suite is the machine's codename, else bookworm", "[orchestrator]") {
  CHECK(orchestrator::os_release_codename("PRETTY_NAME=\"Debian GNU/Linux 13\"\nVERSION_CODENAME=trixie\n") ==
        "trixie");
  CHECK(orchestrator::os_release_codename("VERSION_CODENAME=\"noble\"\n") == "noble");
  CHECK(orchestrator::os_release_codename("ID=alpine\n") == "bookworm");
  CHECK(orchestrator::os_release_codename("VERSION_CODENAME=\n") == "bookworm");
  CHECK(orchestrator::build_options("/p", machine(1, "VERSION_CODENAME=trixie\n"), 0, {})
            .fetch.default_debian_suite == "trixie");
}

TEST_CASE("a ccache remote storage URL is checked", "[orchestrator]") {
  CHECK_NOTHROW(orchestrator::check_ccache_remote(""));
  CHECK_NOTHROW(orchestrator::check_ccache_remote("redis://127.0.0.1:6379"));
  CHECK_NOTHROW(
      orchestrator::check_ccache_remote("http://cache.example.com/ccache|layout=bazel file:/srv/cc"));
  REQUIRE_THROWS_WITH(
      orchestrator::check_ccache_remote("cache.example.com:6379"),
      "--ccache-remote 'cache.example.com:6379': 'cache.example.com:6379' is not a ccache remote "
      "storage URL (redis://HOST:PORT, redis+unix:PATH, http://HOST/PATH or file:PATH)");
  REQUIRE_THROWS_WITH(orchestrator::check_ccache_remote("redis:"),
                      Catch::StartsWith("--ccache-remote 'redis:'"));
}
