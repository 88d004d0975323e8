// layer::extract_deb: Debian packages' files under the layer policy.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "crafted_archive.hpp"
#include "layer/layer.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

using namespace xstage::layer;
using namespace xstage::test;

TEST_CASE("packages extract into one root, sharing directories", "[layer]") {
  auto dir = make_temp_dir("deb");
  write_crafted_deb(dir / "a.deb", "a",
                    {crafted_dir("./"), crafted_dir("./usr/"), crafted_dir("./usr/lib/"),
                     crafted_file("./usr/lib/liba.so.1", "a"),
                     crafted_symlink("./usr/lib/liba.so", "liba.so.1")});
  write_crafted_deb(dir / "b.deb", "b",
                    {crafted_dir("./"), crafted_dir("./usr/"), crafted_dir("./usr/lib/"),
                     crafted_file("./usr/lib/libb.so.1", "b", 0755)});
  PathOwners owners;
  extract_deb(dir / "a.deb", "a 1.0 arm64", dir / "root", owners);
  extract_deb(dir / "b.deb", "b 1.0 arm64", dir / "root", owners);
  CHECK(read_file(dir / "root/usr/lib/liba.so.1") == "a");
  CHECK(fs::read_symlink(dir / "root/usr/lib/liba.so") == "liba.so.1");
  CHECK((fs::status(dir / "root/usr/lib/libb.so.1").permissions() & fs::perms::owner_exec) !=
        fs::perms::none);
  CHECK(owners.at("usr/lib/libb.so.1") == "b 1.0 arm64");
}

// The attack dpkg-deb | tar let through: a directory symlink out of the root
// from one package, then a file below it from the next.
TEST_CASE("a package cannot write through another package's symlink onto the build machine", "[layer]") {
  auto dir = make_temp_dir("deb");
  fs::create_directories(dir / "host");
  write_crafted_deb(dir / "link.deb", "link",
                    {crafted_dir("./usr/"), crafted_dir("./usr/lib/"),
                     crafted_symlink("./usr/lib/evil-link", (dir / "host").string())});
  write_crafted_deb(dir / "payload.deb", "payload",
                    {crafted_dir("./usr/"), crafted_dir("./usr/lib/"), crafted_dir("./usr/lib/evil-link/"),
                     crafted_file("./usr/lib/evil-link/owned", "x")});
  PathOwners owners;
  extract_deb(dir / "link.deb", "link 1.0 arm64", dir / "root", owners);
  REQUIRE_THROWS_WITH(extract_deb(dir / "payload.deb", "payload 1.0 arm64", dir / "root", owners),
                      "refusing package payload 1.0 arm64 (payload.deb): entry './usr/lib/evil-link/' is "
                      "written through the symlink 'usr/lib/evil-link'");
  CHECK_FALSE(fs::exists(dir / "host/owned"));
}

TEST_CASE("a package's own hostile entries are refused, naming the package", "[layer]") {
  auto dir = make_temp_dir("deb");
  write_crafted_deb(dir / "up.deb", "up", {crafted_file("./../../escaped", "x")});
  write_crafted_deb(dir / "node.deb", "node", {crafted_node("./dev/mem", AE_IFCHR)});
  PathOwners owners;
  REQUIRE_THROWS_WITH(extract_deb(dir / "up.deb", "up 1.0 arm64", dir / "root", owners),
                      "refusing package up 1.0 arm64 (up.deb): entry './../../escaped' leaves the root");
  REQUIRE_THROWS_WITH(extract_deb(dir / "node.deb", "node 1.0 arm64", dir / "root", owners),
                      "refusing package node 1.0 arm64 (node.deb): entry './dev/mem' is a character device");
  CHECK_FALSE(fs::exists(dir.parent_path() / "escaped"));
}

TEST_CASE("two packages shipping the same file is a conflict naming both", "[layer]") {
  auto dir = make_temp_dir("deb");
  write_crafted_deb(dir / "a.deb", "a", {crafted_file("./usr/bin/tool", "a")});
  write_crafted_deb(dir / "b.deb", "b", {crafted_file("./usr/bin/tool", "b")});
  PathOwners owners;
  extract_deb(dir / "a.deb", "a 1.0 arm64", dir / "root", owners);
  REQUIRE_THROWS_WITH(extract_deb(dir / "b.deb", "b 1.0 arm64", dir / "root", owners),
                      "path usr/bin/tool is written by both package 'a 1.0 arm64' and package 'b 1.0 arm64'");
  CHECK(read_file(dir / "root/usr/bin/tool") == "a");
}

TEST_CASE("a file that is not a Debian package is refused by name", "[layer]") {
  auto dir = make_temp_dir("deb");
  write_file(dir / "junk.deb", "not an ar archive");
  PathOwners owners;
  REQUIRE_THROWS_WITH(extract_deb(dir / "junk.deb", "junk 1.0 arm64", dir / "root", owners),
                      Catch::StartsWith("cannot open package junk 1.0 arm64 (junk.deb): "));
}
