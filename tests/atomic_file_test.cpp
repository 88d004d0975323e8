// AtomicFile: temp-then-rename writes, cleanup of uncommitted temporaries,
// durable moves and links.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using xstage::test::make_temp_dir;
using xstage::test::read_file;
using xstage::test::write_file;
using xstage::util::AtomicFile;

namespace {

std::vector<std::string> names_in(const fs::path& directory) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(directory)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

} // namespace

TEST_CASE("a committed file has its content and leaves no temporary", "[atomic_file]") {
  auto dir = make_temp_dir("atomic");
  AtomicFile file(dir / "out");
  file.write("hello ");
  file.write("world");
  file.commit();
  CHECK(read_file(dir / "out") == "hello world");
  CHECK(names_in(dir) == std::vector<std::string>{"out"});
}

TEST_CASE("an uncommitted file leaves neither target nor temporary", "[atomic_file]") {
  auto dir = make_temp_dir("atomic");
  {
    AtomicFile file(dir / "out");
    file.write("partial");
    CHECK(fs::exists(file.path_of_temp()));
  }
  CHECK(names_in(dir).empty());
}

TEST_CASE("the target keeps its old content until commit", "[atomic_file]") {
  auto dir = make_temp_dir("atomic");
  write_file(dir / "out", "old");
  AtomicFile file(dir / "out");
  file.write("new");
  CHECK(read_file(dir / "out") == "old");
  file.commit();
  CHECK(read_file(dir / "out") == "new");
}

TEST_CASE("temporaries are unique and sit beside the target", "[atomic_file]") {
  auto dir = make_temp_dir("atomic");
  AtomicFile first(dir / "out");
  AtomicFile second(dir / "out");
  CHECK(first.path_of_temp() != second.path_of_temp());
  CHECK(first.path_of_temp().parent_path() == dir);
  CHECK(xstage::util::is_temp_name(first.path_of_temp().filename().string()));
  CHECK(first.path_of_temp().filename().string().rfind("out.tmp.", 0) == 0);
}

TEST_CASE("committed files are readable by all, whatever the umask", "[atomic_file]") {
  auto dir = make_temp_dir("atomic");
  xstage::util::write_file_atomically(dir / "out", "x");
  auto expected =
      fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
  CHECK(fs::status(dir / "out").permissions() == expected);
}

TEST_CASE("a file cannot be committed twice", "[atomic_file]") {
  auto dir = make_temp_dir("atomic");
  AtomicFile file(dir / "out");
  file.commit();
  REQUIRE_THROWS_WITH(file.commit(), "cannot commit " + (dir / "out").string() + ": already committed");
  REQUIRE_THROWS_WITH(file.write("x"), "cannot write " + (dir / "out").string() + ": already committed");
}

TEST_CASE("a target in a missing directory is named in the error", "[atomic_file]") {
  auto dir = make_temp_dir("atomic");
  REQUIRE_THROWS_WITH(AtomicFile(dir / "missing" / "out"), "cannot create a temporary file for " +
                                                               (dir / "missing" / "out").string() +
                                                               ": No such file or directory");
}

TEST_CASE("move_file_atomically replaces the destination", "[atomic_file]") {
  auto dir = make_temp_dir("atomic");
  write_file(dir / "from", "new");
  write_file(dir / "to", "old");
  xstage::util::move_file_atomically(dir / "from", dir / "to");
  CHECK(read_file(dir / "to") == "new");
  CHECK_FALSE(fs::exists(dir / "from"));
}

TEST_CASE("moving onto a directory fails and keeps the source", "[atomic_file]") {
  auto dir = make_temp_dir("atomic");
  write_file(dir / "from", "data");
  fs::create_directories(dir / "to");
  REQUIRE_THROWS_WITH(xstage::util::move_file_atomically(dir / "from", dir / "to"),
                      "refusing to write " + (dir / "to").string() +
                          ": it is a directory, and xstage replaces only regular files");
  CHECK(read_file(dir / "from") == "data");
}

TEST_CASE("only AtomicFile temporaries look like temporaries", "[atomic_file]") {
  using xstage::util::is_temp_name;
  CHECK(is_temp_name("entry.json.tmp.a1B2c3"));
  CHECK_FALSE(is_temp_name("entry.json"));
  CHECK_FALSE(is_temp_name(".tmp.abcdef"));
  CHECK_FALSE(is_temp_name("entry.tmp.abc"));
}

TEST_CASE("link_file_atomically makes a second name for the same file", "[atomic_file]") {
  auto dir = make_temp_dir("atomic");
  write_file(dir / "blob", "layer");
  REQUIRE(xstage::util::link_file_atomically(dir / "blob", dir / "copy"));
  CHECK(fs::equivalent(dir / "blob", dir / "copy"));
  CHECK(read_file(dir / "copy") == "layer");
}

TEST_CASE("link_file_atomically leaves an existing target alone and says so", "[atomic_file]") {
  auto dir = make_temp_dir("atomic");
  write_file(dir / "blob", "layer");
  write_file(dir / "copy", "older");
  CHECK_FALSE(xstage::util::link_file_atomically(dir / "blob", dir / "copy"));
  CHECK(read_file(dir / "copy") == "older");
}

TEST_CASE("an output over a device, a FIFO or a symlink is refused before anything is written",
          "[atomic_file]") {
  auto dir = make_temp_dir("atomic");
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0644) == 0);
  fs::create_symlink("/etc/passwd", dir / "link");
  for (auto [target, kind] :
       {std::pair{fs::path("/dev/full"), "a character device"}, std::pair{dir / "fifo", "a FIFO"},
        std::pair{dir / "link", "a symbolic link"}}) {
    REQUIRE_THROWS_WITH(xstage::util::write_file_atomically(target, "data"),
                        "refusing to write " + target.string() + ": it is " + kind +
                            ", and xstage replaces only regular files");
  }
  CHECK(fs::is_character_file("/dev/full"));
  CHECK(fs::is_fifo(dir / "fifo"));
  CHECK(fs::read_symlink(dir / "link") == "/etc/passwd");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 2); // no temporary left
  write_file(dir / "file", "old");
  xstage::util::write_file_atomically(dir / "file", "new"); // a regular file is replaced
  CHECK(read_file(dir / "file") == "new");
}
