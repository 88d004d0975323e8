// Fetching pinned archives (cache, mirror directories, Debian, libcurl) and git checkouts.
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>

#include "local_registry.hpp"
#include "process/spawn.hpp"
#include "source/fetch.hpp"
#include "test_support.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using xstage::Error;
using xstage::process::CommandResult;
using xstage::process::Invocation;
using xstage::recipe::Source;
using xstage::recipe::SourceKind;
using xstage::source::checkout_git;
using xstage::source::fetch_archive;
using xstage::source::FetchOptions;
using xstage::test::make_temp_dir;
using xstage::test::read_file;
using xstage::test::write_file;
using xstage::util::Digest;

namespace {

const std::string k_content = "the archive's bytes";
const std::string k_pin = Digest::of(k_content).hex();

// Records commands and answers through a function, which may write files.
class ScriptedRunner : public xstage::process::CommandRunner {
public:
  std::function<CommandResult(const Invocation&)> answer;
  std::vector<std::string> commands;

  using CommandRunner::run;
  CommandResult run(const Invocation& invocation) override {
    commands.push_back(xstage::process::quote_command(invocation.argv));
    return answer ? answer(invocation) : CommandResult{127, "not found"};
  }
};

Source archive(std::string url, std::string debian_source = "") {
  Source source;
  source.name = "main";
  source.url = std::move(url);
  source.sha256 = k_pin;
  source.debian_source = std::move(debian_source);
  return source;
}

FetchOptions offline(const fs::path& root) {
  FetchOptions options;
  options.downloads = root / "downloads";
  options.use_network = false;
  return options;
}

std::string print_uris_line(const std::string& name, const std::string& digest) {
  return "'http://mirror.example.org/debian/pool/main/p/pkg/" + name + "' " + name + " 42 SHA256:" + digest +
         "\n";
}

} // namespace

TEST_CASE("a file in a mirror directory is copied into the downloads cache", "[source]") {
  auto root = make_temp_dir("fetch");
  write_file(root / "mirror" / "pkg-1.0.tar.xz", k_content);
  auto options = offline(root);
  options.mirror_dirs = {root / "empty", root / "mirror"};
  ScriptedRunner runner;
  fs::path fetched = fetch_archive(archive("https://example.org/pkg-1.0.tar.xz?raw=1"), options, runner);
  CHECK(fetched == root / "downloads" / k_pin / "pkg-1.0.tar.xz");
  CHECK(read_file(fetched) == k_content);
  CHECK((fs::status(fetched).permissions() & fs::perms::others_read) == fs::perms::others_read);
  CHECK(fs::exists(root / "mirror" / "pkg-1.0.tar.xz"));
  CHECK(runner.commands.empty());
}

TEST_CASE("a verified file in the downloads cache is used before any other place", "[source]") {
  auto root = make_temp_dir("fetch");
  write_file(root / "downloads" / k_pin / "pkg-1.0.tar.xz", k_content);
  write_file(root / "mirror" / "pkg-1.0.tar.xz", "other bytes");
  auto options = offline(root);
  options.mirror_dirs = {root / "mirror"};
  ScriptedRunner runner;
  fs::path fetched = fetch_archive(archive("https://example.org/pkg-1.0.tar.xz", "pkg"), options, runner);
  CHECK(fetched == root / "downloads" / k_pin / "pkg-1.0.tar.xz");
  CHECK(runner.commands.empty());
}

TEST_CASE("a corrupt downloads cache entry is removed and fetched again", "[source]") {
  auto root = make_temp_dir("fetch");
  write_file(root / "downloads" / k_pin / "pkg-1.0.tar.xz", "bit rot");
  write_file(root / "mirror" / "pkg-1.0.tar.xz", k_content);
  auto options = offline(root);
  options.mirror_dirs = {root / "mirror"};
  ScriptedRunner runner;
  fs::path fetched = fetch_archive(archive("https://example.org/pkg-1.0.tar.xz"), options, runner);
  CHECK(read_file(fetched) == k_content);
}

TEST_CASE("a mirror file with another digest is an error naming both digests, and nothing is kept",
          "[source]") {
  auto root = make_temp_dir("fetch");
  write_file(root / "mirror" / "pkg-1.0.tar.xz", "tampered");
  auto options = offline(root);
  options.mirror_dirs = {root / "mirror"};
  ScriptedRunner runner;
  REQUIRE_THROWS_MATCHES(fetch_archive(archive("https://example.org/pkg-1.0.tar.xz"), options, runner), Error,
                         Catch::Message("checksum mismatch for pkg-1.0.tar.xz from " +
                                        (root / "mirror" / "pkg-1.0.tar.xz").string() + ": expected " +
                                        k_pin + ", got " + Digest::of("tampered").hex()));
  CHECK(fs::is_empty(root / "downloads"));
}

TEST_CASE("when no place has the file, the error lists each place and why", "[source]") {
  auto root = make_temp_dir("fetch");
  auto options = offline(root);
  options.mirror_dirs = {root / "mirror"};
  ScriptedRunner runner;
  runner.answer = [](const Invocation&) {
    return CommandResult{100, "Reading package lists...\nE: Unable to find a source package for pkg\n"};
  };
  Source source = archive("https://example.org/pkg-1.0.tar.xz", "pkg");
  source.mirrors = {"https://mirror.example.org/pkg-1.0.tar.xz"};
  source.location = {"recipes/demo/pkg.ini", 12, 1};
  REQUIRE_THROWS_MATCHES(
      fetch_archive(source, options, runner), Error,
      Catch::Message("cannot fetch pkg-1.0.tar.xz (sha256 " + k_pin +
                     ") for source 'main' of recipes/demo/pkg.ini:12; tried:\n"
                     "  downloads cache " +
                     (root / "downloads" / k_pin / "pkg-1.0.tar.xz").string() +
                     ": not there\n"
                     "  mirror directory " +
                     (root / "mirror").string() +
                     ": no pkg-1.0.tar.xz\n"
                     "  debian source package pkg: `apt-get source --print-uris pkg` exited with 100: "
                     "E: Unable to find a source package for pkg\n"
                     "  https://example.org/pkg-1.0.tar.xz: not tried (the network is off)\n"
                     "  https://mirror.example.org/pkg-1.0.tar.xz: not tried (the network is off)"));
}

TEST_CASE("a debian source package is used when apt offers the pinned digest", "[source]") {
  auto root = make_temp_dir("fetch");
  auto options = offline(root);
  ScriptedRunner runner;
  fs::path scratch;
  runner.answer = [&](const Invocation& invocation) {
    if (invocation.argv[2] == "--print-uris") {
      return CommandResult{0, "Reading package lists...\n" +
                                  print_uris_line("pkg_1.0-1.dsc", Digest::of("dsc").hex()) +
                                  print_uris_line("pkg_1.0.orig.tar.xz", k_pin)};
    }
    scratch = invocation.cwd;
    write_file(scratch / "pkg_1.0-1.dsc", "dsc");
    write_file(scratch / "pkg_1.0.orig.tar.xz", k_content);
    return CommandResult{0, "Download complete and in download only mode\n"};
  };
  fs::path fetched = fetch_archive(archive("https://example.org/pkg-1.0.tar.xz", "pkg"), options, runner);
  CHECK(fetched == root / "downloads" / k_pin / "pkg-1.0.tar.xz");
  CHECK(read_file(fetched) == k_content);
  CHECK(runner.commands ==
        std::vector<std::string>{"apt-get source --print-uris pkg", "apt-get source --download-only pkg"});
  CHECK(scratch.parent_path() == root / "downloads");
  CHECK_FALSE(fs::exists(scratch));
}

TEST_CASE("a debian source package of another version is not downloaded", "[source]") {
  auto root = make_temp_dir("fetch");
  auto options = offline(root);
  ScriptedRunner runner;
  runner.answer = [](const Invocation&) {
    return CommandResult{0, print_uris_line("pkg_2.0.orig.tar.xz", Digest::of("2.0").hex()) +
                                print_uris_line("pkg_2.0.orig.tar.xz.asc", Digest::of("sig").hex())};
  };
  auto source = archive("https://example.org/pkg-1.0.tar.xz", "pkg");
  REQUIRE_THROWS_WITH(fetch_archive(source, options, runner),
                      Catch::Contains("  debian source package pkg: checksum mismatch: no file with sha256 " +
                                      source.sha256 + " (apt offers pkg_2.0.orig.tar.xz with sha256 " +
                                      Digest::of("2.0").hex() + ")\n"));
  CHECK(runner.commands == std::vector<std::string>{"apt-get source --print-uris pkg"});
}

TEST_CASE("a debian file that is not what apt promised is a checksum mismatch", "[source]") {
  auto root = make_temp_dir("fetch");
  auto options = offline(root);
  ScriptedRunner runner;
  runner.answer = [](const Invocation& invocation) {
    if (invocation.argv[2] == "--print-uris") {
      return CommandResult{0, print_uris_line("pkg_1.0.orig.tar.xz", k_pin)};
    }
    write_file(invocation.cwd / "pkg_1.0.orig.tar.xz", "repacked");
    return CommandResult{0, ""};
  };
  REQUIRE_THROWS_MATCHES(fetch_archive(archive("https://example.org/pkg-1.0.tar.xz", "pkg"), options, runner),
                         Error,
                         Catch::Message("checksum mismatch for pkg-1.0.tar.xz from debian source package pkg "
                                        "(pkg_1.0.orig.tar.xz): expected " +
                                        k_pin + ", got " + Digest::of("repacked").hex()));
  CHECK(fs::is_empty(root / "downloads"));
}

TEST_CASE("a file:// url is downloaded with libcurl, verified and reported", "[source]") {
  auto root = make_temp_dir("fetch");
  write_file(root / "served" / "pkg-1.0.tar.xz", k_content);
  auto options = offline(root);
  options.use_network = true;
  std::uint64_t last_done = 0;
  options.progress = [&](const std::string&, std::uint64_t done, std::uint64_t) { last_done = done; };
  Source source = archive("file://" + (root / "missing" / "pkg-1.0.tar.xz").string());
  source.mirrors = {"file://" + (root / "served" / "pkg-1.0.tar.xz").string()};
  ScriptedRunner runner;
  fs::path fetched = fetch_archive(source, options, runner);
  CHECK(fetched == root / "downloads" / k_pin / "pkg-1.0.tar.xz");
  CHECK(read_file(fetched) == k_content);
  CHECK(last_done == k_content.size());
}

TEST_CASE("a downloaded file with another digest is a checksum mismatch naming the url", "[source]") {
  auto root = make_temp_dir("fetch");
  write_file(root / "served" / "pkg-1.0.tar.xz", "not it");
  auto options = offline(root);
  options.use_network = true;
  std::string url = "file://" + (root / "served" / "pkg-1.0.tar.xz").string();
  ScriptedRunner runner;
  REQUIRE_THROWS_MATCHES(fetch_archive(archive(url), options, runner), Error,
                         Catch::Message("checksum mismatch for pkg-1.0.tar.xz from " + url + ": expected " +
                                        k_pin + ", got " + Digest::of("not it").hex()));
  CHECK(fs::is_empty(root / "downloads"));
}

TEST_CASE("http to a closed port fails fast and says why", "[source]") {
  auto root = make_temp_dir("fetch");
  auto options = offline(root);
  options.use_network = true;
  ScriptedRunner runner;
  auto start = std::chrono::steady_clock::now();
  REQUIRE_THROWS_WITH(
      fetch_archive(archive("http://127.0.0.1:1/pkg-1.0.tar.xz"), options, runner),
      Catch::Contains("\n  http://127.0.0.1:1/pkg-1.0.tar.xz: Failed to connect to 127.0.0.1 port 1"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  CHECK(fs::is_empty(root / "downloads"));
}

TEST_CASE("an http error status is why a download failed", "[source]") {
  xstage::test::LocalRegistry server; // any http server: it has no such path
  auto root = make_temp_dir("fetch");
  auto options = offline(root);
  options.use_network = true;
  ScriptedRunner runner;
  std::string url = "http://" + server.host() + "/pkg-1.0.tar.xz";
  REQUIRE_THROWS_WITH(fetch_archive(archive(url), options, runner),
                      Catch::Contains("\n  " + url + ": HTTP 404"));
  CHECK(fs::is_empty(root / "downloads"));
}

namespace {

// A repository with two commits; returns their ids, oldest first.
std::vector<std::string> make_repository(const fs::path& repository) {
  xstage::process::SpawnRunner git;
  std::vector<std::string> commits;
  auto run = [&](std::vector<std::string> argv) {
    auto result = git.run(argv);
    REQUIRE(result.exit_code == 0);
    return result.output;
  };
  run({"git", "init", "--quiet", repository.string()});
  for (const char* version : {"one", "two"}) {
    write_file(repository / "VERSION", version);
    run({"git", "-C", repository.string(), "add", "VERSION"});
    run({"git", "-C", repository.string(), "-c", "user.name=t", "-c", "user.email=t@example.org", "commit",
         "--quiet", "-m", version});
    commits.push_back(run({"git", "-C", repository.string(), "rev-parse", "HEAD"}).substr(0, 40));
  }
  return commits;
}

Source git_source(const fs::path& repository, std::string commit) {
  Source source;
  source.name = "main";
  source.kind = SourceKind::git;
  source.git = repository.string();
  source.commit = std::move(commit);
  return source;
}

} // namespace

TEST_CASE("a git source is checked out at its pinned commit, then from the cache alone", "[source]") {
  auto root = make_temp_dir("git");
  auto commits = make_repository(root / "repo");
  FetchOptions options;
  options.downloads = root / "downloads";
  xstage::process::SpawnRunner runner;
  checkout_git(git_source(root / "repo", commits[0]), options, root / "work", runner);
  CHECK(read_file(root / "work" / "VERSION") == "one");
  fs::remove_all(root / "repo");
  options.use_network = false;
  checkout_git(git_source(root / "repo", commits[0]), options, root / "again", runner);
  CHECK(read_file(root / "again" / "VERSION") == "one");
}

TEST_CASE("a commit the repository does not have fails clearly", "[source]") {
  auto root = make_temp_dir("git");
  make_repository(root / "repo");
  FetchOptions options;
  options.downloads = root / "downloads";
  xstage::process::SpawnRunner runner;
  std::string missing(40, 'a');
  REQUIRE_THROWS_MATCHES(checkout_git(git_source(root / "repo", missing), options, root / "work", runner),
                         Error,
                         Catch::Message("commit " + missing + " of " + (root / "repo").string() +
                                        " for source 'main' was found nowhere; tried:\n  git cache " +
                                        (options.downloads / "git").string() + "/" +
                                        xstage::util::Digest::of((root / "repo").string()).hex() +
                                        ".git: no such commit\n  " + (root / "repo").string() +
                                        ": no such commit (fetched by id and with all branches and tags)"));
  CHECK_FALSE(fs::exists(root / "work"));
}

TEST_CASE("a git checkout refuses a non-empty destination", "[source]") {
  auto root = make_temp_dir("git");
  write_file(root / "work" / "old", "x");
  FetchOptions options;
  options.downloads = root / "downloads";
  xstage::process::SpawnRunner runner;
  REQUIRE_THROWS_MATCHES(
      checkout_git(git_source(root / "repo", std::string(40, 'a')), options, root / "work", runner), Error,
      Catch::Message("cannot check out " + (root / "repo").string() + " into " + (root / "work").string() +
                     ": the directory is not empty"));
}

TEST_CASE("a git source comes from a mirror directory's repository when upstream is unreachable",
          "[source]") {
  auto root = make_temp_dir("git");
  auto commits = make_repository(root / "mirrors" / "qt+qtsvg");
  make_repository(root / "mirrors" / "other");
  FetchOptions options;
  options.downloads = root / "downloads";
  options.mirror_dirs = {root / "mirrors"};
  xstage::process::SpawnRunner runner;
  // The recipe's URL does not resolve; the commit id is what pins the tree.
  checkout_git(git_source("https://git.example.org/qt/qtsvg.git", commits[0]), options, root / "work",
               runner);
  CHECK(read_file(root / "work" / "VERSION") == "one");
}

TEST_CASE("a commit no mirror has lists every place tried", "[source]") {
  auto root = make_temp_dir("git");
  make_repository(root / "mirrors" / "a");
  FetchOptions options;
  options.downloads = root / "downloads";
  options.mirror_dirs = {root / "mirrors", root / "empty"};
  options.use_network = false;
  xstage::process::SpawnRunner runner;
  std::string missing(40, 'b');
  std::string url = "https://git.example.org/a.git";
  REQUIRE_THROWS_MATCHES(
      checkout_git(git_source(url, missing), options, root / "work", runner), Error,
      Catch::Message("commit " + missing + " of " + url +
                     " is not in the git cache or a mirror, and the network is off; tried:\n  git cache " +
                     (options.downloads / "git").string() + "/" + xstage::util::Digest::of(url).hex() +
                     ".git: no such commit\n  mirror repository " + (root / "mirrors" / "a").string() +
                     ": no such commit\n  mirror directory " + (root / "empty").string() +
                     ": no git repository"));
}
