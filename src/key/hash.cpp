#include "key/hash.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "util/error.hpp"

namespace xstage::key {

Sha256::Sha256() : m_context(EVP_MD_CTX_new()) {
  if (m_context == nullptr || EVP_DigestInit_ex(m_context, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(m_context);
    throw Error("cannot initialise sha-256 (openssl)");
  }
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(m_context);
}

void Sha256::update(std::string_view data) {
  EVP_DigestUpdate(m_context, data.data(), data.size());
}

std::string Sha256::hex_digest() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(m_context, digest.data(), &length);
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += fmt::format("{:02x}", digest[i]);
  }
  return hex;
}

std::string sha256_hex(std::string_view data) {
  Sha256 hash;
  hash.update(data);
  return hash.hex_digest();
}

std::string sha256_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  }
  Sha256 hash;
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    hash.update(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) {
    throw Error(fmt::format("cannot read {}: i/o error", path.string()));
  }
  return hash.hex_digest();
}

bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) {
    return false;
  }
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

std::string sha256_digest(std::string_view data) {
  return "sha256:" + sha256_hex(data);
}

bool is_sha256_digest(std::string_view text) {
  return text.starts_with("sha256:") && is_sha256_hex(text.substr(7));
}

} // namespace xstage::key
