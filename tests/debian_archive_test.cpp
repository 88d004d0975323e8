// The Debian mirror read from the machine's apt configuration, and xstage's
// own apt configuration per suite.
#include <catch2/catch.hpp>

#include "fake_runner.hpp"
#include "source/debian_archive.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

using xstage::source::debian_mirror;
using xstage::source::DebianArchive;
using xstage::test::make_temp_dir;
using xstage::test::read_file;
using xstage::test::write_file;

TEST_CASE("the mirror comes from a deb822 sources file, skipping other distributions", "[source]") {
  fs::path etc = make_temp_dir("apt");
  write_file(etc / "sources.list.d/a-vendor.sources",
             "Types: deb\nURIs: https://apt.example.com/vendor\nSuites: nodistro\nComponents: main\n");
  write_file(
      etc / "sources.list.d/debian.sources",
      "Types: deb\n# a comment\nURIs: http://mirror.example.org/debian\nSuites: bookworm bookworm-updates\n"
      "Components: main\n\nTypes: deb\nURIs: http://mirror.example.org/debian-security\n"
      "Suites: bookworm-security\nComponents: main\n");
  CHECK(debian_mirror(etc) == "http://mirror.example.org/debian");
  std::vector<xstage::source::AptEntry> pockets = xstage::source::debian_pockets("bookworm", etc);
  REQUIRE(pockets.size() == 2);
  CHECK(pockets[0].suite == "bookworm-updates");
  CHECK(pockets[0].uri == "http://mirror.example.org/debian");
  CHECK(pockets[1].suite == "bookworm-security");
  CHECK(pockets[1].uri == "http://mirror.example.org/debian-security");
  CHECK(xstage::source::debian_pockets("trixie", etc).empty());
  CHECK(xstage::source::debian_archive_uris(etc) ==
        std::vector<std::string>{"http://mirror.example.org/debian",
                                 "http://mirror.example.org/debian-security"});
}

TEST_CASE("the mirror comes from a one-line sources.list with options", "[source]") {
  fs::path etc = make_temp_dir("apt");
  write_file(etc / "sources.list", "# deb http://old.example.org/debian bookworm main\n"
                                   "deb [arch=amd64 signed-by=/k.gpg] http://proxy.example.net:3142/debian "
                                   "bookworm main\n");
  CHECK(debian_mirror(etc) == "http://proxy.example.net:3142/debian");
  CHECK(debian_mirror(make_temp_dir("apt")) == std::nullopt);
}

TEST_CASE("a suite's sources are read with a private apt configuration, updated once", "[source]") {
  fs::path root = make_temp_dir("apt");
  xstage::test::FakeRunner runner;
  DebianArchive archive(root, "http://mirror.example.org/debian", runner);
  auto dir = root / "trixie";
  std::string update =
      "apt-get -o Dir::Etc::sourcelist=" + (dir / "sources.list").string() +
      " -o Dir::Etc::sourceparts=- -o Dir::State::Lists=" + (dir / "lists").string() +
      " -o Dir::Cache=" + (dir / "cache").string() +
      " -o APT::Get::List-Cleanup=0 -o Acquire::IndexTargets::deb::Packages::DefaultEnabled=false"
      " update";
  runner.answers[update] = {0, ""};
  std::vector<std::string> apt = archive.apt_get("trixie");
  CHECK(archive.apt_get("trixie") == apt);
  REQUIRE(runner.commands == std::vector<std::string>{update});
  CHECK(read_file(root / "trixie/sources.list") ==
        "# Written by xstage: Debian trixie sources at the machine's own mirror.\n"
        "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example.org/debian "
        "trixie main\n");
  CHECK(apt[2] == "Dir::Etc::sourcelist=" + (root / "trixie/sources.list").string());
  CHECK(apt[4] == "Dir::Etc::sourceparts=-");
}

TEST_CASE("a suite whose index cannot be read is named with apt's complaint", "[source]") {
  xstage::test::FakeRunner runner;
  DebianArchive archive(make_temp_dir("apt"), "http://mirror.example.org/debian", runner);
  REQUIRE_THROWS_MATCHES(archive.apt_get("trixie"), xstage::Error,
                         Catch::Message("cannot read Debian trixie's source index from "
                                        "http://mirror.example.org/debian: not found"));
  REQUIRE_THROWS_MATCHES(archive.apt_get("../etc"), xstage::Error,
                         Catch::Message("'../etc' is not a Debian suite name"));
}
