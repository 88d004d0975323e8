#pragma once

#include <string>
#include <string_view>

namespace xstage::registry {

// Where an image lives in a registry: "127.0.0.1:5000/team/demo:v1" or
// "ghcr.io/team/demo@sha256:<64 hex>". At most one of `tag` and `digest` is
// set; both are empty for a bare repository.
struct Reference {
  std::string host;       // "127.0.0.1:5000", "ghcr.io", "[::1]:5000"
  std::string repository; // "team/demo"
  std::string tag;        // "v1"
  std::string digest;     // "sha256:<64 lower-case hex>"

  // The reference as a user writes it: host/repository[:tag|@digest].
  std::string str() const;
};

// Parses HOST[:PORT]/REPOSITORY[:TAG|@sha256:HEX]. The registry host is
// required (xstage never guesses Docker Hub): the first path component must
// contain '.' or ':' or be "localhost". Repository components, tags and
// digests follow the distribution grammar. Throws xstage::Error naming the
// text and what is wrong with it.
Reference parse_reference(std::string_view text);

// The repository a push to `push_to` may mount blobs from: the one
// `mount_from` (--mount-from) names, which must be a repository (HOST/REPO,
// no tag or digest) on the registry pushed to, since blobs mount only within
// one registry. Throws xstage::Error naming both otherwise.
std::string mount_repository(std::string_view push_to, std::string_view mount_from);

// True for hosts that never leave the machine: "localhost", 127.0.0.0/8 and
// "[::1]" (or "::1"), each with or without a port. Only these may be spoken
// to over plain http without --insecure.
bool is_loopback(std::string_view host);

} // namespace xstage::registry
