#include "util/ed25519.hpp"

#include <memory>
#include <vector>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fmt/format.h>

#include "util/digest.hpp"
#include "util/error.hpp"

namespace xstage::util {

namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

Bio memory_bio(std::string_view text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), &BIO_free);
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// OpenSSL asks for the passphrase of an encrypted key on the terminal when
// no callback is given; xstage has no passphrase to give and never prompts
// (CI has no terminal, and a prompt in a build is a hang).
int no_passphrase(char*, int, int, void*) {
  return -1;
}

Key read_key(std::string_view pem, bool is_private, std::string_view what) {
  Bio bio = memory_bio(pem);
  if (is_private && pem.find("ENCRYPTED") != std::string_view::npos) {
    throw Error(
        fmt::format("{} is encrypted; xstage signs with an unencrypted key (xstage keygen writes one, "
                    "mode 600)",
                    what));
  }
  Key key(is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr)
                     : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr),
          &EVP_PKEY_free);
  if (!key || EVP_PKEY_id(key.get()) != EVP_PKEY_ED25519) {
    throw Error(
        fmt::format("{} is not an ed25519 {} key in PEM form", what, is_private ? "private" : "public"));
  }
  return key;
}

std::string public_pem_of(EVP_PKEY* key) {
  Bio out(BIO_new(BIO_s_mem()), &BIO_free);
  if (!out || PEM_write_bio_PUBKEY(out.get(), key) != 1) {
    throw Error("cannot write an ed25519 public key");
  }
  return bio_text(out.get());
}

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  std::string hex;
  for (std::size_t i = 0; i < size; ++i) {
    hex += fmt::format("{:02x}", bytes[i]);
  }
  return hex;
}

std::vector<unsigned char> from_hex(std::string_view hex) {
  std::vector<unsigned char> bytes;
  auto digit = [](char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
  };
  if (hex.size() % 2 != 0) {
    return {};
  }
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int high = digit(hex[i]);
    int low = digit(hex[i + 1]);
    if (high < 0 || low < 0) {
      return {};
    }
    bytes.push_back(static_cast<unsigned char>(high * 16 + low));
  }
  return bytes;
}

} // namespace

Ed25519KeyPair generate_ed25519_key() {
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (raw == nullptr) {
    throw Error("cannot generate an ed25519 key (OpenSSL)");
  }
  Key key(raw, &EVP_PKEY_free);
  Bio out(BIO_new(BIO_s_mem()), &BIO_free);
  if (!out || PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw Error("cannot write an ed25519 private key");
  }
  return {bio_text(out.get()), public_pem_of(key.get())};
}

std::string ed25519_public_key(std::string_view private_pem, std::string_view what) {
  Key key = read_key(private_pem, true, what);
  return public_pem_of(key.get());
}

std::string ed25519_sign(std::string_view private_pem, std::string_view message, std::string_view what) {
  Key key = read_key(private_pem, true, what);
  MdContext context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned char signature[64];
  std::size_t size = sizeof signature;
  // Ed25519 signs the message itself (no separate digest: the NULL md).
  if (!context || EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(context.get(), signature, &size, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1) {
    throw Error(fmt::format("cannot sign with {}", what));
  }
  return to_hex(signature, size);
}

bool ed25519_verify(std::string_view public_pem, std::string_view message, std::string_view signature_hex,
                    std::string_view what) {
  Key key = read_key(public_pem, false, what);
  std::vector<unsigned char> signature = from_hex(signature_hex);
  if (signature.size() != 64) {
    return false;
  }
  MdContext context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  return context && EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
         EVP_DigestVerify(context.get(), signature.data(), signature.size(),
                          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

std::string ed25519_key_id(std::string_view public_pem, std::string_view what) {
  Key key = read_key(public_pem, false, what);
  unsigned char raw[32];
  std::size_t size = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(key.get(), raw, &size) != 1) {
    throw Error(fmt::format("cannot read the raw key of {}", what));
  }
  std::string hex = Digest::of(std::string_view(reinterpret_cast<const char*>(raw), size)).hex();
  return "ed25519:" + hex.substr(0, 16);
}

} // namespace xstage::util
