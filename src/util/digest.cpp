#include "util/digest.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/stop.hpp"

namespace xstage::util {

namespace {

constexpr std::string_view k_prefix = "sha256:";

std::string hex_of(const unsigned char* bytes, unsigned int length) {
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += fmt::format("{:02x}", bytes[i]);
  }
  return hex;
}

} // namespace

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

Digest Sha256::finish() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(m_context, digest.data(), &length);
  return *Digest::from_hex(hex_of(digest.data(), length));
}

std::string sha1_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha1(), nullptr) != 1) {
    throw Error("cannot compute sha-1 (openssl)");
  }
  return hex_of(digest.data(), length);
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

Digest Digest::parse(std::string_view text) {
  std::optional<Digest> digest = try_parse(text);
  if (!digest) {
    throw Error(fmt::format("invalid digest '{}': expected sha256:<64 hex digits>", text));
  }
  return *digest;
}

std::optional<Digest> Digest::try_parse(std::string_view text) {
  if (!text.starts_with(k_prefix)) {
    return std::nullopt;
  }
  return from_hex(text.substr(k_prefix.size()));
}

std::optional<Digest> Digest::from_hex(std::string_view hex) {
  if (!is_sha256_hex(hex)) {
    return std::nullopt;
  }
  return Digest(std::string(hex));
}

Digest Digest::of(std::string_view data) {
  Sha256 hash;
  hash.update(data);
  return hash.finish();
}

Digest Digest::of_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  }
  Sha256 hash;
  std::array<char, 1 << 16> buffer{};
  while (in) {
    throw_if_stopped("hashing " + path.string());
    in.read(buffer.data(), buffer.size());
    hash.update(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) {
    throw Error(fmt::format("cannot read {}: i/o error", path.string()));
  }
  return hash.finish();
}

std::string Digest::str() const {
  return std::string(k_prefix) + m_hex;
}

} // namespace xstage::util
