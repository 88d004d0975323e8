#pragma once

#include <string>
#include <string_view>

namespace xstage::util {

// Ed25519 keys and signatures (OpenSSL's EVP), for signing stages: small
// keys, deterministic signatures, what Nix signs its binary caches with.
// Keys travel as PEM text (PKCS#8 for the private key, SubjectPublicKeyInfo
// for the public one), so `openssl pkey` reads them too.
struct Ed25519KeyPair {
  std::string private_pem;
  std::string public_pem;
};

// A new key pair from the system's random source.
Ed25519KeyPair generate_ed25519_key();

// The public key of a private key; throws xstage::Error naming `what`
// (a file, say) when it is not an Ed25519 private key in PEM.
std::string ed25519_public_key(std::string_view private_pem, std::string_view what);

// The 64-byte signature of `message`, as lower-case hex.
std::string ed25519_sign(std::string_view private_pem, std::string_view message, std::string_view what);

// True when `signature_hex` is `public_pem`'s signature of `message`; false
// for any other signature, malformed ones included. Throws xstage::Error
// naming `what` when the key itself is not an Ed25519 public key in PEM.
bool ed25519_verify(std::string_view public_pem, std::string_view message, std::string_view signature_hex,
                    std::string_view what);

// "ed25519:<first 16 hex digits of the SHA-256 of the raw public key>", how
// messages and signatures name a key.
std::string ed25519_key_id(std::string_view public_pem, std::string_view what);

} // namespace xstage::util
