// SHA-256 helpers: known vectors, files, field delimiting.
#include <catch2/catch.hpp>

#include "key/hash.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using namespace xstage::key;

TEST_CASE("sha256 of the empty string is the known vector", "[hash]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("a file hashes like its content", "[hash]") {
  auto dir = xstage::test::make_temp_dir("hash");
  xstage::test::write_file(dir / "a", "abc");
  CHECK(sha256_file(dir / "a") == sha256_hex("abc"));
}

TEST_CASE("hashing a missing file names it", "[hash]") {
  auto dir = xstage::test::make_temp_dir("hash");
  REQUIRE_THROWS_WITH(sha256_file(dir / "missing"),
                      "cannot read " + (dir / "missing").string() + ": No such file or directory");
}

TEST_CASE("only 64 lower-case hex digits are a sha256", "[hash]") {
  CHECK(is_sha256_hex(sha256_hex("x")));
  CHECK_FALSE(is_sha256_hex("ABC"));
  CHECK_FALSE(is_sha256_hex(std::string(63, 'a')));
  CHECK_FALSE(is_sha256_hex(std::string(63, 'a') + "g"));
}

TEST_CASE("an OCI digest is sha256: and the hex, and only that form is one", "[hash]") {
  CHECK(sha256_digest("") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(is_sha256_digest(sha256_digest("x")));
  CHECK_FALSE(is_sha256_digest(sha256_hex("x")));
  CHECK_FALSE(is_sha256_digest("sha512:" + sha256_hex("x")));
  CHECK_FALSE(is_sha256_digest("sha256:" + std::string(63, 'a')));
}
