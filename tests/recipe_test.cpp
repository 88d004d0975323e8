// Recipe validation: every malformed recipe names the file, line and culprit.
#include <catch2/catch.hpp>

#include "recipe/recipe.hpp"
#include "util/error.hpp"

using xstage::Error;
using xstage::recipe::parse_recipe;
using xstage::recipe::SourceKind;

namespace {

const char* const k_ffmpeg = R"([constants]
version = '5.1.9'

[stage]
description = 'FFmpeg ' + version
builder = 'configure'
parents = ['base']

[source]
url = 'https://ffmpeg.org/releases/ffmpeg-' + version + '.tar.xz'
sha256 = 'd9b593bb2ba93d4b50f74177e0cdcd41747e708596367deed0c30348a71dd176'
debian_source = 'ffmpeg'

[options]
style = 'ffmpeg'
configure_args = ['--disable-doc']
)";

} // namespace

TEST_CASE("a recipe's values are evaluated with its constants", "[recipe]") {
  auto recipe = parse_recipe(k_ffmpeg, "recipes/demo/ffmpeg.ini");
  CHECK(recipe.name == "ffmpeg");
  CHECK(recipe.description == "FFmpeg 5.1.9");
  CHECK(recipe.builder == "configure");
  CHECK(recipe.parents == std::vector<std::string>{"base"});
  REQUIRE(recipe.sources.size() == 1);
  CHECK(recipe.sources[0].name == "main");
  CHECK(recipe.sources[0].kind == SourceKind::archive);
  CHECK(recipe.sources[0].url == "https://ffmpeg.org/releases/ffmpeg-5.1.9.tar.xz");
  CHECK(recipe.sources[0].debian_source == "ffmpeg");
  CHECK(recipe.options.at("style").as_string() == "ffmpeg");
}

TEST_CASE("the recipe content excludes constants", "[recipe]") {
  auto recipe = parse_recipe(k_ffmpeg, "recipes/demo/ffmpeg.ini");
  CHECK_FALSE(recipe.content.contains("constants"));
  CHECK(recipe.content["stage"]["description"] == "FFmpeg 5.1.9");
}

TEST_CASE("named sources and steps keep file order", "[recipe]") {
  auto recipe = parse_recipe(R"([stage]
description = 'qt'
builder = 'cmake'
[source.qtbase]
git = 'https://example.org/qtbase.git'
commit = '0123456789abcdef0123456789abcdef01234567'
[source.qtsvg]
path = 'examples/qtsvg'
[step.qtbase]
cmake_args = ['-DA=1']
[step.svg]
source = 'qtsvg'
)",
                             "recipes/x/qt.ini");
  REQUIRE(recipe.steps.size() == 2);
  CHECK(recipe.steps[0].name == "qtbase");
  CHECK(recipe.steps[0].source == "qtbase");
  CHECK(recipe.steps[1].source == "qtsvg");
  CHECK(recipe.steps[1].options.count("source") == 0);
  CHECK(recipe.sources[0].kind == SourceKind::git);
  CHECK(recipe.sources[1].kind == SourceKind::path);
}

TEST_CASE("an unknown key is located and gets a suggestion", "[recipe]") {
  REQUIRE_THROWS_MATCHES(parse_recipe("[stage]\ndescription = 'x'\nbulder = 'cmake'\n", "recipes/d/a.ini"),
                         Error,
                         Catch::Message("recipes/d/a.ini:3:1: unknown key 'bulder' in section [stage]; "
                                        "did you mean 'builder'?\n"
                                        "bulder = 'cmake'\n"
                                        "^"));
}

TEST_CASE("an unknown section is located and gets a suggestion", "[recipe]") {
  REQUIRE_THROWS_MATCHES(
      parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'debian'\n[optoins]\n", "recipes/d/a.ini"), Error,
      Catch::Message("recipes/d/a.ini:4:1: unknown section [optoins]; did you mean 'options'?\n"
                     "[optoins]\n"
                     "^"));
}

TEST_CASE("a missing required key names the section", "[recipe]") {
  REQUIRE_THROWS_MATCHES(
      parse_recipe("\n[stage]\ndescription = 'x'\n", "recipes/d/a.ini"), Error,
      Catch::Message("recipes/d/a.ini:2:1: section [stage] is missing required key 'builder'\n"
                     "[stage]\n"
                     "^"));
}

TEST_CASE("a missing [stage] section is an error", "[recipe]") {
  REQUIRE_THROWS_MATCHES(parse_recipe("[options]\npackages = ['a']\n", "recipes/d/a.ini"), Error,
                         Catch::Message("recipes/d/a.ini:1:1: missing section [stage] (with description and "
                                        "builder)\n"
                                        "[options]\n"
                                        "^"));
}

TEST_CASE("a value of the wrong type names the expected type", "[recipe]") {
  REQUIRE_THROWS_MATCHES(
      parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'debian'\nparents = 'base'\n", "recipes/d/a.ini"),
      Error,
      Catch::Message(
          "recipes/d/a.ini:4:1: key 'parents' in section [stage] must be an array of strings, got string\n"
          "parents = 'base'\n"
          "^"));
}

TEST_CASE("an unknown builder gets a suggestion", "[recipe]") {
  REQUIRE_THROWS_MATCHES(parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'cmak'\n", "recipes/d/a.ini"),
                         Error,
                         Catch::Message("recipes/d/a.ini:3:1: unknown builder 'cmak'; did you mean 'cmake'?; "
                                        "builders are cmake, configure, debian, meson\n"
                                        "builder = 'cmak'\n"
                                        "^"));
}

TEST_CASE("builder options are checked against the builder", "[recipe]") {
  REQUIRE_THROWS_MATCHES(
      parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'debian'\n[options]\n"
                   "packages = ['a']\ncmake_args = []\n",
                   "recipes/d/a.ini"),
      Error,
      Catch::Message("recipes/d/a.ini:6:1: unknown key 'cmake_args' in section [options] for "
                     "builder 'debian'\n"
                     "cmake_args = []\n"
                     "^"));
}

TEST_CASE("a malformed checksum pin is refused", "[recipe]") {
  REQUIRE_THROWS_MATCHES(
      parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'cmake'\n[source]\n"
                   "url = 'https://e.org/a.tar.xz'\nsha256 = 'D9B5'\n",
                   "recipes/d/a.ini"),
      Error,
      Catch::Message("recipes/d/a.ini:6:1: section [source] needs 'sha256' as 64 lower-case "
                     "hex digits, got 'D9B5'\n"
                     "sha256 = 'D9B5'\n"
                     "^"));
}

TEST_CASE("a source must be exactly one kind", "[recipe]") {
  REQUIRE_THROWS_MATCHES(
      parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'cmake'\n[source]\n"
                   "path = 'a'\ngit = 'https://e.org/a.git'\n",
                   "recipes/d/a.ini"),
      Error,
      Catch::Message("recipes/d/a.ini:4:1: section [source] must have exactly one of 'url' (or "
                     "'debian_source'), 'git' or 'path'\n"
                     "[source]\n"
                     "^"));
}

TEST_CASE("a step must name an existing source", "[recipe]") {
  REQUIRE_THROWS_MATCHES(
      parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'cmake'\n[source.qtbase]\n"
                   "path = 'a'\n[step.base]\nsource = 'qtbsae'\n",
                   "recipes/d/a.ini"),
      Error,
      Catch::Message("recipes/d/a.ini:7:1: step 'base' uses unknown source 'qtbsae'; did you "
                     "mean 'qtbase'?\n"
                     "source = 'qtbsae'\n"
                     "^"));
}

TEST_CASE("a path source may not leave the project", "[recipe]") {
  REQUIRE_THROWS_MATCHES(
      parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'cmake'\n[source]\npath = '../x'\n",
                   "recipes/d/a.ini"),
      Error,
      Catch::Message("recipes/d/a.ini:5:1: 'path' in section [source] must be relative to the "
                     "project root and inside it\n"
                     "path = '../x'\n"
                     "^"));
}

TEST_CASE("an [image] section is read and kept out of the stage key's content", "[recipe]") {
  auto recipe = parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'cmake'\n[source]\npath = 'src'\n"
                             "[image]\nruntime = ['runtime']\nentrypoint = ['/opt/x/bin/x', '--flag']\n"
                             "env = ['PATH=/usr/bin']\nworking_dir = '/srv'\ndlopen = ['usr/lib/plugins']\n",
                             "recipes/d/x.ini");
  REQUIRE(recipe.image);
  CHECK(recipe.image->runtime == std::vector<std::string>{"runtime"});
  CHECK(recipe.image->entrypoint == std::vector<std::string>{"/opt/x/bin/x", "--flag"});
  CHECK(recipe.image->env == std::vector<std::string>{"PATH=/usr/bin"});
  CHECK(recipe.image->working_dir == "/srv");
  CHECK(recipe.image->dlopen == std::vector<std::string>{"usr/lib/plugins"});
  CHECK(recipe.image->runtime_location.line == 7);
  CHECK(!recipe.content.contains("image"));
  CHECK(recipe.content.contains("stage"));
}

TEST_CASE("a bad [image] section is located", "[recipe]") {
  const std::string head = "[stage]\ndescription = 'x'\nbuilder = 'cmake'\n[source]\npath = 'src'\n[image]\n";
  REQUIRE_THROWS_MATCHES(parse_recipe(head + "runtime = ['r']\n", "recipes/d/x.ini"), Error,
                         Catch::Message("recipes/d/x.ini:6:1: section [image] is missing required key "
                                        "'entrypoint'\n[image]\n^"));
  REQUIRE_THROWS_MATCHES(parse_recipe(head + "entrypoint = ['/x']\nenv = ['PATH']\n", "recipes/d/x.ini"),
                         Error,
                         Catch::Message("recipes/d/x.ini:8:1: 'env' in section [image] holds 'PATH'; write "
                                        "NAME=value\nenv = ['PATH']\n^"));
  REQUIRE_THROWS_MATCHES(parse_recipe(head + "entrypoint = []\n", "recipes/d/x.ini"), Error,
                         Catch::Message("recipes/d/x.ini:7:1: 'entrypoint' in section [image] must name a "
                                        "program\nentrypoint = []\n^"));
  REQUIRE_THROWS_MATCHES(
      parse_recipe(head + "entrypoint = ['/x']\ndlopen = ['usr/../../etc']\n", "recipes/d/x.ini"), Error,
      Catch::Message(
          "recipes/d/x.ini:8:1: 'dlopen' in section [image] holds 'usr/../../etc'; write a path "
          "inside the image, like usr/lib/aarch64-linux-gnu/qt6/plugins\ndlopen = ['usr/../../etc']\n^"));
}

TEST_CASE("a stage's file name must be a name: '...ini' is not stage '..'", "[recipe]") {
  for (const char* file :
       {"recipes/demo/...ini", "recipes/demo/..ini", "recipes/demo/a b.ini", "recipes/demo/-x.ini"}) {
    std::string stem = std::filesystem::path(file).stem().string();
    REQUIRE_THROWS_WITH(parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'cmake'\n", file),
                        std::string(file) + ": a stage is named after its file, and '" + stem +
                            "' is not a name: use letters, digits, '_' and '-' (like ffmpeg.ini)");
  }
  CHECK(parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'debian'\n[options]\npackages = ['a']\n",
                     "recipes/demo/qt_host-2.ini")
            .name == "qt_host-2");
}

TEST_CASE("source and step names must be names", "[recipe]") {
  REQUIRE_THROWS_WITH(
      parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'cmake'\n[source...]\npath = 'a'\n",
                   "recipes/t/x.ini"),
      Catch::StartsWith("recipes/t/x.ini:4:1: '..' in [source...] is not a name: use letters, "
                        "digits, '_' and '-'"));
}

TEST_CASE("a prefix must be absolute and stay inside the install tree", "[recipe]") {
  for (const char* prefix : {"/../../tmp/escaped", "relative/dir", "/opt/../../etc"}) {
    REQUIRE_THROWS_WITH(
        parse_recipe(std::string("[stage]\ndescription = 'x'\nbuilder = 'configure'\n[source]\npath = 'a'\n"
                                 "[options]\nprefix = '") +
                         prefix + "'\n",
                     "recipes/t/x.ini"),
        Catch::StartsWith(std::string("recipes/t/x.ini:7:1: prefix '") + prefix +
                          "' must be an absolute path that stays inside the stage's install tree, like "
                          "'/opt/ffmpeg'"));
  }
  CHECK(parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'configure'\n[source]\npath = 'a'\n"
                     "[options]\nprefix = '/opt/x/../y'\n",
                     "recipes/t/x.ini")
            .options.at("prefix")
            .as_string() == "/opt/x/../y");
}

TEST_CASE("[options] table: a release's table extends the options, and adds nothing to the others' keys",
          "[recipe]") {
  auto make_table = [](const std::string& name, const std::string& extra) {
    xstage::recipe::SourceTable table;
    table.display_path = "recipes/p/sources/" + name + ".ini";
    table.text =
        "[qt]\nurl = 'https://example.org/qt.tar.xz'\nsha256 = '" + std::string(64, 'a') + "'\n" + extra;
    table.file.parse_text(table.text, table.display_path);
    return table;
  };
  auto plain = make_table("qt-1", "");
  auto extended = make_table("qt-2", "[qt.options]\ncmake_args = ['-DFEATURE_eglfs=OFF']\nsubdir = 'src'\n");
  xstage::recipe::RecipeInputs inputs;
  inputs.table = [&](const std::string& name) {
    return name == "qt-1" ? &plain : name == "qt-2" ? &extended : nullptr;
  };
  inputs.table_names = {"qt-1", "qt-2"};
  auto recipe_text = [](const std::string& table_line) {
    return "[stage]\ndescription = 'x'\nbuilder = 'cmake'\n[source]\ntable = 'qt-1'\n[options]\n" +
           table_line + "cmake_args = ['-DA=1']\n";
  };
  auto without = parse_recipe(recipe_text(""), "recipes/p/qt.ini", inputs);
  auto with_plain = parse_recipe(recipe_text("table = 'qt-1'\n"), "recipes/p/qt.ini", inputs);
  auto with_extended = parse_recipe(recipe_text("table = 'qt-2'\n"), "recipes/p/qt.ini", inputs);

  // What the key hashes: a table that adds nothing leaves it as it was.
  CHECK(with_plain.content == without.content);
  CHECK(with_plain.string_list("cmake_args") == std::vector<std::string>{"-DA=1"});
  // The table's array is appended, its other keys join; both are hashed.
  CHECK(with_extended.string_list("cmake_args") == std::vector<std::string>{"-DA=1", "-DFEATURE_eglfs=OFF"});
  CHECK(with_extended.options.at("subdir").as_string() == "src");
  CHECK(with_extended.content["options"]["cmake_args"][1] == "-DFEATURE_eglfs=OFF");
  CHECK(with_extended.content["options"]["subdir"] == "src");
  CHECK_FALSE(with_extended.content["options"].contains("table"));

  // A non-array key in both places is an error located at the recipe's line.
  REQUIRE_THROWS_MATCHES(
      parse_recipe(recipe_text("table = 'qt-2'\nsubdir = 'x'\n"), "recipes/p/qt.ini", inputs), Error,
      Catch::Message("recipes/p/qt.ini:8:1: 'subdir' is set both here and in section "
                     "[qt.options] of recipes/p/sources/qt-2.ini; keep it in one place (only "
                     "arrays add up: the table's items are appended)\nsubdir = 'x'\n^"));
  // A key the builder does not know, from the table, is quoted from the table.
  extended = make_table("qt-2", "[qt.options]\ncmake_argz = ['-DX=1']\n");
  REQUIRE_THROWS_WITH(parse_recipe(recipe_text("table = 'qt-2'\n"), "recipes/p/qt.ini", inputs),
                      Catch::Contains("recipes/p/sources/qt-2.ini:5:1: unknown key 'cmake_argz'"));
}
