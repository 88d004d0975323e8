#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "image/image.hpp"
#include "registry/client.hpp"

namespace xstage::remote {

struct ImagePushOutcome {
  std::uint64_t bytes_sent = 0; // blob bytes uploaded (0: all already there)
  std::size_t blobs_sent = 0;
  std::size_t blobs_present = 0;
};

// Pushes `image` to the client's repository as `tag`: layers and config
// (blobs the registry has are not sent again), then the manifest. The
// config is written to `staging` (a directory) named by its digest, since
// blobs are uploaded from files.
ImagePushOutcome push_image(registry::Client& client, const std::string& tag, const image::Image& image,
                            const std::filesystem::path& staging);

} // namespace xstage::remote
