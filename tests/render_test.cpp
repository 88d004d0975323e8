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

namespace {

// A sysroot laid out like Debian bookworm's arm64 packages extract.
std::filesystem::path bookworm_like_sysroot() {
  auto sysroot = test::make_temp_dir("sysroot");
  for (const char* dir : {"usr/include/aarch64-linux-gnu/c++/12", "usr/include/c++/12/backward",
                          "usr/lib/gcc/aarch64-linux-gnu/12", "lib/aarch64-linux-gnu",
                          "usr/lib/aarch64-linux-gnu/qt6/plugins/platforms"}) {
    std::filesystem::create_directories(sysroot / dir);
  }
  test::write_file(sysroot / "usr/lib/aarch64-linux-gnu/crt1.o", "");
  return sysroot;
}

} // namespace

TEST_CASE("the sysroot flags put the sysroot's headers, crt files and libraries first", "[render]") {
  auto sysroot = bookworm_like_sysroot();
  std::string s = sysroot.string();
  auto flags = toolchain::sysroot_flags(shipped(), environment(sysroot));
  CHECK(flags.c_include ==
        std::vector<std::string>{s + "/usr/include/aarch64-linux-gnu", s + "/usr/include"});
  // libstdc++'s own directories first, so that its #include_next of the
  // libc's headers finds the sysroot's.
  CHECK(flags.cpp_include ==
        std::vector<std::string>{s + "/usr/include/c++/12", s + "/usr/include/aarch64-linux-gnu/c++/12",
                                 s + "/usr/include/c++/12/backward", s + "/usr/include/aarch64-linux-gnu",
                                 s + "/usr/include"});
  CHECK(flags.link == std::vector<std::string>{"-B" + s + "/usr/lib/aarch64-linux-gnu/",
                                               "-L" + s + "/usr/lib/gcc/aarch64-linux-gnu/12",
                                               "-L" + s + "/usr/lib/aarch64-linux-gnu",
                                               "-L" + s + "/lib/aarch64-linux-gnu",
                                               "-Wl,-rpath-link," + s + "/usr/lib/gcc/aarch64-linux-gnu/12",
                                               "-Wl,-rpath-link," + s + "/usr/lib/aarch64-linux-gnu",
                                               "-Wl,-rpath-link," + s + "/lib/aarch64-linux-gnu"});
  CHECK(flags.c_args() == std::vector<std::string>{"--sysroot=" + s, "-isystem",
                                                   s + "/usr/include/aarch64-linux-gnu", "-isystem",
                                                   s + "/usr/include"});
  CHECK(flags.c_command({"ccache", "cc"}).at(2) == "--sysroot=" + s);
  CHECK(flags.cpp_command({"c++"}).back() == "-Wl,-rpath-link," + s + "/lib/aarch64-linux-gnu");
}

TEST_CASE("libstdc++ headers of another compiler version are not used", "[render]") {
  auto sysroot = bookworm_like_sysroot();
  auto env = environment(sysroot);
  env.compiler_version = "14";
  auto flags = toolchain::sysroot_flags(shipped(), env);
  CHECK(flags.cpp_include == flags.c_include);
  CHECK(flags.link.at(1) == "-L" + sysroot.string() + "/usr/lib/aarch64-linux-gnu");
}

TEST_CASE("a merged-/usr sysroot names each library directory once", "[render]") {
  auto sysroot = test::make_temp_dir("merged");
  std::filesystem::create_directories(sysroot / "usr/lib/aarch64-linux-gnu");
  std::filesystem::create_directory_symlink("usr/lib", sysroot / "lib");
  auto flags = toolchain::sysroot_flags(shipped(), environment(sysroot));
  CHECK(flags.link ==
        std::vector<std::string>{"-L" + sysroot.string() + "/usr/lib/aarch64-linux-gnu",
                                 "-Wl,-rpath-link," + sysroot.string() + "/usr/lib/aarch64-linux-gnu"});
}

TEST_CASE("the Meson overlay puts the sysroot flags in the compilers, leaving their arguments", "[render]") {
  auto sysroot = bookworm_like_sysroot();
  std::string s = sysroot.string();
  auto text = toolchain::meson_overlay(shipped(), environment(sysroot));
  CHECK_THAT(text, Catch::Contains("c = ['ccache', 'aarch64-linux-gnu-gcc', '--sysroot=" + s +
                                   "', '-isystem', '" + s + "/usr/include/aarch64-linux-gnu', '-isystem', '" +
                                   s + "/usr/include', '-B" + s + "/usr/lib/aarch64-linux-gnu/', '-L"));
  CHECK_THAT(text, Catch::Contains("cpp = ['ccache', 'aarch64-linux-gnu-g++', '--sysroot=" + s +
                                   "', '-isystem', '" + s + "/usr/include/c++/12'"));
  // c_args and the link arguments are the user's: -Dc_args=... or a later
  // machine file replaces them, which would drop the sysroot.
  CHECK_THAT(text, !Catch::Contains("_args ="));
}

TEST_CASE("the complete Meson cross file holds the cross file's values and the sysroot's", "[render]") {
  auto env = environment("/s");
  env.emulator = {"/x/emulator"};
  auto text = toolchain::meson_cross_file(shipped(), env, {{"glib-mkenums", "/x/bin/glib-mkenums"}});
  CHECK_THAT(text, Catch::Contains("[binaries]\nc = ['ccache', 'aarch64-linux-gnu-gcc', '--sysroot=/s']\n"));
  CHECK_THAT(text, Catch::Contains("exe_wrapper = ['/x/emulator']\n"));
  CHECK_THAT(text, Catch::Contains("glib-mkenums = '/x/bin/glib-mkenums'\n"));
  CHECK_THAT(text, Catch::Contains("[host_machine]\nsystem = 'linux'\ncpu_family = 'aarch64'\n"));
  CHECK_THAT(text, Catch::Contains("sys_root = '/s'\n"));
  CHECK_THAT(text, !Catch::Contains("[constants]") && !Catch::Contains("prefix ="));
}

TEST_CASE("the CMake toolchain keeps the user's roots and prefixes and confines the compiler", "[render]") {
  auto sysroot = bookworm_like_sysroot();
  std::string s = sysroot.string();
  auto text = toolchain::cmake_toolchain_file(shipped(), environment(sysroot), "");
  CHECK_THAT(text, Catch::Contains("list(APPEND CMAKE_FIND_ROOT_PATH \"" + s +
                                   "\")\n"
                                   "foreach(xstage_prefix IN LISTS CMAKE_PREFIX_PATH)\n"));
  CHECK_THAT(text, !Catch::Contains("set(CMAKE_FIND_ROOT_PATH "));
  CHECK_THAT(text, Catch::Contains("set(xstage_C_include \"" + s + "/usr/include/aarch64-linux-gnu;" + s +
                                   "/usr/include\")\n"));
  CHECK_THAT(text, Catch::Contains("set(xstage_link \"-B" + s + "/usr/lib/aarch64-linux-gnu/ -L"));
  // Added to the user's values, never set over them (a real configure in
  // tests/e2e/sysroot_confined.sh shows the link line).
  CHECK_THAT(text, !Catch::Contains("set(CMAKE_CXX_STANDARD_LIBRARIES") &&
                       !Catch::Contains("set(CMAKE_C_STANDARD_INCLUDE_DIRECTORIES"));
}
