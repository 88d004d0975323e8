// Debian packages of a stage: the [package] section, the shlibs rule, the
// Depends line and the control file.
#include <catch2/catch.hpp>

#include "package/deb_package.hpp"
#include "package/shlibs.hpp"
#include "recipe/recipe.hpp"
#include "util/error.hpp"

using xstage::Error;
using xstage::recipe::parse_recipe;

namespace {

const std::string k_head =
    "[stage]\ndescription = 'x'\nbuilder = 'cmake'\n[source]\npath = 'src'\n[package]\n"
    "name = 'app'\nversion = '1.0'\nmaintainer = 'Team <team@example.org>'\n"
    "summary = 'an app'\ncopyright = 'main:COPYING'\n";

} // namespace

TEST_CASE("a [package] section is read and kept out of the stage key's content", "[package]") {
  auto recipe =
      parse_recipe(k_head + "depends = ['qt6-qpa-plugins']\ndate = '2026-12-07'\n"
                            "files = ['usr/share/applications/app.desktop = main:pkg/app.desktop']\n"
                            "scripts = ['postinst = main:pkg/postinst']\n",
                   "recipes/d/x.ini");
  REQUIRE(recipe.package);
  CHECK(recipe.package->name == "app");
  CHECK(recipe.package->prefix == "/usr");
  CHECK(recipe.package->section == "misc");
  CHECK(recipe.package->depends == std::vector<std::string>{"qt6-qpa-plugins"});
  REQUIRE(recipe.package->files.size() == 1);
  CHECK(recipe.package->files[0].destination == "usr/share/applications/app.desktop");
  CHECK(recipe.package->files[0].source == "main");
  CHECK(recipe.package->files[0].path == "pkg/app.desktop");
  CHECK(recipe.package->scripts.at(0).destination == "postinst");
  CHECK(recipe.package->copyright.destination == "usr/share/doc/app/copyright");
  CHECK(recipe.package->copyright.path == "COPYING");
  CHECK(!recipe.content.contains("package"));
}

TEST_CASE("a bad [package] section is located", "[package]") {
  auto section = [](const std::string& name, const std::string& version) {
    return "[stage]\ndescription = 'x'\nbuilder = 'cmake'\n[source]\npath = 'src'\n[package]\nname = '" +
           name + "'\nversion = '" + version +
           "'\nmaintainer = 'T <t@example.org>'\nsummary = 's'\n"
           "copyright = 'main:COPYING'\n";
  };
  REQUIRE_THROWS_MATCHES(
      parse_recipe(section("App", "1.0"), "recipes/d/x.ini"), Error,
      Catch::Message("recipes/d/x.ini:7:1: 'App' is not a Debian package name (lower case "
                     "letters, digits, '+', '-' and '.', like framegrab)\nname = 'App'\n^"));
  REQUIRE_THROWS_WITH(parse_recipe(section("app", "v1"), "recipes/d/x.ini"),
                      Catch::StartsWith("recipes/d/x.ini:8:1: 'v1' is not a Debian version"));
  REQUIRE_THROWS_WITH(
      parse_recipe(k_head + "files = ['usr/x = other:x']\n", "recipes/d/x.ini"),
      Catch::StartsWith("recipes/d/x.ini:12:1: 'usr/x = other:x' in 'files' of section [package]: write "
                        "DESTINATION = SOURCE:PATH"));
  REQUIRE_THROWS_WITH(parse_recipe(k_head + "files = ['/etc/passwd = main:x']\n", "recipes/d/x.ini"),
                      Catch::StartsWith("recipes/d/x.ini:12:1: '/etc/passwd = main:x'"));
  REQUIRE_THROWS_WITH(parse_recipe(k_head + "scripts = ['config = main:x']\n", "recipes/d/x.ini"),
                      Catch::StartsWith("recipes/d/x.ini:12:1: 'config' is not a maintainer script"));
  REQUIRE_THROWS_WITH(parse_recipe(k_head + "date = '7.12.2026'\n", "recipes/d/x.ini"),
                      Catch::StartsWith("recipes/d/x.ini:12:1: date '7.12.2026' must be YYYY-MM-DD"));
  REQUIRE_THROWS_WITH(parse_recipe(k_head + "prefix = '/usr/../etc'\n", "recipes/d/x.ini"),
                      Catch::StartsWith("recipes/d/x.ini:12:1: prefix '/usr/../etc' in section [package]"));
}

TEST_CASE("a [package] takes what differs between releases from a source table", "[package]") {
  xstage::recipe::SourceTable table;
  table.display_path = "recipes/d/sources/app-v2.ini";
  table.text =
      "[app]\ngit = 'https://example.org/app.git'\ncommit = '" + std::string(40, 'a') +
      "'\n[package]\nversion = '2.0'\nfiles = ['usr/share/app.desktop = main:packaging/app.desktop']\n";
  table.file.parse_text(table.text, table.display_path);
  xstage::recipe::RecipeInputs inputs;
  inputs.table = [&](const std::string& name) { return name == "app-v2" ? &table : nullptr; };
  inputs.table_names = {"app-v2"};
  const std::string recipe_text =
      "[stage]\ndescription = 'x'\nbuilder = 'cmake'\n[source]\n"
      "table = 'app-v2'\n[package]\ntable = 'app-v2'\nname = 'app'\n"
      "maintainer = 'T <t@example.org>'\nsummary = 's'\ncopyright = 'main:COPYING'\n";
  auto recipe = parse_recipe(recipe_text, "recipes/d/app.ini", inputs);
  REQUIRE(recipe.package);
  CHECK(recipe.package->version == "2.0");
  CHECK(recipe.package->files.at(0).path == "packaging/app.desktop");

  // A key in both places, and an error in the table's section, quoted from the table.
  REQUIRE_THROWS_MATCHES(parse_recipe(recipe_text + "version = '2.1'\n", "recipes/d/app.ini", inputs), Error,
                         Catch::Message("recipes/d/app.ini:12:1: 'version' is set both here and in section "
                                        "[package] of recipes/d/sources/app-v2.ini; keep it in one place\n"
                                        "version = '2.1'\n^"));
  table.text += "section = 7\n";
  table.file = {};
  table.file.parse_text(table.text, table.display_path);
  REQUIRE_THROWS_MATCHES(
      parse_recipe(recipe_text, "recipes/d/app.ini", inputs), Error,
      Catch::Message("recipes/d/sources/app-v2.ini:7:1: key 'section' in section [package] "
                     "must be a string, got integer\nsection = 7\n^"));
}

TEST_CASE("shlibs lines answer both soname forms, and the first package keeps a soname", "[package]") {
  xstage::package::SharedLibraryDependencies libraries;
  libraries.add_shlibs("libQt6Core 6 libqt6core6 (>= 6.4.2)\nudeb: libz 1 zlib1g-udeb\n# comment\n",
                       "libqt6core6");
  libraries.add_shlibs("libQt6Core 6 other\nlibfoo 1.2 libfoo1.2 (>= 1.2-3)\n", "other");
  CHECK(libraries.dependency_of("libQt6Core.so.6") == "libqt6core6 (>= 6.4.2)");
  CHECK(libraries.dependency_of("libQt6Core-6.so") == "libqt6core6 (>= 6.4.2)");
  CHECK(libraries.dependency_of("libfoo-1.2.so") == "libfoo1.2 (>= 1.2-3)");
  CHECK(libraries.dependency_of("libz.so.1").empty());
}

TEST_CASE("a malformed shlibs line names the package and the line", "[package]") {
  xstage::package::SharedLibraryDependencies libraries;
  REQUIRE_THROWS_MATCHES(libraries.add_shlibs("libok 1 ok\nlibbad 1\n", "libbad1"), Error,
                         Catch::Message("shlibs file of package libbad1, line 2: expected 'LIBRARY VERSION "
                                        "DEPENDENCY', got 'libbad 1'"));
}

TEST_CASE("the Depends line lists each dependency once, sorted", "[package]") {
  CHECK(xstage::package::depends_line(
            {"libc6 (>= 2.34)", "qt6-qpa-plugins", "libc6 (>= 2.34)", "libgl1, libegl1"}) ==
        "libc6 (>= 2.34), libegl1, libgl1, qt6-qpa-plugins");
  CHECK(xstage::package::depends_line({}).empty());
}

TEST_CASE("the control file holds the package's fields and the computed ones", "[package]") {
  auto recipe = parse_recipe(k_head + "description = 'longer words'\nhomepage = 'https://example.org'\n",
                             "recipes/d/x.ini");
  xstage::package::DebInputs inputs;
  inputs.spec = &*recipe.package;
  inputs.architecture = "arm64";
  inputs.depends = "libc6 (>= 2.34)";
  CHECK(xstage::package::control_text(inputs, 42) ==
        "Package: app\nVersion: 1.0\nArchitecture: arm64\nMaintainer: Team <team@example.org>\n"
        "Installed-Size: 42\nDepends: libc6 (>= 2.34)\nSection: misc\nPriority: optional\n"
        "Homepage: https://example.org\nDescription: an app\n longer words\n");
}
