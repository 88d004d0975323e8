// Ed25519 keys and signatures (util/ed25519).
#include <catch2/catch.hpp>

#include <string>

#include "util/ed25519.hpp"
#include "util/error.hpp"

using namespace xstage::util;

TEST_CASE("a signature verifies with its key only, and only for its message", "[digest]") {
  Ed25519KeyPair pair = generate_ed25519_key();
  CHECK(pair.private_pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
  CHECK(pair.public_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
  CHECK(ed25519_public_key(pair.private_pem, "key") == pair.public_pem);
  const std::string message = "sha256:0123 stage app";
  std::string signature = ed25519_sign(pair.private_pem, message, "key");
  CHECK(signature.size() == 128);
  CHECK(ed25519_sign(pair.private_pem, message, "key") == signature); // deterministic
  CHECK(ed25519_verify(pair.public_pem, message, signature, "pub"));
  CHECK_FALSE(ed25519_verify(pair.public_pem, message + " ", signature, "pub"));
  std::string flipped = signature;
  flipped[10] = flipped[10] == '0' ? '1' : '0';
  CHECK_FALSE(ed25519_verify(pair.public_pem, message, flipped, "pub"));
  CHECK_FALSE(ed25519_verify(pair.public_pem, message, "zz", "pub"));
  Ed25519KeyPair other = generate_ed25519_key();
  CHECK_FALSE(ed25519_verify(other.public_pem, message, signature, "other.pub"));
  CHECK(ed25519_key_id(pair.public_pem, "pub").starts_with("ed25519:"));
  CHECK(ed25519_key_id(pair.public_pem, "pub").size() == 8 + 16);
  CHECK(ed25519_key_id(pair.public_pem, "pub") != ed25519_key_id(other.public_pem, "pub"));
}

TEST_CASE("a key that is not an ed25519 PEM key is an error naming it", "[digest]") {
  Ed25519KeyPair pair = generate_ed25519_key();
  CHECK_THROWS_WITH(ed25519_sign("not a key", "m", "keys/ci.key"),
                    "keys/ci.key is not an ed25519 private key in PEM form");
  CHECK_THROWS_WITH(ed25519_verify(pair.private_pem, "m", std::string(128, '0'), "trusted.pub"),
                    "trusted.pub is not an ed25519 public key in PEM form");
}
