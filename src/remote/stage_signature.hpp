#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "cache/cache.hpp"
#include "registry/client.hpp"

namespace xstage::remote {

// Signed stages. A key covers a stage's inputs, not its output: anyone who
// can push to a registry can serve any layer under a valid key. So a pusher
// signs, with an ed25519 key, the digest of the stage manifest it pushed
// together with the stage key, and a puller that names trusted public keys
// uses only stages one of them signed.
//
// The signature is a manifest of its own, tagged <stage key>.sig.<key id>:
//
//   artifactType  k_signature_type
//   config        the empty descriptor ({}), as OCI 1.1 artifacts have
//   subject       the stage manifest it signs
//   annotations   dev.xstage.signature (hex), dev.xstage.key (key id)
//
// A tag, not the OCI referrers API: Debian's docker-registry (2.8) has no
// referrers endpoint, and a tag per signing key needs no shared index that
// two signers would race to update. `subject` still makes it a referrer for
// registries that index them.
inline constexpr std::string_view k_signature_type = "application/vnd.xstage.signature.v1";

struct SigningKey {
  std::string private_pem;
  std::string id; // "ed25519:<16 hex>"
};

struct TrustedKey {
  std::string public_pem;
  std::string id;
  std::string file; // where it was read from, for messages
};

// A private key from a file (xstage keygen's); throws xstage::Error naming it.
SigningKey load_signing_key(const std::filesystem::path& file);

// The keys of a public key file: one PEM public key (xstage keygen's
// FILE.pub) or a trusted-keys file of several (.pub files concatenated), with
// blank lines and `#` comment lines between them. Throws xstage::Error
// "FILE:LINE: ..." for other text, an unterminated or invalid key, a key
// listed twice, and "FILE: no public key" for a file without any.
std::vector<TrustedKey> parse_trusted_keys(std::string_view text, const std::string& file);
std::vector<TrustedKey> load_trusted_keys(const std::filesystem::path& file);

// What is signed: "xstage stage signature v1", the stage key and the
// manifest digest, one per line.
std::string signed_text(const std::string& stage_key, const std::string& manifest_digest);

// Pushes `key`'s signature of the stage manifest `manifest_digest` (of
// `manifest_size` bytes) tagged `stage_key`. The empty config blob is
// written beside the cache's blobs, as a stage config is.
void push_signature(registry::Client& client, const cache::Cache& cache, const std::string& stage_key,
                    const std::string& manifest_digest, std::uint64_t manifest_size, const SigningKey& key);

// The id of the first trusted key whose signature of `manifest_digest`
// under `stage_key` the registry holds and verifies. Throws xstage::Error
// "not signed by a trusted key (...)" naming what was found, when none does.
std::string check_signature(registry::Client& client, const std::string& stage_key,
                            const std::string& manifest_digest, const std::vector<TrustedKey>& trusted);

} // namespace xstage::remote
