// Pipeline options (options.ini, -D), source tables and same_version_as.
#include <catch2/catch.hpp>

#include "fake_runner.hpp"
#include "key/explain.hpp"
#include "key/stage_key.hpp"
#include "recipe/options.hpp"
#include "recipe/pipeline.hpp"
#include "test_support.hpp"
#include "toolchain/toolchain.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

using xstage::Error;
using xstage::machine_file::Value;
using xstage::recipe::compare_versions;
using xstage::recipe::Pipeline;
using xstage::recipe::PipelineOptions;
using xstage::test::make_temp_dir;
using xstage::test::write_file;

namespace {

const char* k_options = "[qt_version]\n"
                        "choices = ['6.5.3', '6.4.2']\n"
                        "default = '6.5.3'\n"
                        "help = 'the Qt version'\n"
                        "[app_ref]\n"
                        "choices = ['1.0', '2.0']\n"
                        "default = '1.0'\n"
                        "help = 'the app'\n"
                        "[app_ref.2.0]\n"
                        "requires = ['qt_version >= 6.6.3']\n";

PipelineOptions options() {
  return PipelineOptions::parse(k_options, "recipes/p/options.ini");
}

// A project with a pipeline `p`: base reads no option, qt reads qt_version
// (its source from a table per version), app builds on qt.
fs::path make_project() {
  fs::path root = make_temp_dir("options");
  write_file(root / "recipes/p/options.ini", k_options);
  write_file(root / "recipes/p/base.ini",
             "[stage]\ndescription = 'base'\nbuilder = 'debian'\n[options]\npackages = ['libc6']\n");
  write_file(root / "recipes/p/qt.ini", "[stage]\ndescription = 'Qt ' + qt_version\nbuilder = 'cmake'\n"
                                        "parents = ['base']\nversion = qt_version\n"
                                        "[source]\ntable = 'qt-' + qt_version\n");
  write_file(root / "recipes/p/app.ini", "[stage]\ndescription = 'app'\nbuilder = 'cmake'\nparents = ['qt']\n"
                                         "[source]\nurl = 'https://example.org/app.tar.gz'\n"
                                         "sha256 = '" +
                                             std::string(64, 'a') + "'\n");
  write_file(root / "recipes/p/sources/qt-6.5.3.ini",
             "[qt]\nurl = 'https://example.org/qt-6.5.3.tar.xz'\nsha256 = '" + std::string(64, 'b') + "'\n");
  write_file(root / "recipes/p/sources/qt-6.4.2.ini",
             "[qt]\ngit = 'https://example.org/qt.git'\ncommit = '" + std::string(40, 'c') + "'\n");
  return root;
}

std::map<std::string, std::string> keys_with(const fs::path& root, const std::vector<std::string>& settings) {
  auto keys =
      xstage::key::compute_keys(Pipeline::load(root, "p", settings), xstage::toolchain::Fingerprint{}, root);
  std::map<std::string, std::string> plain;
  for (const auto& [name, key] : keys) {
    plain[name] = key.key;
  }
  return plain;
}

} // namespace

TEST_CASE("options take their defaults unless set with -D", "[options]") {
  auto values = options().resolve({"qt_version=6.4.2"});
  CHECK(values.at("qt_version") == Value("6.4.2"));
  CHECK(values.at("app_ref") == Value("1.0"));
}

TEST_CASE("an unknown option is named with a hint and the options declared", "[options]") {
  REQUIRE_THROWS_MATCHES(options().resolve({"qt_verison=6.4.2"}), Error,
                         Catch::Message("-D qt_verison=6.4.2: unknown option 'qt_verison'; did you mean "
                                        "'qt_version'?; recipes/p/options.ini declares qt_version, app_ref"));
}

TEST_CASE("an option set twice with different values is refused, naming both", "[options]") {
  REQUIRE_THROWS_MATCHES(options().resolve({"qt_version=6.4.2", "qt_version=6.5.3"}), Error,
                         Catch::Message("-D qt_version=6.5.3: option 'qt_version' is already set by "
                                        "-D qt_version=6.4.2; set it once"));
  CHECK(options().resolve({"qt_version=6.4.2", "qt_version=6.4.2"}).at("qt_version").as_string() == "6.4.2");
}

TEST_CASE("a value that is not a choice lists the allowed values and where they are declared", "[options]") {
  REQUIRE_THROWS_MATCHES(
      options().resolve({"qt_version=6.4.1"}), Error,
      Catch::Message("-D qt_version=6.4.1: '6.4.1' is not a value of option 'qt_version'; "
                     "did you mean '6.4.2'?; allowed: 6.5.3, 6.4.2 (recipes/p/options.ini:2)"));
}

TEST_CASE("a combination a requirement refuses is named with both values", "[options]") {
  REQUIRE_THROWS_MATCHES(options().resolve({"app_ref=2.0", "qt_version=6.4.2"}), Error,
                         Catch::Message("option app_ref=2.0 requires qt_version >= 6.6.3, but qt_version is "
                                        "6.4.2 (recipes/p/options.ini:10)"));
}

TEST_CASE("a malformed options file is located", "[options]") {
  REQUIRE_THROWS_MATCHES(
      PipelineOptions::parse("[a]\nhelp = 'x'\ndefault = 'y'\nchoice = ['y']\n", "o.ini"), Error,
      Catch::Message("o.ini:4:1: unknown key 'choice' in option [a]; did you mean 'choices'?\n"
                     "choice = ['y']\n"
                     "^"));
}

TEST_CASE("versions compare numerically", "[options]") {
  CHECK(compare_versions("6.10.0", "6.9.9") > 0);
  CHECK(compare_versions("6.4.2", "6.6.3") < 0);
  CHECK(compare_versions("6.6.3", "6.6.3") == 0);
  CHECK(compare_versions("6.6", "6.6.0") < 0);
}

TEST_CASE("an option enters the keys of exactly the stages that read it and their children", "[options]") {
  fs::path root = make_project();
  auto before = keys_with(root, {});
  auto after = keys_with(root, {"qt_version=6.4.2"});
  CHECK(before.at("base") == after.at("base"));
  CHECK(before.at("qt") != after.at("qt"));
  CHECK(before.at("app") != after.at("app"));
  CHECK(keys_with(root, {"app_ref=1.0"}) == before); // an option nobody reads moves nothing
}

TEST_CASE("a recipe takes its source from the table its option names, and explain names the option",
          "[options]") {
  fs::path root = make_project();
  Pipeline pipeline = Pipeline::load(root, "p", {"qt_version=6.4.2"});
  const auto& qt = pipeline.stage("qt");
  REQUIRE(qt.sources.size() == 1);
  CHECK(qt.sources[0].commit == std::string(40, 'c'));
  CHECK(qt.version == "6.4.2");
  CHECK(qt.options_read == nlohmann::json{{"qt_version", "6.4.2"}});
  CHECK(pipeline.stage("base").options_read.empty());
  auto old_keys =
      xstage::key::compute_keys(Pipeline::load(root, "p"), xstage::toolchain::Fingerprint{}, root);
  auto new_keys = xstage::key::compute_keys(pipeline, xstage::toolchain::Fingerprint{}, root);
  CHECK(xstage::key::explain_changes(old_keys.at("qt").manifest, new_keys.at("qt").manifest) ==
        std::vector<std::string>{"option qt_version changed from 6.5.3 to 6.4.2",
                                 "recipe [source] table changed", "recipe [stage] description changed",
                                 "recipe [stage] version changed", "source main changed"});
}

TEST_CASE("a table that does not exist is located at the table line", "[options]") {
  fs::path root = make_project();
  fs::remove(root / "recipes/p/sources/qt-6.4.2.ini");
  REQUIRE_THROWS_MATCHES(
      Pipeline::load(root, "p", {"qt_version=6.4.2"}), Error,
      Catch::Message("recipes/p/qt.ini:7:1: no source table 'qt-6.4.2' (sources/qt-6.4.2.ini); "
                     "did you mean 'qt-6.5.3'?; tables: qt-6.5.3\n"
                     "table = 'qt-' + qt_version\n"
                     "^"));
}

TEST_CASE("a syntax error in the table of a version not selected is reported all the same", "[options]") {
  fs::path root = make_project();
  write_file(root / "recipes/p/sources/qt-6.4.2.ini", "[qt]\ngit = 'https://example.org/qt.git\n");
  REQUIRE_THROWS_WITH(Pipeline::load(root, "p", {"qt_version=6.5.3"}),
                      Catch::StartsWith("recipes/p/sources/qt-6.4.2.ini:2:"));
}

TEST_CASE("a constant may not hide a pipeline option", "[options]") {
  fs::path root = make_project();
  write_file(root / "recipes/p/base.ini", "[constants]\nqt_version = '6.8'\n[stage]\ndescription = 'b'\n"
                                          "builder = 'debian'\n[options]\npackages = ['libc6']\n");
  REQUIRE_THROWS_MATCHES(
      Pipeline::load(root, "p"), Error,
      Catch::Message("recipes/p/base.ini:2:1: constant 'qt_version' has the name of a pipeline "
                     "option; rename it, or set the option with -D qt_version=VALUE\n"
                     "qt_version = '6.8'\n"
                     "^"));
}

TEST_CASE("a stage built with another version of a same_version_as ancestor is refused", "[options]") {
  fs::path root = make_project();
  write_file(root / "recipes/p/app.ini", "[stage]\ndescription = 'app'\nbuilder = 'cmake'\nparents = ['qt']\n"
                                         "version = '6.5.3'\nsame_version_as = ['qt']\n"
                                         "[source]\nurl = 'https://example.org/app.tar.gz'\n"
                                         "sha256 = '" +
                                             std::string(64, 'a') + "'\n");
  CHECK_NOTHROW(Pipeline::load(root, "p"));
  REQUIRE_THROWS_MATCHES(
      Pipeline::load(root, "p", {"qt_version=6.4.2"}), Error,
      Catch::Message("recipes/p/app.ini:6:1: stage 'app' is version 6.5.3, but stage 'qt' it "
                     "builds with is version 6.4.2; they must be the same version\n"
                     "same_version_as = ['qt']\n"
                     "^"));
}

TEST_CASE(
    "a module taken at an older patch of qtbase's line is accepted, a newer patch or another line refused",
    "[options]") {
  fs::path root = make_project();
  // The module's source rows name their own release, as a table row taken
  // from an earlier tag does.
  write_file(root / "recipes/p/svg.ini", "[stage]\ndescription = 'svg'\nbuilder = 'cmake'\nparents = ['qt']\n"
                                         "version = qt_version\nsame_version_as = ['qt']\n"
                                         "[source]\ntable = 'qt-' + qt_version\n");
  auto with_svg = [&](const std::string& table, const std::string& svg_version) {
    std::string row = "[svg]\ngit = 'https://example.org/svg.git'\ncommit = '" + std::string(40, 'd') + "'\n";
    if (!svg_version.empty()) {
      row += "version = '" + svg_version + "'\n";
    }
    std::string qt =
        table == "6.5.3"
            ? "[qt]\nurl = 'https://example.org/qt-6.5.3.tar.xz'\nsha256 = '" + std::string(64, 'b') + "'\n"
            : "[qt]\ngit = 'https://example.org/qt.git'\ncommit = '" + std::string(40, 'c') + "'\n";
    write_file(root / ("recipes/p/sources/qt-" + table + ".ini"), qt + row);
  };
  with_svg("6.5.3", "6.5.0");
  with_svg("6.4.2", "");
  Pipeline at_653 = Pipeline::load(root, "p");
  CHECK(at_653.stage("svg").version == "6.5.0");
  CHECK(Pipeline::load(root, "p", {"qt_version=6.4.2"}).stage("svg").version == "6.4.2");

  with_svg("6.4.2", "6.4.3");
  REQUIRE_THROWS_MATCHES(
      Pipeline::load(root, "p", {"qt_version=6.4.2"}), Error,
      Catch::Message("recipes/p/svg.ini:6:1: stage 'svg' is version 6.4.3, but stage 'qt' it builds with is "
                     "version 6.4.2; it needs 'qt' of the 6.4 line at 6.4.3 or newer\n"
                     "same_version_as = ['qt']\n"
                     "^"));
  with_svg("6.5.3", "6.4.2");
  REQUIRE_THROWS_WITH(
      Pipeline::load(root, "p"),
      Catch::Contains("stage 'svg' is version 6.4.2, but stage 'qt' it builds with is version "
                      "6.5.3; it needs 'qt' of the 6.4 line at 6.4.2 or newer"));
}

TEST_CASE("a native stage's key holds the build machine's compilers and host packages", "[options]") {
  auto runner = xstage::test::FakeRunner();
  runner.answers["cc --version"] = {0, "cc (Debian 12.2.0-14) 12.2.0\n"};
  runner.answers["c++ --version"] = {0, "c++ (Debian 12.2.0-14) 12.2.0\n"};
  runner.answers["cc -dumpmachine"] = {0, "x86_64-linux-gnu\n"};
  runner.answers["dpkg-query -W '-f=${db:Status-Status} ${Version}' libc6-dev"] = {0, "installed 2.36-9"};
  auto fingerprint = xstage::toolchain::native_fingerprint({"libc6-dev"}, runner);
  CHECK(fingerprint["packages"] == nlohmann::json{{"libc6-dev", "2.36-9"}});
  CHECK(fingerprint["compiler"]["target"] == "x86_64-linux-gnu");
  REQUIRE_THROWS_MATCHES(xstage::toolchain::native_fingerprint({"libfoo-dev"}, runner), Error,
                         Catch::Message("host package 'libfoo-dev' is not installed on the build machine "
                                        "(apt-get install libfoo-dev)"));
}
