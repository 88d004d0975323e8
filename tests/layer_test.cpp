// Layers: deterministic tar+zstd packing, digests, and safe extraction of
// hostile archives (crafted here with libarchive's write API).
#include <catch2/catch.hpp>

#include <chrono>
#include <clocale>
#include <filesystem>
#include <string>
#include <vector>

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include "crafted_archive.hpp"
#include "layer/layer.hpp"
#include "test_support.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using namespace xstage::layer;
using xstage::test::make_temp_dir;
using xstage::test::read_file;
using xstage::test::write_file;

using namespace xstage::test;

namespace {

// Extracts a layer as it is, for the refusals of its entries: what it
// unpacks to is taken from the layer itself.
void extract_described(const fs::path& archive, const fs::path& root, const std::string& stage,
                       PathOwners& owners) {
  extract_layer(archive, describe_layer(archive), root, stage, owners);
}

// A tree with a subdirectory, an executable, a symlink and an empty directory,
// created in either order and with the given file times.
fs::path make_tree(const fs::path& root, bool reversed, fs::file_time_type time) {
  std::vector<std::string> files = {"bin/tool", "etc/conf", "usr/lib/libx.so.1"};
  if (reversed) {
    std::reverse(files.begin(), files.end());
  }
  for (const std::string& file : files) {
    write_file(root / file, "content of " + file);
    fs::permissions(root / file, fs::perms(0644));
    fs::last_write_time(root / file, time);
  }
  fs::permissions(root / "bin/tool", fs::perms(0755));
  fs::create_directories(root / "var/empty");
  fs::create_symlink("libx.so.1", root / "usr/lib/libx.so");
  return root;
}

// The tar's entries as "path mode uid/gid mtime [-> link]" lines.
std::vector<std::string> list_layer(const fs::path& file) {
  archive* tar = archive_read_new();
  archive_read_support_filter_zstd(tar);
  archive_read_support_format_tar(tar);
  REQUIRE(archive_read_open_filename(tar, file.c_str(), 4096) == ARCHIVE_OK);
  std::vector<std::string> lines;
  archive_entry* entry = nullptr;
  while (archive_read_next_header(tar, &entry) == ARCHIVE_OK) {
    const char* link =
        archive_entry_symlink(entry) ? archive_entry_symlink(entry) : archive_entry_hardlink(entry);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%o", archive_entry_mode(entry));
    lines.push_back(std::string(archive_entry_pathname(entry)) + " " + mode + " " +
                    std::to_string(archive_entry_uid(entry)) + "/" +
                    std::to_string(archive_entry_gid(entry)) + " " +
                    std::to_string(archive_entry_mtime(entry)) + (link ? std::string(" -> ") + link : ""));
  }
  archive_read_free(tar);
  return lines;
}

std::string refusal(const fs::path& archive_file, const std::string& rest) {
  return "refusing layer " + archive_file.string() + ": " + rest;
}

} // namespace

TEST_CASE("the same content packs to identical bytes whatever its path, times and order", "[layer]") {
  auto dir = make_temp_dir("layer");
  auto now = fs::file_time_type::clock::now();
  make_tree(dir / "first", false, now);
  make_tree(dir / "elsewhere" / "second", true, now - std::chrono::hours(100));
  LayerInfo first = write_layer(dir / "first", dir / "first.tar.zst");
  LayerInfo second = write_layer(dir / "elsewhere" / "second", dir / "second.tar.zst");
  CHECK(first == second);
  CHECK(read_file(dir / "first.tar.zst") == read_file(dir / "second.tar.zst"));
}

TEST_CASE("non-ASCII names pack to the same bytes under any locale", "[layer]") {
  auto dir = make_temp_dir("layer");
  write_file(dir / "tree" / "h\xc3\xa9llo", "utf-8 name");
  write_file(dir / "tree" / "bad\xff", "not utf-8");
  std::string saved = std::setlocale(LC_ALL, nullptr);
  std::setlocale(LC_ALL, "C");
  LayerInfo in_c = write_layer(dir / "tree", dir / "c.tar.zst");
  const char* utf8 = std::setlocale(LC_ALL, "C.UTF-8");
  LayerInfo in_utf8 = write_layer(dir / "tree", dir / "utf8.tar.zst");
  std::setlocale(LC_ALL, saved.c_str());
  REQUIRE(utf8 != nullptr);
  CHECK(in_c == in_utf8);
}

TEST_CASE("layer digests describe the compressed and the uncompressed bytes", "[layer]") {
  auto dir = make_temp_dir("layer");
  make_tree(dir / "tree", false, fs::file_time_type::clock::now());
  LayerInfo info = write_layer(dir / "tree", dir / "out.tar.zst");
  CHECK(info.digest == xstage::util::Digest::of_file(dir / "out.tar.zst").str());
  CHECK(info.size == fs::file_size(dir / "out.tar.zst"));
  CHECK(info.diff_id.rfind("sha256:", 0) == 0);
  CHECK(info.uncompressed_size % 512 == 0);
  CHECK(describe_layer(dir / "out.tar.zst") == info);
}

TEST_CASE("a layer lists sorted relative paths with fixed owner and time", "[layer]") {
  auto dir = make_temp_dir("layer");
  make_tree(dir / "tree", true, fs::file_time_type::clock::now());
  write_layer(dir / "tree", dir / "out.tar.zst");
  CHECK(list_layer(dir / "out.tar.zst") == std::vector<std::string>{
                                               "bin/ 40755 0/0 0",
                                               "bin/tool 100755 0/0 0",
                                               "etc/ 40755 0/0 0",
                                               "etc/conf 100644 0/0 0",
                                               "usr/ 40755 0/0 0",
                                               "usr/lib/ 40755 0/0 0",
                                               "usr/lib/libx.so 120777 0/0 0 -> libx.so.1",
                                               "usr/lib/libx.so.1 100644 0/0 0",
                                               "var/ 40755 0/0 0",
                                               "var/empty/ 40755 0/0 0",
                                           });
}

TEST_CASE("setuid, setgid and sticky bits are stripped when packing", "[layer]") {
  auto dir = make_temp_dir("layer");
  write_file(dir / "tree" / "su", "x");
  fs::permissions(dir / "tree" / "su", fs::perms(04755));
  fs::create_directories(dir / "tree" / "tmp");
  fs::permissions(dir / "tree" / "tmp", fs::perms(03777));
  write_layer(dir / "tree", dir / "out.tar.zst");
  CHECK(list_layer(dir / "out.tar.zst") == std::vector<std::string>{"su 100755 0/0 0", "tmp/ 40777 0/0 0"});
}

TEST_CASE("hard links within the tree are stored once and extract as links", "[layer]") {
  auto dir = make_temp_dir("layer");
  write_file(dir / "tree" / "b", "shared");
  fs::create_hard_link(dir / "tree" / "b", dir / "tree" / "a");
  write_layer(dir / "tree", dir / "out.tar.zst");
  CHECK(list_layer(dir / "out.tar.zst") == std::vector<std::string>{"a 100644 0/0 0", "b 644 0/0 0 -> a"});
  PathOwners owners;
  extract_described(dir / "out.tar.zst", dir / "root", "s", owners);
  CHECK(fs::equivalent(dir / "root" / "a", dir / "root" / "b"));
  CHECK(read_file(dir / "root" / "b") == "shared");
}

TEST_CASE("a fifo cannot be packed", "[layer]") {
  auto dir = make_temp_dir("layer");
  fs::create_directories(dir / "tree");
  REQUIRE(::mkfifo((dir / "tree" / "pipe").c_str(), 0644) == 0);
  REQUIRE_THROWS_WITH(write_layer(dir / "tree", dir / "out.tar.zst"),
                      "cannot pack " + (dir / "tree" / "pipe").string() +
                          ": only files, directories and symlinks belong in a layer");
  CHECK_FALSE(fs::exists(dir / "out.tar.zst"));
}

TEST_CASE("modes, content and symlinks survive a round trip", "[layer]") {
  auto dir = make_temp_dir("layer");
  make_tree(dir / "tree", false, fs::file_time_type::clock::now());
  write_layer(dir / "tree", dir / "out.tar.zst");
  PathOwners owners;
  extract_described(dir / "out.tar.zst", dir / "root", "base", owners);
  CHECK(fs::status(dir / "root" / "bin/tool").permissions() == fs::perms(0755));
  CHECK(fs::status(dir / "root" / "etc/conf").permissions() == fs::perms(0644));
  CHECK(read_file(dir / "root" / "etc/conf") == "content of etc/conf");
  CHECK(fs::is_symlink(dir / "root" / "usr/lib/libx.so"));
  CHECK(fs::read_symlink(dir / "root" / "usr/lib/libx.so") == "libx.so.1");
  CHECK(fs::is_directory(dir / "root" / "var/empty"));
  CHECK(owners == PathOwners{{"bin/tool", "base"},
                             {"etc/conf", "base"},
                             {"usr/lib/libx.so", "base"},
                             {"usr/lib/libx.so.1", "base"}});
}

TEST_CASE("a truncated layer is reported as truncated", "[layer]") {
  auto dir = make_temp_dir("layer");
  make_tree(dir / "tree", false, fs::file_time_type::clock::now());
  LayerInfo info = write_layer(dir / "tree", dir / "out.tar.zst");
  fs::resize_file(dir / "out.tar.zst", info.size - 8);
  REQUIRE_THROWS_WITH(describe_layer(dir / "out.tar.zst"),
                      "layer " + (dir / "out.tar.zst").string() + " is truncated");
}

TEST_CASE("extraction refuses an entry with a '..' component", "[layer]") {
  auto dir = make_temp_dir("layer");
  write_crafted_archive(dir / "evil.tar.zst", {crafted_file("ok", "x"), crafted_file("a/../../evil", "x")});
  PathOwners owners;
  REQUIRE_THROWS_WITH(extract_described(dir / "evil.tar.zst", dir / "root", "s", owners),
                      refusal(dir / "evil.tar.zst", "entry 'a/../../evil' leaves the root"));
  CHECK_FALSE(fs::exists(dir / "evil"));
}

TEST_CASE("extraction refuses an absolute path", "[layer]") {
  auto dir = make_temp_dir("layer");
  write_crafted_archive(dir / "evil.tar.zst", {crafted_file("/tmp/evil", "x")});
  PathOwners owners;
  REQUIRE_THROWS_WITH(extract_described(dir / "evil.tar.zst", dir / "root", "s", owners),
                      refusal(dir / "evil.tar.zst", "entry '/tmp/evil' is an absolute path"));
}

TEST_CASE("extraction refuses a symlink that leaves the root", "[layer]") {
  auto dir = make_temp_dir("layer");
  write_crafted_archive(dir / "evil.tar.zst", {crafted_dir("lib/"), crafted_symlink("lib/up", "../../etc")});
  PathOwners owners;
  REQUIRE_THROWS_WITH(
      extract_described(dir / "evil.tar.zst", dir / "root", "s", owners),
      refusal(dir / "evil.tar.zst", "entry 'lib/up' is a symlink to '../../etc', which leaves the root"));
  write_crafted_archive(dir / "abs.tar.zst", {crafted_symlink("lib/up", "/../etc")});
  REQUIRE_THROWS_WITH(
      extract_described(dir / "abs.tar.zst", dir / "root", "s", owners),
      refusal(dir / "abs.tar.zst", "entry 'lib/up' is a symlink to '/../etc', which leaves the root"));
}

TEST_CASE("symlinks that stay inside the root are kept verbatim", "[layer]") {
  auto dir = make_temp_dir("layer");
  write_crafted_archive(dir / "ok.tar.zst", {crafted_symlink("usr/lib/libc.so", "/lib/libc.so.6"),
                                             crafted_symlink("usr/lib/libm.so", "../../lib/libm.so.6")});
  PathOwners owners;
  extract_described(dir / "ok.tar.zst", dir / "root", "s", owners);
  CHECK(fs::read_symlink(dir / "root" / "usr/lib/libc.so") == "/lib/libc.so.6");
  CHECK(fs::read_symlink(dir / "root" / "usr/lib/libm.so") == "../../lib/libm.so.6");
}

TEST_CASE("extraction refuses a symlink target with '..' after a name", "[layer]") {
  auto dir = make_temp_dir("layer");
  // "self" -> "." makes "self/.." the root's parent, though it looks inside.
  write_crafted_archive(dir / "evil.tar.zst",
                        {crafted_symlink("self", "."), crafted_symlink("up", "self/..")});
  PathOwners owners;
  REQUIRE_THROWS_WITH(
      extract_described(dir / "evil.tar.zst", dir / "root", "s", owners),
      refusal(dir / "evil.tar.zst", "entry 'up' is a symlink to 'self/..', which has '..' after a name"));
}

TEST_CASE("extraction refuses to write through a symlink of an earlier layer", "[layer]") {
  auto dir = make_temp_dir("layer");
  write_crafted_archive(dir / "one.tar.zst", {crafted_symlink("lib", "usr/lib")});
  write_crafted_archive(dir / "two.tar.zst", {crafted_file("lib/libevil.so", "x")});
  PathOwners owners;
  extract_described(dir / "one.tar.zst", dir / "root", "one", owners);
  REQUIRE_THROWS_WITH(
      extract_described(dir / "two.tar.zst", dir / "root", "two", owners),
      refusal(dir / "two.tar.zst", "entry 'lib/libevil.so' is written through the symlink 'lib'"));
}

TEST_CASE("extraction refuses device nodes", "[layer]") {
  auto dir = make_temp_dir("layer");
  write_crafted_archive(dir / "evil.tar.zst",
                        {crafted_node("dev/sda", AE_IFBLK), crafted_node("dev/null", AE_IFCHR)});
  PathOwners owners;
  REQUIRE_THROWS_WITH(extract_described(dir / "evil.tar.zst", dir / "root", "s", owners),
                      refusal(dir / "evil.tar.zst", "entry 'dev/sda' is a block device"));
  CHECK_FALSE(fs::exists(dir / "root" / "dev/sda"));
}

TEST_CASE("extraction refuses setuid entries", "[layer]") {
  auto dir = make_temp_dir("layer");
  write_crafted_archive(dir / "evil.tar.zst", {crafted_file("bin/su", "x", 04755)});
  PathOwners owners;
  REQUIRE_THROWS_WITH(extract_described(dir / "evil.tar.zst", dir / "root", "s", owners),
                      refusal(dir / "evil.tar.zst", "entry 'bin/su' has setuid or setgid bits"));
}

TEST_CASE("extraction refuses hard links to paths the layer has not extracted", "[layer]") {
  auto dir = make_temp_dir("layer");
  write_crafted_archive(dir / "missing.tar.zst", {crafted_hardlink("b", "a")});
  write_crafted_archive(dir / "outside.tar.zst", {crafted_hardlink("b", "../etc/passwd")});
  PathOwners owners;
  REQUIRE_THROWS_WITH(extract_described(dir / "missing.tar.zst", dir / "root", "s", owners),
                      refusal(dir / "missing.tar.zst",
                              "entry 'b' is a hard link to 'a', which this layer has not extracted"));
  REQUIRE_THROWS_WITH(
      extract_described(dir / "outside.tar.zst", dir / "root", "s", owners),
      refusal(dir / "outside.tar.zst", "entry 'b' is a hard link to '../etc/passwd', which leaves the root"));
}

TEST_CASE("two stages writing the same path is a conflict naming both", "[layer]") {
  auto dir = make_temp_dir("layer");
  write_crafted_archive(dir / "a.tar.zst", {crafted_dir("usr/"), crafted_file("usr/lib/x.so", "a")});
  write_crafted_archive(dir / "b.tar.zst", {crafted_dir("usr/"), crafted_file("usr/lib/x.so", "b")});
  PathOwners owners;
  extract_described(dir / "a.tar.zst", dir / "root", "a", owners);
  REQUIRE_THROWS_WITH(extract_described(dir / "b.tar.zst", dir / "root", "b", owners),
                      "path usr/lib/x.so is written by both stage 'a' and stage 'b'");
  CHECK(read_file(dir / "root" / "usr/lib/x.so") == "a");
}

TEST_CASE("extraction refuses to replace a file that no layer wrote", "[layer]") {
  auto dir = make_temp_dir("layer");
  write_file(dir / "root" / "etc/passwd", "root");
  write_crafted_archive(dir / "evil.tar.zst", {crafted_file("./etc/passwd", "evil")});
  PathOwners owners;
  REQUIRE_THROWS_WITH(
      extract_described(dir / "evil.tar.zst", dir / "root", "s", owners),
      refusal(dir / "evil.tar.zst", "entry './etc/passwd' would replace a path that is already in the root"));
  CHECK(read_file(dir / "root" / "etc/passwd") == "root");
}

TEST_CASE("check_layer refuses what extraction refuses, without a root to extract into", "[layer]") {
  auto dir = make_temp_dir("layer-check");
  auto refused = [&](const std::vector<CraftedEntry>& entries) {
    write_crafted_archive(dir / "evil.tar.zst", entries);
    try {
      check_layer(dir / "evil.tar.zst", describe_layer(dir / "evil.tar.zst"));
    } catch (const xstage::Error& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  const std::string prefix = "refusing layer " + (dir / "evil.tar.zst").string() + ": entry ";
  CHECK(refused({crafted_file("/etc/evil", "x")}) == prefix + "'/etc/evil' is an absolute path");
  CHECK(refused({crafted_node("dev/null", AE_IFCHR)}) == prefix + "'dev/null' is a character device");
  CHECK(refused({crafted_file("bin/su", "x", 04755)}) == prefix + "'bin/su' has setuid or setgid bits");
  CHECK(refused({crafted_hardlink("passwd", "/etc/passwd")}) ==
        prefix + "'passwd' is a hard link to '/etc/passwd', which leaves the root");
  CHECK(refused({crafted_symlink("etc", "../etc")}) ==
        prefix + "'etc' is a symlink to '../etc', which leaves the root");
  CHECK(refused({crafted_symlink("lib", "usr/lib"), crafted_file("lib/x.so", "x")}) ==
        prefix + "'lib/x.so' is written through the symlink 'lib'");
  CHECK(refused({crafted_file("a", "1"), crafted_file("a", "2")}) ==
        prefix + "'a' appears twice in the layer");
  CHECK(refused({crafted_file("usr", "x"), crafted_file("usr/bin", "y")}) ==
        prefix + "'usr/bin' is written below 'usr', which is not a directory");
  CHECK(refused({crafted_dir("usr/"), crafted_file("usr/bin", "x"),
                 crafted_hardlink("usr/sbin", "usr/bin")}) == "accepted");
}

TEST_CASE("a layer is read no further than the uncompressed size recorded for it", "[layer]") {
  auto dir = make_temp_dir("layer-bomb");
  // 16 MiB of zeros compress to a few hundred bytes: a small zstd bomb.
  write_crafted_archive(dir / "bomb.tar.zst", {crafted_file("zeros", std::string(16 << 20, '\0'))});
  LayerInfo recorded = describe_layer(dir / "bomb.tar.zst");
  REQUIRE(recorded.size < 64 * 1024);
  recorded.uncompressed_size = 1 << 20; // what a forged entry would claim
  const std::string refusal =
      "layer " + (dir / "bomb.tar.zst").string() +
      " unpacks to more than the 1048576 bytes recorded for it; reading stopped there";
  CHECK_THROWS_WITH(check_layer(dir / "bomb.tar.zst", recorded), refusal);
  PathOwners owners;
  CHECK_THROWS_WITH(extract_layer(dir / "bomb.tar.zst", recorded, dir / "root", "s", owners), refusal);
  // What was written before reading stopped: libarchive may give the file its
  // declared size as a hole, so the blocks on disk are what count.
  struct stat written {};
  if (::stat((dir / "root" / "zeros").c_str(), &written) == 0) {
    CHECK(written.st_blocks * 512 <= (2 << 20));
  }
}

TEST_CASE("a layer whose tar is not the recorded diff_id is refused after the last entry", "[layer]") {
  auto dir = make_temp_dir("layer-diff-id");
  make_tree(dir / "tree", false, fs::file_time_type::clock::now());
  LayerInfo info = write_layer(dir / "tree", dir / "out.tar.zst");
  LayerInfo forged = info;
  forged.diff_id = "sha256:" + std::string(64, 'e');
  const std::string refusal =
      fmt::format("layer {} unpacks to {} ({} bytes), not the recorded diff_id {} ({} bytes)",
                  (dir / "out.tar.zst").string(), info.diff_id, info.uncompressed_size, forged.diff_id,
                  info.uncompressed_size);
  CHECK_THROWS_WITH(check_layer(dir / "out.tar.zst", forged), refusal);
  PathOwners owners;
  CHECK_THROWS_WITH(extract_layer(dir / "out.tar.zst", forged, dir / "root", "s", owners), refusal);
  CHECK_NOTHROW(check_layer(dir / "out.tar.zst", info));
  LayerInfo resized = info;
  resized.size -= 1;
  CHECK_THROWS_WITH(check_layer(dir / "out.tar.zst", resized),
                    "layer " + (dir / "out.tar.zst").string() + " is larger than the " +
                        std::to_string(resized.size) + " bytes recorded for it");
}
