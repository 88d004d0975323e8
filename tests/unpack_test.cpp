// Unpacking source archives: stripping the top directory, refusing entries that escape.
#include <catch2/catch.hpp>

#include <archive_entry.h>

#include "crafted_archive.hpp"
#include "source/unpack.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using xstage::Error;
using xstage::source::unpack_archive;
using xstage::test::make_temp_dir;
using xstage::test::read_file;

namespace {

// One entry to write: a file (with content), a directory ("d"), a symlink
// ("l", to data), a hard link ("h", to data) or a character device ("c").
struct Entry {
  std::string name;
  char type = 'f';
  std::string data;
};

using Format = xstage::test::ArchiveFormat;

// Crafts an archive, as an attacker could.
void write_archive(const fs::path& path, const std::vector<Entry>& entries, Format format = Format::tar_xz) {
  std::vector<xstage::test::CraftedEntry> crafted;
  for (const Entry& item : entries) {
    switch (item.type) {
    case 'd': crafted.push_back(xstage::test::crafted_dir(item.name)); break;
    case 'l': crafted.push_back(xstage::test::crafted_symlink(item.name, item.data)); break;
    case 'h': crafted.push_back(xstage::test::crafted_hardlink(item.name, item.data)); break;
    case 'c': crafted.push_back(xstage::test::crafted_node(item.name, AE_IFCHR)); break;
    default: crafted.push_back(xstage::test::crafted_file(item.name, item.data)); break;
    }
  }
  xstage::test::write_crafted_archive(path, crafted, format);
}

// The error unpacking `entries` gives; `destination` and its scratch must not exist afterwards.
std::string refusal(const std::vector<Entry>& entries) {
  auto root = make_temp_dir("unpack");
  write_archive(root / "evil.tar.xz", entries);
  try {
    unpack_archive(root / "evil.tar.xz", root / "out" / "src");
  } catch (const Error& error) {
    CHECK_FALSE(fs::exists(root / "out" / "src"));
    CHECK(fs::is_empty(root / "out"));
    CHECK_FALSE(fs::exists(root / "escaped"));
    std::string message = error.what();
    std::string prefix = "cannot unpack " + (root / "evil.tar.xz").string() + ": ";
    REQUIRE(message.rfind(prefix, 0) == 0);
    return message.substr(prefix.size());
  }
  FAIL("the archive was unpacked");
  return "";
}

} // namespace

TEST_CASE("a single top-level directory is stripped, in every format", "[source]") {
  auto format = GENERATE(Format::tar_xz, Format::tar_gz, Format::tar_bz2, Format::tar_zst, Format::zip);
  auto root = make_temp_dir("unpack");
  write_archive(
      root / "pkg.archive",
      {{"pkg-1.0/", 'd', ""}, {"pkg-1.0/README", 'f', "read me"}, {"pkg-1.0/src/a.c", 'f', "int a;"}},
      format);
  unpack_archive(root / "pkg.archive", root / "src");
  CHECK(read_file(root / "src" / "README") == "read me");
  CHECK(read_file(root / "src" / "src" / "a.c") == "int a;");
  CHECK_FALSE(fs::exists(root / "src" / "pkg-1.0"));
  CHECK(std::vector<fs::path>(fs::directory_iterator(root), {}).size() == 2); // no scratch left
}

TEST_CASE("an archive with several top-level entries is unpacked as it is", "[source]") {
  auto root = make_temp_dir("unpack");
  write_archive(root / "flat.tar.gz", {{"./", 'd', ""}, {"./a", 'f', "A"}, {"./b/c", 'f', "C"}},
                Format::tar_gz);
  fs::create_directories(root / "src");
  unpack_archive(root / "flat.tar.gz", root / "src");
  CHECK(read_file(root / "src" / "a") == "A");
  CHECK(read_file(root / "src" / "b" / "c") == "C");
}

TEST_CASE("symlinks and hard links inside the tree are kept, and times too", "[source]") {
  auto root = make_temp_dir("unpack");
  write_archive(root / "pkg.tar.xz", {{"pkg/lib.so.1", 'f', "elf"},
                                      {"pkg/lib.so", 'l', "lib.so.1"},
                                      {"pkg/sub/up", 'l', "../lib.so.1"},
                                      {"pkg/copy", 'h', "pkg/lib.so.1"}});
  unpack_archive(root / "pkg.tar.xz", root / "src");
  CHECK(fs::read_symlink(root / "src" / "lib.so") == "lib.so.1");
  CHECK(read_file(root / "src" / "sub" / "up") == "elf");
  CHECK(fs::hard_link_count(root / "src" / "copy") == 2);
  auto mtime = fs::last_write_time(root / "src" / "lib.so.1");
  CHECK(std::chrono::duration_cast<std::chrono::seconds>(mtime.time_since_epoch()).count() ==
        std::chrono::duration_cast<std::chrono::seconds>(
            fs::file_time_type::clock::from_sys(std::chrono::sys_seconds(std::chrono::seconds(1700000000)))
                .time_since_epoch())
            .count());
}

TEST_CASE("unpacking refuses an entry with '..'", "[source]") {
  CHECK(refusal({{"pkg/a", 'f', "a"}, {"pkg/../../escaped", 'f', "x"}}) ==
        "entry 'pkg/../../escaped' has a path with '..'");
}

TEST_CASE("unpacking refuses an absolute entry path", "[source]") {
  CHECK(refusal({{"/tmp/escaped", 'f', "x"}}) == "entry '/tmp/escaped' has an absolute path");
}

TEST_CASE("unpacking refuses a symlink that points outside the tree", "[source]") {
  CHECK(refusal({{"pkg/a", 'f', "a"}, {"pkg/link", 'l', "../../escaped"}}) ==
        "entry 'pkg/link' is a symlink to '../../escaped', outside the tree");
  CHECK(refusal({{"pkg/link", 'l', "/etc/passwd"}}) ==
        "entry 'pkg/link' is a symlink to the absolute path '/etc/passwd'");
}

TEST_CASE("unpacking refuses symlink chains that only escape when followed", "[source]") {
  // Lexically a/up/a/up/.. is a/up/a, inside; on disk a/up is the root, so it is the root's parent.
  CHECK(refusal({{"a/", 'd', ""}, {"a/up", 'l', ".."}, {"a/z", 'l', "up/a/up/.."}}) ==
        "entry 'a/z' is a symlink to 'up/a/up/..', outside the tree");
}

TEST_CASE("unpacking refuses writing through a symlink", "[source]") {
  CHECK(refusal({{"pkg/out", 'l', "../.."}, {"pkg/out/escaped", 'f', "x"}}) ==
        "entry 'pkg/out/escaped' has a path through the symlink 'pkg/out'");
}

TEST_CASE("unpacking refuses a hard link to a file outside the tree", "[source]") {
  CHECK(refusal({{"pkg/a", 'h', "../escaped"}}) == "entry 'pkg/a' links to a path with '..'");
  CHECK(refusal({{"pkg/a", 'h', "/etc/passwd"}}) == "entry 'pkg/a' links to an absolute path");
}

TEST_CASE("unpacking refuses device nodes", "[source]") {
  CHECK(refusal({{"pkg/null", 'c', ""}}) == "entry 'pkg/null' is a device node, fifo or socket");
}

TEST_CASE("unpacking into a directory that has files is refused", "[source]") {
  auto root = make_temp_dir("unpack");
  write_archive(root / "pkg.tar.xz", {{"pkg/a", 'f', "a"}});
  xstage::test::write_file(root / "src" / "old", "x");
  REQUIRE_THROWS_MATCHES(unpack_archive(root / "pkg.tar.xz", root / "src"), Error,
                         Catch::Message("cannot unpack " + (root / "pkg.tar.xz").string() + " into " +
                                        (root / "src").string() +
                                        ": it exists and is not an empty directory"));
}

TEST_CASE("a file that is not an archive is named in the error", "[source]") {
  auto root = make_temp_dir("unpack");
  xstage::test::write_file(root / "page.html", "<html>404</html>");
  REQUIRE_THROWS_WITH(unpack_archive(root / "page.html", root / "src"),
                      Catch::StartsWith("cannot unpack " + (root / "page.html").string() + ": "));
  CHECK_FALSE(fs::exists(root / "src"));
}

TEST_CASE("a destination below a symlinked directory unpacks", "[source]") {
  auto root = make_temp_dir("unpack");
  write_archive(root / "pkg.tar.xz", {{"pkg/a", 'f', "a"}, {"pkg/lib.so", 'l', "a"}});
  fs::create_directories(root / "real");
  fs::create_directory_symlink("real", root / "linked");
  unpack_archive(root / "pkg.tar.xz", root / "linked" / "src");
  CHECK(read_file(root / "real" / "src" / "a") == "a");
  CHECK(fs::is_symlink(root / "real" / "src" / "lib.so"));
}
