// Rendering the cross file for a stage: substitutions, CMake, Meson, configure.
#include <catch2/catch.hpp>

#include "test_support.hpp"
#include "toolchain/render.hpp"
#include "util/error.hpp"

using namespace xstage;
using toolchain::StageEnvironment;

namespace {

toolchain::Toolchain shipped() {
  return toolchain::load_toolchain({test::source_root() / "cross" / "aarch64.ini"});
}

StageEnvironment environment(const std::filesystem::path& sysroot) {
  return {sysroot, "/h", "/opt/x", 2, {}, "12", {}};
}

} // namespace

TEST_CASE("substitutions fill in the stage's paths and the cross prefix", "[render]") {
  auto text = toolchain::substitute(
      "--cross-prefix=@CROSS_PREFIX@ --sysroot=@SYSROOT@ @PREFIX@ @HOST@ @JOBS@ @TRIPLE@", shipped(),
      environment("/s"));
  CHECK(text == "--cross-prefix=aarch64-linux-gnu- --sysroot=/s /opt/x /h 2 aarch64-linux-gnu");
}

TEST_CASE("an unknown substitution is an error naming it", "[render]") {
  REQUIRE_THROWS_MATCHES(
      toolchain::substitute("-I@SYSRT@/usr", shipped(), environment("/s")), Error,
      Catch::Message("unknown substitution @SYSRT@ in '-I@SYSRT@/usr'; known: @SYSROOT@, @HOST@, "
                     "@PREFIX@, @CROSS_PREFIX@, @TRIPLE@, @JOBS@, @SOURCES@"));
}

TEST_CASE("the exe wrapper's -L points at the stage sysroot", "[render]") {
  CHECK(toolchain::exe_wrapper_for(shipped(), environment("/s")) ==
        std::vector<std::string>{"qemu-aarch64-static", "-L", "/s"});
}

TEST_CASE("pkg-config sees the sysroot's directories and staged prefixes only", "[render]") {
  auto sysroot = test::make_temp_dir("sysroot");
  std::filesystem::create_directories(sysroot / "opt" / "ffmpeg" / "lib" / "pkgconfig");
  std::filesystem::create_directories(sysroot / "opt" / "empty");
  auto env = toolchain::pkg_config_environment(shipped(), environment(sysroot));
  CHECK(env.at("PKG_CONFIG_LIBDIR") ==
        sysroot.string() + "/usr/lib/aarch64-linux-gnu/pkgconfig:" + sysroot.string() +
            "/usr/share/pkgconfig:" + sysroot.string() + "/opt/ffmpeg/lib/pkgconfig");
  CHECK(env.at("PKG_CONFIG_SYSROOT_DIR") == sysroot.string());
  CHECK(env.at("PKG_CONFIG_PATH").empty());
}

TEST_CASE("the CMake toolchain file is rendered from the cross file", "[render]") {
  auto text = toolchain::cmake_toolchain_file(shipped(), environment("/s"), "/usr");
  CHECK_THAT(text, Catch::Contains("set(CMAKE_SYSTEM_PROCESSOR aarch64)\nset(CMAKE_SYSROOT \"/s\")\n"
                                   "set(CMAKE_C_COMPILER \"aarch64-linux-gnu-gcc\")\n"
                                   "set(CMAKE_CXX_COMPILER \"aarch64-linux-gnu-g++\")\n"
                                   "set(CMAKE_C_COMPILER_LAUNCHER \"ccache\")\n"));
  CHECK_THAT(text, Catch::Contains("set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)\n"));
  CHECK_THAT(text, Catch::Contains("set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)\n"));
  CHECK_THAT(text, Catch::Contains("set(CMAKE_CROSSCOMPILING_EMULATOR \"qemu-aarch64-static;-L;/s\")\n"));
  CHECK_THAT(text, Catch::Contains("set(ENV{PKG_CONFIG_SYSROOT_DIR} \"/s\")\n"));
  CHECK_THAT(text, Catch::Contains("set(QT_HOST_PATH \"/usr\")\n"
                                   "set(QT_HOST_PATH_CMAKE_DIR \"/usr/lib/x86_64-linux-gnu/cmake\")\n"));
}

TEST_CASE("the Meson overlay sets sys_root, pkg-config and the wrapper", "[render]") {
  auto text = toolchain::meson_overlay(shipped(), environment("/s"));
  CHECK_THAT(text, Catch::Contains("exe_wrapper = ['qemu-aarch64-static', '-L', '/s']\n"));
  CHECK_THAT(text, Catch::Contains("sys_root = '/s'\n"));
  CHECK_THAT(text, Catch::Contains("pkg_config_libdir = ['/s/usr/lib/aarch64-linux-gnu/pkgconfig', "
                                   "'/s/usr/share/pkgconfig']\n"));
  CHECK_THAT(text, Catch::Contains("prefix = '/opt/x'\n"));
}

TEST_CASE("configure variables carry the launcher and the sysroot", "[render]") {
  auto env = toolchain::configure_environment(shipped(), environment("/s"));
  CHECK(env.at("CC") == "ccache aarch64-linux-gnu-gcc --sysroot=/s");
  CHECK(env.at("CXX") == "ccache aarch64-linux-gnu-g++ --sysroot=/s");
  CHECK(env.at("AR") == "aarch64-linux-gnu-ar");
  CHECK(env.at("RANLIB") == "aarch64-linux-gnu-ranlib");
}
