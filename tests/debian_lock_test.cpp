// Debian lockfiles: parsing with located errors, the text `xstage lock`
// writes, and when a lock no longer answers its recipe.
#include <catch2/catch.hpp>

#include <string>

#include "recipe/debian_lock.hpp"
#include "recipe/recipe.hpp"
#include "util/error.hpp"

using namespace xstage;

namespace {

const std::string k_sha_a(64, 'a');
const std::string k_sha_b(64, 'b');

std::string lock_text(const std::string& packages) {
  return "# a comment\nsuite bookworm\narchitecture arm64\nrequest zlib1g\n" + packages;
}

std::string package_line(const std::string& name, const std::string& version, const std::string& sha) {
  return "package " + name + " " + version + " arm64 1234 " + sha + " pool/main/z/zlib/" + name + "_" +
         version + "_arm64.deb\n";
}

recipe::Recipe base_recipe(const std::string& packages, const std::string& extra = "") {
  return recipe::parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'debian'\n[options]\npackages = [" +
                                  packages + "]\n" + extra,
                              "recipes/t/base.ini");
}

} // namespace

TEST_CASE("a lock parses into sorted packages with their lines", "[recipe]") {
  recipe::DebianLock lock =
      recipe::parse_debian_lock(lock_text(package_line("zlib1g", "1:1.2.13.dfsg-1", k_sha_a) +
                                          package_line("libc6", "2.36-9", k_sha_b)),
                                "recipes/t/base.lock");
  CHECK(lock.suite == "bookworm");
  CHECK(lock.architecture == "arm64");
  CHECK(lock.request == std::vector<std::string>{"zlib1g"});
  REQUIRE(lock.packages.size() == 2);
  CHECK(lock.packages[0].name == "libc6");
  CHECK(lock.packages[0].line == 6);
  CHECK(lock.packages[1].version == "1:1.2.13.dfsg-1");
  CHECK(lock.packages[1].size == 1234);
  CHECK(lock.packages[1].filename == "pool/main/z/zlib/zlib1g_1:1.2.13.dfsg-1_arm64.deb");
}

TEST_CASE("a formatted lock reads back the same, sorted", "[recipe]") {
  recipe::DebianLock lock = recipe::parse_debian_lock(
      lock_text(package_line("zlib1g", "1.2.13", k_sha_a) + package_line("libc6", "2.36-9", k_sha_b)),
      "recipes/t/base.lock");
  std::string text = recipe::format_debian_lock(lock, "base");
  CHECK(text.find("package libc6 ") < text.find("package zlib1g "));
  CHECK(text.find("`xstage lock base`") != std::string::npos);
  recipe::DebianLock again = recipe::parse_debian_lock(text, "recipes/t/base.lock");
  CHECK(recipe::format_debian_lock(again, "base") == text);
}

TEST_CASE("a bad lock record names the file, the line and the culprit", "[recipe]") {
  auto error_of = [](const std::string& text) {
    try {
      recipe::parse_debian_lock(text, "recipes/t/base.lock");
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  CHECK(error_of(lock_text(package_line("libc6", "2.36", k_sha_a) + "pakage x\n")) ==
        "recipes/t/base.lock:6: unknown record 'pakage' (a lock has suite, architecture, request and package "
        "lines)");
  CHECK_THAT(error_of(lock_text(package_line("libc6", "2.36", "ABC"))),
             Catch::StartsWith("recipes/t/base.lock:5: 'ABC' is not a SHA-256") && Catch::Contains("libc6"));
  CHECK_THAT(error_of(lock_text(package_line("libc6", "v2", k_sha_a))),
             Catch::StartsWith("recipes/t/base.lock:5: 'v2' is not a Debian version (package libc6)"));
  CHECK_THAT(
      error_of(lock_text("package libc6 2.36 arm64 12 " + k_sha_a + " ../../etc/passwd.deb\n")),
      Catch::StartsWith("recipes/t/base.lock:5: '../../etc/passwd.deb' is not a .deb under the archive's"));
  CHECK_THAT(error_of(lock_text("package libc6 2.36 arm64 -3 " + k_sha_a + " pool/main/g/libc6_2.36.deb\n")),
             Catch::StartsWith("recipes/t/base.lock:5: '-3' is not a size in bytes"));
  CHECK_THAT(error_of(lock_text("package libc6 2.36 arm64\n")),
             Catch::StartsWith("recipes/t/base.lock:5: 'package' takes 6 fields"));
  CHECK(
      error_of(lock_text(package_line("libc6", "2.36", k_sha_a) + package_line("libc6", "2.37", k_sha_b))) ==
      "recipes/t/base.lock:6: package libc6:arm64 is locked twice (also on line 5)");
  CHECK_THAT(error_of("request zlib1g\n" + package_line("libc6", "2.36", k_sha_a)),
             Catch::StartsWith("recipes/t/base.lock:2: the lock names no suite"));
  CHECK_THAT(error_of(lock_text("")), Catch::Contains("the lock has no packages"));
  CHECK_THAT(error_of(lock_text("request Bad_Name\n" + package_line("libc6", "2.36", k_sha_a))),
             Catch::StartsWith("recipes/t/base.lock:5: 'Bad_Name' is not a Debian package name"));
}

TEST_CASE("a lock is stale when the recipe asks for other packages, suite or architecture", "[recipe]") {
  recipe::DebianLock lock =
      recipe::parse_debian_lock(lock_text(package_line("zlib1g", "1.2.13", k_sha_a)), "recipes/t/base.lock");
  CHECK_FALSE(recipe::stale_lock_reason(lock, base_recipe("'zlib1g'")));
  CHECK(recipe::stale_lock_reason(lock, base_recipe("'zlib1g', 'libpng-dev'")) ==
        "recipes/t/base.lock locks other packages than base.ini asks for: it now also asks for libpng-dev");
  CHECK(recipe::stale_lock_reason(lock, base_recipe("'zlib1g'", "suite = 'trixie'\n")) ==
        "recipes/t/base.lock locks suite bookworm, but the recipe asks for trixie");
  CHECK(recipe::stale_lock_reason(lock, base_recipe("'zlib1g'", "architecture = 'armhf'\n")) ==
        "recipes/t/base.lock locks architecture arm64, but the recipe asks for armhf");
}

TEST_CASE("Debian package names follow policy", "[recipe]") {
  CHECK(recipe::is_debian_package_name("libqt6widgets6"));
  CHECK(recipe::is_debian_package_name("g++-12"));
  CHECK_FALSE(recipe::is_debian_package_name("a"));
  CHECK_FALSE(recipe::is_debian_package_name("-option"));
  CHECK_FALSE(recipe::is_debian_package_name("Zlib"));
  CHECK_FALSE(recipe::is_debian_package_name("../x"));
}
