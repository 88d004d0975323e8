// Scratch files and directories: named as temporaries, removed unless released.
#include <catch2/catch.hpp>

#include <filesystem>

#include "test_support.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"
#include "util/scratch.hpp"

namespace fs = std::filesystem;
using xstage::util::Scratch;

TEST_CASE("a scratch directory is a temporary beside its prefix, removed with its content", "[scratch]") {
  fs::path dir = xstage::test::make_temp_dir("scratch");
  fs::path path;
  {
    Scratch scratch(dir / "unpack", Scratch::Kind::directory);
    path = scratch.path();
    CHECK(fs::is_directory(path));
    CHECK(path.parent_path() == dir);
    CHECK(path.filename().string().starts_with("unpack.tmp."));
    CHECK(xstage::util::is_temp_name(path.filename().string()));
    xstage::test::write_file(path / "deep/file", "x");
  }
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("a scratch file is unique and removed", "[scratch]") {
  fs::path dir = xstage::test::make_temp_dir("scratch");
  fs::path path;
  {
    Scratch first(dir / "download", Scratch::Kind::file);
    Scratch second(dir / "download", Scratch::Kind::file);
    path = first.path();
    CHECK(fs::is_regular_file(path));
    CHECK(first.path() != second.path());
  }
  CHECK(fs::is_empty(dir));
}

TEST_CASE("a released scratch stays", "[scratch]") {
  fs::path dir = xstage::test::make_temp_dir("scratch");
  fs::path path;
  {
    Scratch scratch(dir / "kept", Scratch::Kind::file);
    path = scratch.path();
    scratch.release();
  }
  CHECK(fs::is_regular_file(path));
}

TEST_CASE("a scratch that cannot be created names its path and the reason", "[scratch]") {
  fs::path dir = xstage::test::make_temp_dir("scratch");
  CHECK_THROWS_WITH(Scratch(dir / "missing/x", Scratch::Kind::directory),
                    "cannot create " + (dir / "missing/x.tmp.XXXXXX").string() +
                        ": No such file or directory");
}
