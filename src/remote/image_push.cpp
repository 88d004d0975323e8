#include "remote/image_push.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "registry/reference.hpp"
#include "util/atomic_file.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::remote {

ImagePushTarget image_push_target(const std::string& reference) {
  registry::Reference parsed = registry::parse_reference(reference);
  if (!parsed.digest.empty()) {
    throw Error(
        fmt::format("--push '{}': push to a tag, not a digest (the digest is the manifest's)", reference));
  }
  return {parsed.host + "/" + parsed.repository, parsed.tag.empty() ? "latest" : parsed.tag};
}

PushCounts push_image(registry::Client& client, const std::string& tag, const image::Image& image,
                      const fs::path& staging) {
  PushCounts outcome;
  for (const image::Blob& layer : image.layers) {
    outcome.add(client.push_blob(layer.file, layer.digest, layer.size));
  }
  fs::create_directories(staging);
  fs::path config_file = staging / image::digest_hex(image.config_digest, "config digest", "image");
  util::write_file_atomically(config_file, image.config);
  outcome.add(client.push_blob(config_file, image.config_digest, image.config.size()));
  client.put_manifest(tag, std::string(image::k_manifest_type), image.manifest);
  return outcome;
}

namespace {

// Writes `text` to `staging` named by its digest and uploads it.
void push_text_blob(registry::Client& client, const fs::path& staging, const std::string& digest,
                    const std::string& text) {
  fs::create_directories(staging);
  fs::path file = staging / util::Digest::parse(digest).hex();
  util::write_file_atomically(file, text);
  client.push_blob(file, digest, text.size());
}

} // namespace

std::string push_referrer(registry::Client& client, const image::Image& image,
                          const image::Referrer& referrer, const fs::path& staging) {
  push_text_blob(client, staging, util::Digest::of(image::k_empty_config).str(),
                 std::string(image::k_empty_config));
  push_text_blob(client, staging, referrer.document_digest, referrer.document);
  client.put_manifest(referrer.manifest_digest, std::string(image::k_manifest_type), referrer.manifest);

  std::string tag = "sha256-" + util::Digest::parse(image.manifest_digest).hex();
  nlohmann::json index = {
      {"schemaVersion", 2}, {"mediaType", image::k_index_type}, {"manifests", nlohmann::json::array()}};
  if (auto listed = client.get_manifest(tag, {std::string(image::k_index_type)})) {
    nlohmann::json earlier = nlohmann::json::parse(listed->body, nullptr, false);
    if (earlier.is_object() && earlier.contains("manifests") && earlier["manifests"].is_array()) {
      index["manifests"] = earlier["manifests"];
    }
  }
  for (const nlohmann::json& entry : index["manifests"]) {
    if (entry.is_object() && entry.value("digest", "") == referrer.manifest_digest) {
      return tag; // listed already: pushing the same image again changes nothing
    }
  }
  index["manifests"].push_back({{"mediaType", image::k_manifest_type},
                                {"digest", referrer.manifest_digest},
                                {"size", referrer.manifest.size()},
                                {"artifactType", referrer.artifact_type}});
  client.put_manifest(tag, std::string(image::k_index_type), index.dump());
  return tag;
}

} // namespace xstage::remote
