#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "http/session.hpp"
#include "registry/credentials.hpp"
#include "registry/reference.hpp"

namespace xstage::registry {

struct ClientOptions {
  // Speaks plain http to the registry even when its host is not loopback
  // (loopback hosts always get http), and lets redirects, upload locations
  // and token realms use http too. It never turns off TLS verification: any
  // https URL must present a certificate the system trusts, with or without it.
  bool insecure = false;
  // Sent only after the registry asks (401), and only over a scheme the
  // rule above allows (https; plain http to loopback, or with `insecure`).
  std::optional<Credentials> credentials;
  // Another repository of the same registry (e.g. the stage cache's) whose
  // blobs push_blob() asks to mount before uploading: OCI's cross-repository
  // blob mount, which copies nothing over the network.
  std::string mount_from;
  // Called during blob transfers with the blob's digest, bytes done and the
  // total (0 when unknown). May be empty; an exception from it aborts the
  // transfer and propagates.
  std::function<void(const std::string& what, std::uint64_t done, std::uint64_t total)> progress;
};

// What push_blob() did with one blob.
struct BlobPush {
  enum class How { present, mounted, uploaded };
  How how = How::present;
  std::uint64_t bytes_sent = 0;
};

// A manifest as the registry serves it: its media type (the Content-Type),
// its exact bytes, and "sha256:<hex>" of those bytes.
struct Manifest {
  std::string media_type;
  std::string body;
  std::string digest;
};

// A client for one repository of an OCI distribution (Docker registry v2)
// API server, over one reused libcurl handle (so requests share a
// keep-alive connection). Not thread-safe.
//
// The scheme is https, except plain http for loopback hosts or with
// `insecure`. Authentication follows the registry's 401 challenge: Basic
// sends the credentials; Bearer fetches a token from the challenge's realm
// (with the credentials, if any) and keeps it for later requests.
//
// Every failure throws xstage::Error naming the registry and repository, the
// method and URL path, the HTTP status and the registry's own error message
// when it sent one. Credentials are never part of a message.
class Client {
public:
  Client(Reference repository, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // HEAD /v2/<repo>/blobs/<digest>: true for 200, false for 404.
  bool has_blob(const std::string& digest);

  // Uploads `file` (`size` bytes whose SHA-256 is `digest`) unless the
  // repository already has it (nothing is sent) or, with `mount_from`, the
  // registry mounts it from there (nothing is sent either; a registry that
  // cannot mount opens an upload session instead). Otherwise it starts an
  // upload session and PUTs the whole file in one request. The registry
  // checks the digest.
  BlobPush push_blob(const std::filesystem::path& file, const std::string& digest, std::uint64_t size);

  // PUT /v2/<repo>/manifests/<tag_or_digest> with Content-Type `media_type`.
  // Returns "sha256:<hex>" of `body`, checked against the registry's
  // Docker-Content-Digest when it sends one.
  std::string put_manifest(const std::string& tag_or_digest, const std::string& media_type,
                           const std::string& body);

  // GET /v2/<repo>/manifests/<tag_or_digest> accepting `accept` media types;
  // nothing when the registry has no such manifest (404). A manifest fetched
  // by digest is checked against that digest.
  std::optional<Manifest> get_manifest(const std::string& tag_or_digest,
                                       const std::vector<std::string>& accept);

  // Downloads a blob (following redirects, e.g. to object storage) to
  // `destination` through an AtomicFile, hashing as it streams. A blob whose
  // digest or size is not the expected one throws and never appears at
  // `destination` (a file already there is left as it was).
  void fetch_blob(const std::string& digest, std::uint64_t expected_size,
                  const std::filesystem::path& destination);

  // Blob bytes moved over the network by this client so far.
  std::uint64_t bytes_sent() const { return m_bytes_sent; }
  std::uint64_t bytes_received() const { return m_bytes_received; }

private:
  struct Call;

  http::Response send(Call& call);
  http::Response perform(Call& call);
  void authenticate(const std::string& challenge, bool push);
  std::string url_of(const std::string& path) const;
  std::string where() const;
  void refuse_plain_http(const http::Request& request) const;
  [[noreturn]] void fail(const Call& call, const http::Response& response) const;
  [[noreturn]] void fail_authentication() const;

  Reference m_reference;
  ClientOptions m_options;
  std::string m_base; // "https://ghcr.io"
  http::Session m_http;
  bool m_use_basic = false; // the registry asked for Basic; send the credentials up front
  std::string m_token;      // the last Bearer token, sent until the registry refuses it
  std::uint64_t m_bytes_sent = 0;
  std::uint64_t m_bytes_received = 0;
};

} // namespace xstage::registry
