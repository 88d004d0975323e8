// The files `xstage sysroot` writes beside the trees: the emulator, the host
// tools, autotools' variables.
#include <catch2/catch.hpp>

#include "test_support.hpp"
#include "toolchain/export_files.hpp"
#include "util/error.hpp"

using namespace xstage;
namespace fs = std::filesystem;

namespace {

toolchain::Toolchain shipped() {
  return toolchain::load_toolchain({test::source_root() / "cross" / "aarch64.ini"});
}

struct Export {
  fs::path dir = test::make_temp_dir("export");
  toolchain::StageEnvironment env{
      dir / "sysroot", dir / "host", "/usr/local", 1, {}, "12", {(dir / "emulator").string()}};
  toolchain::ExportOrigin origin{"demo", "base", "abc123", "0.1.0"};

  std::map<std::string, std::string> files(const std::vector<toolchain::HostTool>& tools = {}) {
    std::map<std::string, std::string> by_name;
    for (auto& file : toolchain::export_files(shipped(), env, dir, origin, tools)) {
      by_name[file.name.string()] = file.text;
    }
    return by_name;
  }
};

void make_program(const fs::path& path) {
  test::write_file(path, "#!/bin/sh\n");
  fs::permissions(path, fs::perms::owner_exec, fs::perm_options::add);
}

} // namespace

TEST_CASE("the emulator runs qemu with the sysroot and the sysroot's Qt plugins", "[render]") {
  Export out;
  fs::create_directories(out.env.sysroot / "usr/lib/aarch64-linux-gnu/qt6/plugins/platforms");
  fs::create_directories(out.env.sysroot / "opt/qt6/plugins/platforms");
  fs::create_directories(out.env.sysroot / "opt/ffmpeg/lib");
  std::string s = out.env.sysroot.string();
  CHECK(toolchain::qt_plugin_dirs(shipped(), out.env.sysroot) ==
        std::vector<std::string>{s + "/usr/lib/aarch64-linux-gnu/qt6/plugins", s + "/opt/qt6/plugins"});
  std::string emulator = out.files().at("emulator");
  CHECK_THAT(emulator,
             Catch::StartsWith("#!/bin/sh\n# Written by `xstage sysroot` (xstage 0.1.0): pipeline demo, "
                               "stage base, key abc123.\n"));
  CHECK_THAT(emulator,
             Catch::Contains("export QT_PLUGIN_PATH=\"${QT_PLUGIN_PATH:+$QT_PLUGIN_PATH:}\"'" + s +
                             "/usr/lib/aarch64-linux-gnu/qt6/plugins:" + s + "/opt/qt6/plugins'\n"));
  CHECK_THAT(emulator, Catch::Contains("export QT_QPA_PLATFORM_PLUGIN_PATH='" + s +
                                       "/usr/lib/aarch64-linux-gnu/qt6/plugins/platforms'\n"));
  CHECK_THAT(emulator, Catch::EndsWith("exec 'qemu-aarch64-static' '-L' '" + s + "' -U LD_PRELOAD \"$@\"\n"));
}

TEST_CASE("without Qt in the sysroot the emulator sets no Qt variable", "[render]") {
  Export out;
  CHECK_THAT(out.files().at("emulator"), !Catch::Contains("QT_"));
}

TEST_CASE("a native stage's tools get wrappers, native.ini and cross.ini entries and PATH", "[render]") {
  Export out;
  make_program(out.env.host / "usr/bin/glib-mkenums");
  fs::create_directories(out.env.host / "usr/lib/x86_64-linux-gnu/pkgconfig");
  auto files = out.files({{"glib-mkenums", "tools"}});
  std::string h = out.env.host.string();
  std::string d = out.dir.string();
  CHECK_THAT(files.at("bin/glib-mkenums"),
             Catch::EndsWith("LD_LIBRARY_PATH='" + h +
                             "/usr/lib/x86_64-linux-gnu'\"${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}\" "
                             "exec '" +
                             h + "/usr/bin/glib-mkenums' \"$@\"\n"));
  CHECK_THAT(files.at("native.ini"),
             Catch::Contains("[binaries]\nglib-mkenums = '" + d + "/bin/glib-mkenums'\n"));
  CHECK_THAT(files.at("native.ini"),
             Catch::Contains("pkg_config_libdir = ['" + h + "/usr/lib/x86_64-linux-gnu/pkgconfig']\n"));
  CHECK_THAT(files.at("cross.ini"), Catch::Contains("glib-mkenums = '" + d + "/bin/glib-mkenums'\n"));
  CHECK_THAT(files.at("configure.env"), Catch::Contains("export PATH='" + d + "/bin':\"$PATH\"\n"));
  CHECK_THAT(files.at("toolchain.cmake"),
             Catch::Contains("list(APPEND CMAKE_PROGRAM_PATH \"" + d + "/bin\")\n"));
}

TEST_CASE("a tool the host tree does not have names its stage", "[render]") {
  Export out;
  test::write_file(out.env.host / "usr/bin/not-a-program", "data"); // not executable
  REQUIRE_THROWS_MATCHES(
      out.files({{"not-a-program", "tools"}}), Error,
      Catch::Message("stage 'tools' lists tool 'not-a-program', which its tree does not have as a "
                     "program in usr/bin, usr/sbin or opt/*/bin"));
}

TEST_CASE("configure.env and config.site export the confined compilers and the sysroot for xstage run",
          "[render]") {
  Export out;
  auto files = out.files();
  for (const char* name : {"configure.env", "config.site"}) {
    CHECK_THAT(files.at(name), Catch::Contains("export CC='ccache aarch64-linux-gnu-gcc --sysroot=" +
                                               out.env.sysroot.string() + "'\n"));
    CHECK_THAT(files.at(name), Catch::Contains("export XSTAGE_SYSROOT='" + out.dir.string() + "'\n"));
    CHECK_THAT(files.at(name),
               Catch::Contains("export PKG_CONFIG_SYSROOT_DIR='" + out.env.sysroot.string() + "'\n"));
  }
  CHECK_THAT(files.at("README"), Catch::Contains("xstage run -- make check"));
}

TEST_CASE("the export's README puts xstage run first and lists only the trees the export has", "[render]") {
  Export out;
  std::string d = out.dir.string();
  std::string plain = out.files().at("README");
  for (const char* suite :
       {"meson test -C BUILD", "ctest --test-dir BUILD", "make check", "cmake --build BUILD"}) {
    CHECK_THAT(plain, Catch::Contains("xstage run --sysroot " + d + " -- " + suite + "\n"));
  }
  CHECK(plain.find("xstage run") < plain.find("Meson:"));
  CHECK_THAT(plain, Catch::Contains("\nsysroot/ "));
  CHECK_THAT(plain, !Catch::Contains("\nhost/ "));
  CHECK_THAT(plain, !Catch::Contains("\nbin/ "));

  make_program(out.env.host / "usr/bin/glib-mkenums");
  std::string with_tools = out.files({{"glib-mkenums", "tools"}}).at("README");
  CHECK_THAT(with_tools, Catch::Contains("\nhost/ "));
  CHECK_THAT(with_tools, Catch::Contains("\nbin/ "));
}
