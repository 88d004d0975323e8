#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <openssl/evp.h>

namespace xstage::key {

// Incremental SHA-256 (OpenSSL's EVP), the only digest xstage uses: stage
// keys, source pins, layer and blob digests are all SHA-256 in lower-case hex.
class Sha256 {
public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view data);

  // Finishes and returns 64 lower-case hex digits; the object is spent.
  std::string hex_digest();

private:
  EVP_MD_CTX* m_context;
};

// The SHA-256 of a string, as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

// The SHA-256 of a file's content; throws xstage::Error naming the path.
std::string sha256_file(const std::filesystem::path& path);

// True when `text` is 64 lower-case hex digits.
bool is_sha256_hex(std::string_view text);

// "sha256:" and sha256_hex(data): a digest as OCI names blobs and manifests.
std::string sha256_digest(std::string_view data);

// True when `text` is "sha256:" followed by 64 lower-case hex digits.
bool is_sha256_digest(std::string_view text);

} // namespace xstage::key
