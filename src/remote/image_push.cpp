#include "remote/image_push.hpp"

#include <fmt/format.h>

#include "registry/reference.hpp"
#include "util/atomic_file.hpp"
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

} // namespace xstage::remote
