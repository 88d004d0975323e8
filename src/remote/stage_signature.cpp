#include "remote/stage_signature.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "image/image.hpp"
#include "util/atomic_file.hpp"
#include "util/digest.hpp"
#include "util/ed25519.hpp"
#include "util/error.hpp"
#include "util/text_file.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace xstage::remote {

namespace {

// "<stage key>.sig.<the key id's hex>": a valid tag (128 characters at most).
std::string signature_tag(const std::string& stage_key, const std::string& key_id) {
  return stage_key + ".sig." + key_id.substr(key_id.find(':') + 1);
}

} // namespace

SigningKey load_signing_key(const fs::path& file) {
  // As ssh does with a private key: one that others may read may have been
  // read, and signatures made with it prove nothing.
  std::error_code error;
  fs::perms perms = fs::status(file, error).permissions();
  if (!error && (perms & (fs::perms::group_all | fs::perms::others_all)) != fs::perms::none) {
    throw Error(fmt::format("refusing the signing key {}: its permissions ({:o}) let others read it; "
                            "chmod 600 {}",
                            file.string(), static_cast<unsigned>(perms) & 0777, file.string()));
  }
  std::string pem = util::read_text_file(file, file.string());
  std::string public_pem = util::ed25519_public_key(pem, file.string());
  return {pem, util::ed25519_key_id(public_pem, file.string())};
}

std::vector<TrustedKey> parse_trusted_keys(std::string_view text, const std::string& file) {
  constexpr std::string_view begin = "-----BEGIN PUBLIC KEY-----";
  constexpr std::string_view end = "-----END PUBLIC KEY-----";
  std::vector<TrustedKey> keys;
  std::string pem;
  int pem_line = 0;
  int number = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t stop = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, stop - start);
    start = stop + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (pem_line != 0) {
      pem.append(line).append("\n");
      if (line != end) {
        continue;
      }
      std::string where = fmt::format("{}:{}", file, pem_line);
      std::string id = util::ed25519_key_id(pem, where);
      for (const TrustedKey& key : keys) {
        if (key.id == id) {
          throw Error(fmt::format("{}: key {} is listed twice", where, id));
        }
      }
      keys.push_back({pem, id, where});
      pem.clear();
      pem_line = 0;
    } else if (line == begin) {
      pem.append(line).append("\n");
      pem_line = number;
    } else if (!line.empty() && line.front() != '#') {
      throw Error(fmt::format("{}:{}: expected a PEM public key (\"{}\") or a # comment, not '{}'", file,
                              number, begin, line.substr(0, 60)));
    }
  }
  if (pem_line != 0) {
    throw Error(fmt::format("{}:{}: the public key has no \"{}\" line", file, pem_line, end));
  }
  if (keys.empty()) {
    throw Error(fmt::format("{}: no public key (xstage keygen writes one to FILE.pub)", file));
  }
  return keys;
}

std::vector<TrustedKey> load_trusted_keys(const fs::path& file) {
  return parse_trusted_keys(util::read_text_file(file, file.string()), file.string());
}

std::string signed_text(const std::string& stage_key, const std::string& manifest_digest) {
  return fmt::format("xstage stage signature v1\nkey {}\nmanifest {}\n", stage_key, manifest_digest);
}

void push_signature(registry::Client& client, const cache::Cache& cache, const std::string& stage_key,
                    const std::string& manifest_digest, std::uint64_t manifest_size, const SigningKey& key) {
  const std::string empty_digest = util::Digest::of(image::k_empty_config).str();
  fs::path empty_file = cache.blob_path(empty_digest);
  fs::create_directories(empty_file.parent_path());
  util::write_file_atomically(empty_file, image::k_empty_config);
  client.push_blob(empty_file, empty_digest, image::k_empty_config.size());
  json empty = {
      {"mediaType", image::k_empty_type}, {"digest", empty_digest}, {"size", image::k_empty_config.size()}};
  json manifest = {
      {"schemaVersion", 2},
      {"mediaType", image::k_manifest_type},
      {"artifactType", k_signature_type},
      {"config", empty},
      {"layers", json::array({empty})},
      {"subject",
       {{"mediaType", image::k_manifest_type}, {"digest", manifest_digest}, {"size", manifest_size}}},
      {"annotations",
       {{"dev.xstage.signature",
         util::ed25519_sign(key.private_pem, signed_text(stage_key, manifest_digest), "the signing key")},
        {"dev.xstage.key", key.id}}}};
  client.put_manifest(signature_tag(stage_key, key.id), std::string(image::k_manifest_type), manifest.dump());
}

std::string check_signature(registry::Client& client, const std::string& stage_key,
                            const std::string& manifest_digest, const std::vector<TrustedKey>& trusted) {
  std::vector<std::string> found;
  for (const TrustedKey& key : trusted) {
    std::optional<registry::Manifest> signature =
        client.get_manifest(signature_tag(stage_key, key.id), {std::string(image::k_manifest_type)});
    if (!signature) {
      continue;
    }
    json document = json::parse(signature->body, nullptr, false);
    const json* annotations =
        document.is_object() && document.contains("annotations") && document["annotations"].is_object()
            ? &document["annotations"]
            : nullptr;
    // A signature of another JSON type is no signature (value() would throw).
    const json* signed_value = annotations != nullptr && annotations->contains("dev.xstage.signature")
                                   ? &annotations->at("dev.xstage.signature")
                                   : nullptr;
    std::string hex =
        signed_value != nullptr && signed_value->is_string() ? signed_value->get<std::string>() : "";
    if (util::ed25519_verify(key.public_pem, signed_text(stage_key, manifest_digest), hex, key.file)) {
      return key.id;
    }
    found.push_back(fmt::format("a signature under {}'s tag that does not verify", key.id));
  }
  std::vector<std::string> ids;
  for (const TrustedKey& key : trusted) {
    ids.push_back(key.id);
  }
  throw Error(fmt::format("stage key {} is not signed by a trusted key ({}){}; not used",
                          stage_key.substr(0, 12), fmt::join(ids, ", "),
                          found.empty() ? "" : ": found " + fmt::format("{}", fmt::join(found, "; "))));
}

} // namespace xstage::remote
