#include "remote/image_push.hpp"

#include "util/atomic_file.hpp"

namespace fs = std::filesystem;

namespace xstage::remote {

ImagePushOutcome push_image(registry::Client& client, const std::string& tag, const image::Image& image,
                            const fs::path& staging) {
  ImagePushOutcome outcome;
  auto push = [&](const fs::path& file, const std::string& digest, std::uint64_t size) {
    std::uint64_t sent = client.push_blob(file, digest, size);
    outcome.bytes_sent += sent;
    ++(sent > 0 ? outcome.blobs_sent : outcome.blobs_present);
  };
  for (const image::Blob& layer : image.layers) {
    push(layer.file, layer.digest, layer.size);
  }
  fs::create_directories(staging);
  fs::path config_file = staging / image::digest_hex(image.config_digest, "config digest", "image");
  util::write_file_atomically(config_file, image.config);
  push(config_file, image.config_digest, image.config.size());
  client.put_manifest(tag, std::string(image::k_manifest_type), image.manifest);
  return outcome;
}

} // namespace xstage::remote
