// SHA-256 and the Digest type: known vectors, files, parsing and printing.
#include <catch2/catch.hpp>

#include "test_support.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"

using xstage::util::Digest;
using xstage::util::is_sha256_hex;

namespace {

const std::string k_empty_hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

} // namespace

TEST_CASE("sha256 of the empty string and of abc are the known vectors", "[digest]") {
  CHECK(Digest::of("").hex() == k_empty_hex);
  CHECK(Digest::of("abc").hex() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("hashing in pieces gives the digest of the whole", "[digest]") {
  xstage::util::Sha256 hash;
  hash.update("a");
  hash.update("bc");
  CHECK(hash.finish() == Digest::of("abc"));
}

TEST_CASE("a file hashes like its content", "[digest]") {
  auto dir = xstage::test::make_temp_dir("digest");
  xstage::test::write_file(dir / "a", "abc");
  CHECK(Digest::of_file(dir / "a") == Digest::of("abc"));
}

TEST_CASE("hashing a missing file names it", "[digest]") {
  auto dir = xstage::test::make_temp_dir("digest");
  REQUIRE_THROWS_WITH(Digest::of_file(dir / "missing"),
                      "cannot read " + (dir / "missing").string() + ": No such file or directory");
}

TEST_CASE("only 64 lower-case hex digits are a sha256", "[digest]") {
  CHECK(is_sha256_hex(Digest::of("x").hex()));
  CHECK_FALSE(is_sha256_hex("ABC"));
  CHECK_FALSE(is_sha256_hex(std::string(63, 'a')));
  CHECK_FALSE(is_sha256_hex(std::string(63, 'a') + "g"));
}

TEST_CASE("a digest prints as sha256: and its hex, and parses back", "[digest]") {
  Digest digest = Digest::of("");
  CHECK(digest.str() == "sha256:" + k_empty_hex);
  CHECK(Digest::parse(digest.str()) == digest);
  CHECK(Digest::from_hex(k_empty_hex) == digest);
}

TEST_CASE("only sha256: followed by 64 lower-case hex digits parses as a digest", "[digest]") {
  std::string hex = Digest::of("x").hex();
  CHECK_FALSE(Digest::try_parse(hex));
  CHECK_FALSE(Digest::try_parse("sha512:" + hex));
  CHECK_FALSE(Digest::try_parse("sha256:" + std::string(63, 'a')));
  CHECK_FALSE(Digest::try_parse("sha256:" + std::string(64, 'A')));
  CHECK_FALSE(Digest::from_hex("sha256:" + hex));
}

TEST_CASE("parsing a malformed digest names the text", "[digest]") {
  REQUIRE_THROWS_MATCHES(Digest::parse("sha256:abc"), xstage::Error,
                         Catch::Message("invalid digest 'sha256:abc': expected sha256:<64 hex digits>"));
}

TEST_CASE("digests order by their hex", "[digest]") {
  Digest low = *Digest::from_hex(std::string(64, '0'));
  Digest high = *Digest::from_hex(std::string(64, 'f'));
  CHECK(low < high);
  CHECK(low != high);
}
