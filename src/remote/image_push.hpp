#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "image/image.hpp"
#include "registry/client.hpp"
#include "remote/push_counts.hpp"

namespace xstage::remote {

// Pushes `image` to the client's repository as `tag`: layers and config
// (blobs the registry has are not sent again, and are mounted when the
// client has a repository to mount from), then the manifest. The
// config is written to `staging` (a directory) named by its digest, since
// blobs are uploaded from files.
PushCounts push_image(registry::Client& client, const std::string& tag, const image::Image& image,
                      const std::filesystem::path& staging);

} // namespace xstage::remote
