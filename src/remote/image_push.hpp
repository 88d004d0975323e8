#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "image/image.hpp"
#include "registry/client.hpp"
#include "remote/push_counts.hpp"

namespace xstage::remote {

// Where an image push goes: the repository and tag a reference names.
struct ImagePushTarget {
  std::string repository; // HOST/REPO
  std::string tag;        // "latest" when the reference names none
};

// The target of pushing an image to `reference` (HOST/REPO[:TAG]). Throws
// xstage::Error for a reference parse_reference() refuses, and for one by
// digest: the digest of what is pushed is its manifest's.
ImagePushTarget image_push_target(const std::string& reference);

// Pushes `image` to the client's repository as `tag`: layers and config
// (blobs the registry has are not sent again, and are mounted when the
// client has a repository to mount from), then the manifest. The
// config is written to `staging` (a directory) named by its digest, since
// blobs are uploaded from files.
PushCounts push_image(registry::Client& client, const std::string& tag, const image::Image& image,
                      const std::filesystem::path& staging);

// Pushes `referrer` (an artifact whose subject, `image`, is pushed already)
// by its digest, then lists it in the image's referrers tag,
// "sha256-<manifest hex>": distribution-spec 1.1's way to find referrers on
// a registry without the referrers API (Debian's docker-registry 2.8), an
// index of them that keeps what it listed before. Returns that tag.
std::string push_referrer(registry::Client& client, const image::Image& image,
                          const image::Referrer& referrer, const std::filesystem::path& staging);

} // namespace xstage::remote
