// Builders: the commands they run, with a fake runner; symlink rewriting.
#include <catch2/catch.hpp>

#include "builders/builder.hpp"
#include "builders/symlinks.hpp"
#include "fake_runner.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using namespace xstage;

namespace {

// Answers every command with success and records it.
class RecordingRunner : public process::CommandRunner {
public:
  using process::CommandRunner::run;
  std::vector<process::Invocation> invocations;
  int fail_at = -1;

  process::CommandResult run(const process::Invocation& invocation) override {
    invocations.push_back(invocation);
    return {static_cast<int>(invocations.size()) - 1 == fail_at ? 2 : 0, ""};
  }
};

struct Fixture {
  std::filesystem::path dir = test::make_temp_dir("builder");
  toolchain::Toolchain toolchain = toolchain::load_toolchain({test::source_root() / "cross" / "aarch64.ini"});
  RecordingRunner runner;

  builders::BuildContext context(const recipe::Recipe& recipe) {
    return builders::BuildContext{recipe,
                                  toolchain,
                                  {dir / "sysroot", dir / "host", "/opt/ff", 3, dir / "sources", "12", {}},
                                  {{"main", dir / "src"}},
                                  dir / "work",
                                  dir / "dest",
                                  dir / "log",
                                  runner,
                                  {},
                                  {{"CCACHE_BASEDIR", (dir / "work").string()}}};
  }
};

const char* const k_ffmpeg =
    "[stage]\ndescription = 'f'\nbuilder = 'configure'\n[source]\npath = 'x'\n"
    "[options]\nstyle = 'ffmpeg'\nconfigure_args = ['--cross-prefix=@CROSS_PREFIX@']\n";

} // namespace

TEST_CASE("the ffmpeg style passes compilers and the recipe's arguments", "[builders]") {
  Fixture fixture;
  auto recipe = recipe::parse_recipe(k_ffmpeg, "recipes/t/ffmpeg.ini");
  auto context = fixture.context(recipe);
  builders::run_builder(context);
  auto& calls = fixture.runner.invocations;
  REQUIRE(calls.size() == 3);
  std::string sysroot = (fixture.dir / "sysroot").string();
  CHECK(calls[0].argv == std::vector<std::string>{(fixture.dir / "src" / "configure").string(),
                                                  "--prefix=/opt/ff",
                                                  "--cc=ccache aarch64-linux-gnu-gcc --sysroot=" + sysroot,
                                                  "--cxx=ccache aarch64-linux-gnu-g++ --sysroot=" + sysroot,
                                                  "--cross-prefix=aarch64-linux-gnu-"});
  CHECK(calls[0].env.at("PKG_CONFIG_SYSROOT_DIR") == sysroot);
  CHECK(calls[0].env.at("CCACHE_BASEDIR") == (fixture.dir / "work").string());
  CHECK(calls[1].argv == std::vector<std::string>{"make", "-j3"});
  CHECK(calls[2].argv ==
        std::vector<std::string>{"make", "install", "DESTDIR=" + (fixture.dir / "dest").string()});
}

TEST_CASE("a failing step names the stage, the step and the command", "[builders]") {
  Fixture fixture;
  fixture.runner.fail_at = 1;
  auto recipe = recipe::parse_recipe(k_ffmpeg, "recipes/t/ffmpeg.ini");
  auto context = fixture.context(recipe);
  REQUIRE_THROWS_MATCHES(builders::run_builder(context), Error,
                         Catch::Message("stage 'ffmpeg': configure: make failed: `make -j3` exited with 2"));
}

TEST_CASE("the cmake builder renders a toolchain file and installs into DESTDIR", "[builders]") {
  Fixture fixture;
  auto recipe =
      recipe::parse_recipe("[stage]\ndescription = 'a'\nbuilder = 'cmake'\n[source]\npath = 'x'\n"
                           "[options]\ntest = true\nhost_path = '/usr'\ncmake_args = ['-DA=@PREFIX@']\n",
                           "recipes/t/app.ini");
  auto context = fixture.context(recipe);
  std::filesystem::create_directories(fixture.dir / "work");
  builders::run_builder(context);
  auto& calls = fixture.runner.invocations;
  REQUIRE(calls.size() == 4);
  auto toolchain_file = fixture.dir / "work" / "cmake-toolchain.cmake";
  CHECK(calls[0].argv.back() == "-DA=/opt/ff");
  CHECK(std::find(calls[0].argv.begin(), calls[0].argv.end(),
                  "-DCMAKE_TOOLCHAIN_FILE=" + toolchain_file.string()) != calls[0].argv.end());
  CHECK_THAT(test::read_file(toolchain_file), Catch::Contains("set(QT_HOST_PATH \"/usr\")"));
  CHECK(calls[2].argv[0] == "ctest");
  CHECK(calls[3].env.at("DESTDIR") == (fixture.dir / "dest").string());
}

TEST_CASE("step options extend the stage's options", "[builders]") {
  Fixture fixture;
  auto recipe = recipe::parse_recipe("[stage]\ndescription = 'q'\nbuilder = 'cmake'\n[source.a]\npath = 'a'\n"
                                     "[source.b]\npath = 'b'\n[options]\ncmake_args = ['-DX=1']\n[step.a]\n"
                                     "[step.b]\ncmake_args = ['-DY=2']\n",
                                     "recipes/t/qt.ini");
  auto context = fixture.context(recipe);
  auto steps = builders::plan_steps(context);
  REQUIRE(steps.size() == 2);
  CHECK(builders::option_list(context, steps[0], "cmake_args") == std::vector<std::string>{"-DX=1"});
  CHECK(builders::option_list(context, steps[1], "cmake_args") == std::vector<std::string>{"-DX=1", "-DY=2"});
}

TEST_CASE("absolute symlinks become relative to the sysroot", "[builders]") {
  auto root = test::make_temp_dir("sysroot");
  std::filesystem::create_directories(root / "usr" / "lib" / "aarch64-linux-gnu");
  std::filesystem::create_symlink("/lib/aarch64-linux-gnu/libm.so.6",
                                  root / "usr/lib/aarch64-linux-gnu/libm.so");
  std::filesystem::create_symlink("libz.so.1", root / "usr/lib/aarch64-linux-gnu/libz.so");
  CHECK(builders::make_symlinks_relative(root) == 1);
  CHECK(std::filesystem::read_symlink(root / "usr/lib/aarch64-linux-gnu/libm.so") ==
        "../../../lib/aarch64-linux-gnu/libm.so.6");
  CHECK(std::filesystem::read_symlink(root / "usr/lib/aarch64-linux-gnu/libz.so") == "libz.so.1");
}
