// Trusted-keys files: the public keys `--trust` reads, one or several.
#include <catch2/catch.hpp>

#include <string>

#include "remote/stage_signature.hpp"
#include "util/ed25519.hpp"
#include "util/error.hpp"

using xstage::remote::parse_trusted_keys;
using xstage::remote::TrustedKey;

TEST_CASE("a trusted-keys file holds several keys between comments", "[registry]") {
  xstage::util::Ed25519KeyPair first = xstage::util::generate_ed25519_key();
  xstage::util::Ed25519KeyPair second = xstage::util::generate_ed25519_key();
  std::string text = "# release signers\n\n" + first.public_pem + "# CI\n" + second.public_pem + "\n";
  std::vector<TrustedKey> keys = parse_trusted_keys(text, "trusted.keys");
  REQUIRE(keys.size() == 2);
  CHECK(keys[0].id == xstage::util::ed25519_key_id(first.public_pem, "first"));
  CHECK(keys[1].id == xstage::util::ed25519_key_id(second.public_pem, "second"));
  CHECK(keys[0].file == "trusted.keys:3");
  CHECK(keys[1].public_pem == second.public_pem);
}

TEST_CASE("one .pub file is a trusted-keys file of one key", "[registry]") {
  xstage::util::Ed25519KeyPair pair = xstage::util::generate_ed25519_key();
  std::vector<TrustedKey> keys = parse_trusted_keys(pair.public_pem, "ci.pub");
  REQUIRE(keys.size() == 1);
  CHECK(keys[0].id == xstage::util::ed25519_key_id(pair.public_pem, "ci.pub"));
}

TEST_CASE("a trusted-keys file with anything but keys and comments is refused where it goes wrong",
          "[registry]") {
  xstage::util::Ed25519KeyPair pair = xstage::util::generate_ed25519_key();
  CHECK_THROWS_WITH(parse_trusted_keys("# none yet\n", "t.keys"), Catch::Contains("t.keys: no public key"));
  CHECK_THROWS_WITH(parse_trusted_keys("# a\nssh-ed25519 AAAA\n", "t.keys"),
                    Catch::Contains("t.keys:2: expected a PEM public key"));
  std::string cut = pair.public_pem.substr(0, pair.public_pem.find("-----END"));
  CHECK_THROWS_WITH(parse_trusted_keys("\n" + cut, "t.keys"),
                    Catch::Contains("t.keys:2: the public key has no"));
  CHECK_THROWS_WITH(parse_trusted_keys(pair.public_pem + pair.public_pem, "t.keys"),
                    Catch::Contains("t.keys:4: key ed25519:") && Catch::Contains("listed twice"));
  // A private key is not a public one: the block does not even start.
  CHECK_THROWS_WITH(parse_trusted_keys(pair.private_pem, "t.keys"),
                    Catch::Contains("t.keys:1: expected a PEM public key"));
}
