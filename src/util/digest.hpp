#pragma once

#include <compare>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <openssl/evp.h>

namespace xstage::util {

class Digest;

// Incremental SHA-256 (OpenSSL's EVP), the only hash xstage uses: stage
// keys, source pins, layer and blob digests are all SHA-256.
class Sha256 {
public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view data);

  // Finishes and returns the digest of everything updated; the object is spent.
  Digest finish();

private:
  EVP_MD_CTX* m_context;
};

// The SHA-1 of `data` in lower-case hex: only where a format requires it
// beside SHA-256 (SPDX 2.3 files), never to identify anything.
std::string sha1_hex(std::string_view data);

// True when `text` is 64 lower-case hex digits, the form of stage keys and
// source pins.
bool is_sha256_hex(std::string_view text);

// A SHA-256 digest as OCI names blobs and manifests: "sha256:<64 lower-case
// hex>". The one place that knows the "sha256:" prefix; a Digest is always
// well formed.
class Digest {
public:
  // Parses "sha256:<64 lower-case hex>"; throws xstage::Error naming `text`
  // for anything else.
  static Digest parse(std::string_view text);

  // The same, returning nothing for anything else, for callers whose error
  // names more (the stage, the field).
  static std::optional<Digest> try_parse(std::string_view text);

  // The digest whose hex is `hex`, or nothing when `hex` is not 64 lower-case
  // hex digits (a blob's file name in an OCI layout).
  static std::optional<Digest> from_hex(std::string_view hex);

  static Digest of(std::string_view data);

  // The digest of a file's content; throws xstage::Error naming the path.
  static Digest of_file(const std::filesystem::path& path);

  // "sha256:<hex>".
  std::string str() const;

  // The 64 lower-case hex digits.
  const std::string& hex() const { return m_hex; }

  friend auto operator<=>(const Digest&, const Digest&) = default;

private:
  explicit Digest(std::string hex) : m_hex(std::move(hex)) {}

  std::string m_hex;
};

} // namespace xstage::util
