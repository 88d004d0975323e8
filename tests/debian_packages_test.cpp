// Resolving a debian stage's packages for its lock: apt's simulated install
// and index records, read into locked packages; a locked .deb as a source.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "source/debian_packages.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using namespace xstage;

namespace {

const std::string k_simulated =
    "Reading package lists...\n"
    "Inst gcc-12-base (12.2.0-14 Debian:12.15/oldstable [arm64])\n"
    "Inst libc6 (2.36-9+deb12u14 Debian:12.15/oldstable, Debian-Security [arm64]) []\n"
    "Inst zlib1g (1:1.2.13.dfsg-1 Debian:12.15/oldstable [arm64])\n"
    "Conf gcc-12-base (12.2.0-14 Debian:12.15/oldstable [arm64])\n"
    "Conf libc6 (2.36-9+deb12u14 Debian:12.15/oldstable [arm64])\n"
    "Conf zlib1g (1:1.2.13.dfsg-1 Debian:12.15/oldstable [arm64])\n";

std::string stanza(const std::string& name, const std::string& version, char sha, const std::string& file) {
  return "Package: " + name + "\nVersion: " + version + "\nArchitecture: arm64\nDepends: x (>= 1)\n" +
         "Description: a package\n continued: not a field\nSize: 42\nSHA256: " + std::string(64, sha) +
         "\nFilename: " + file + "\n\n";
}

// Answers apt by what it is asked: update, a simulated install, index records.
class FakeApt : public process::CommandRunner {
public:
  using process::CommandRunner::run;
  std::vector<std::string> shown;
  process::CommandResult simulate_answer{0, k_simulated};
  std::string gone; // a NAME=VERSION the index no longer lists

  process::CommandResult run(const process::Invocation& invocation) override {
    const std::vector<std::string>& argv = invocation.argv;
    auto has = [&](const std::string& word) {
      return std::find(argv.begin(), argv.end(), word) != argv.end();
    };
    if (has("update")) {
      return {0, ""};
    }
    if (has("--simulate")) {
      return simulate_answer;
    }
    if (has("show") && !gone.empty() && has(gone)) {
      return {100, "E: Version '" + gone.substr(gone.find('=') + 1) + "' for '" +
                       gone.substr(0, gone.find('=')) + "' was not found\n"};
    }
    if (has("show")) {
      shown.assign(argv.end() - 3, argv.end());
      return {
          0,
          stanza("zlib1g", "1:1.2.13.dfsg-1", 'c', "pool/main/z/zlib/zlib1g_1.2.13.dfsg-1_arm64.deb") +
              stanza("libc6", "2.36-9+deb12u14", 'b', "pool/main/g/glibc/libc6_2.36-9+deb12u14_arm64.deb") +
              stanza("gcc-12-base", "12.2.0-14", 'a', "pool/main/g/gcc-12/gcc-12-base_12.2.0-14_arm64.deb")};
    }
    return {127, "not found"};
  }
};

} // namespace

TEST_CASE("a simulated install lists each package once, with version and architecture", "[source]") {
  std::vector<recipe::LockedPackage> installs = source::parse_simulated_installs(k_simulated);
  REQUIRE(installs.size() == 3);
  CHECK(installs[1].name == "libc6");
  CHECK(installs[1].version == "2.36-9+deb12u14");
  CHECK(installs[1].architecture == "arm64");
  CHECK(installs[2].version == "1:1.2.13.dfsg-1");
}

TEST_CASE("index stanzas give size, digest and pool file; continuation lines are skipped", "[source]") {
  auto packages = source::parse_package_stanzas(stanza("libc6", "2.36", 'b', "pool/main/g/glibc/libc6.deb"));
  REQUIRE(packages.size() == 1);
  CHECK(packages[0].size == 42);
  CHECK(packages[0].sha256 == std::string(64, 'b'));
  CHECK(packages[0].filename == "pool/main/g/glibc/libc6.deb");
}

TEST_CASE("resolving packages gives a sorted lock that parses back", "[source]") {
  FakeApt apt;
  std::filesystem::path root = test::make_temp_dir("apt");
  std::filesystem::path etc = test::make_temp_dir("etc-apt");
  test::write_file(etc / "sources.list",
                   "deb http://mirror.example.org/debian bookworm main\n"
                   "deb http://mirror.example.org/debian bookworm-updates main\n"
                   "deb http://mirror.example.org/debian-security bookworm-security main\n");
  source::DebianArchive archive(root, "http://mirror.example.org/debian", apt, etc);
  recipe::DebianLock lock = source::resolve_packages(archive, apt, "bookworm", "arm64", {"zlib1g", "libc6"});
  // The suite with the pockets the machine lists: fixes between point releases.
  std::string sources = test::read_file(root / "bookworm-arm64" / "sources.list");
  CHECK(sources.find("] http://mirror.example.org/debian bookworm main\n") != std::string::npos);
  CHECK(sources.find("] http://mirror.example.org/debian bookworm-updates main\n") != std::string::npos);
  CHECK(sources.find("] http://mirror.example.org/debian-security bookworm-security main\n") !=
        std::string::npos);
  CHECK(apt.shown ==
        std::vector<std::string>{"gcc-12-base=12.2.0-14", "libc6=2.36-9+deb12u14", "zlib1g=1:1.2.13.dfsg-1"});
  CHECK(lock.request == std::vector<std::string>{"libc6", "zlib1g"});
  REQUIRE(lock.packages.size() == 3);
  CHECK(lock.packages[0].name == "gcc-12-base");
  CHECK(lock.packages[2].sha256 == std::string(64, 'c'));
  recipe::DebianLock again =
      recipe::parse_debian_lock(recipe::format_debian_lock(lock, "base"), "recipes/t/base.lock");
  CHECK(again.packages.size() == 3);
}

TEST_CASE("a package apt cannot install is named with apt's complaint", "[source]") {
  FakeApt apt;
  apt.simulate_answer = {100, "Reading package lists...\nE: Unable to locate package no-such-package\n"};
  source::DebianArchive archive(test::make_temp_dir("apt"), "http://mirror.example.org/debian", apt,
                                test::make_temp_dir("etc-apt"));
  REQUIRE_THROWS_WITH(source::resolve_packages(archive, apt, "bookworm", "arm64", {"no-such-package"}),
                      Catch::StartsWith("cannot resolve the packages in Debian bookworm arm64: ") &&
                          Catch::Contains("no-such-package"));
  REQUIRE_THROWS_WITH(source::resolve_packages(archive, apt, "bookworm", "arm64", {"--option"}),
                      "'--option' is not a Debian package name");
}

TEST_CASE("a lock check names newer versions, versions gone from the index, and added packages", "[source]") {
  FakeApt apt;
  std::filesystem::path etc = test::make_temp_dir("etc-apt");
  source::DebianArchive archive(test::make_temp_dir("apt"), "http://mirror.example.org/debian", apt, etc);
  recipe::DebianLock locked =
      source::resolve_packages(archive, apt, "bookworm", "arm64", {"zlib1g", "libc6"});
  CHECK(source::check_lock(archive, apt, locked, {"zlib1g", "libc6"}).newer.empty());

  // Locked a security update ago: libc6 has moved on, and its old version has
  // left the index; gcc-12-base was not needed then.
  recipe::DebianLock stale = locked;
  stale.packages.erase(stale.packages.begin());
  stale.packages[0].version = "2.36-9+deb12u13";
  stale.packages.push_back(
      {"libold", "1.0", "arm64", 1, std::string(64, 'd'), "pool/main/l/libold/libold.deb"});
  apt.gone = "libc6=2.36-9+deb12u13";
  source::LockCheck check = source::check_lock(archive, apt, stale, {"zlib1g", "libc6"});
  CHECK(check.newer == std::vector<std::string>{"libc6 2.36-9+deb12u13 -> 2.36-9+deb12u14 (arm64)"});
  CHECK(check.gone == std::vector<std::string>{"libc6 2.36-9+deb12u13 (arm64)"});
  CHECK(check.added == std::vector<std::string>{"gcc-12-base 12.2.0-14 (arm64)"});
  CHECK(check.dropped == std::vector<std::string>{"libold 1.0 (arm64)"});
}

TEST_CASE("a locked .deb is a source at the mirror, checked by its digest, located at its line", "[source]") {
  recipe::LockedPackage package{
      "libc6", "2.36-9", "arm64", 42, std::string(64, 'b'), "pool/main/g/glibc/libc6_2.36-9_arm64.deb", 7};
  recipe::DebianLock lock;
  lock.display_path = "recipes/t/base.lock";
  recipe::Source source = source::locked_deb_source(
      package, lock, {"http://mirror.example.org/debian/", "http://mirror.example.org/debian-security"});
  CHECK(source.url == "http://mirror.example.org/debian/pool/main/g/glibc/libc6_2.36-9_arm64.deb");
  // A security update is in the security archive's pool until a point release.
  CHECK(source.mirrors ==
        std::vector<std::string>{
            "http://mirror.example.org/debian-security/pool/main/g/glibc/libc6_2.36-9_arm64.deb"});
  CHECK(source.file == "libc6_2.36-9_arm64.deb");
  CHECK(source.sha256 == std::string(64, 'b'));
  CHECK(source.location.line == 7);
  CHECK(source::locked_deb_source(package, lock, {}).url.empty());
}
