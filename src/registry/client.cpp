#include "registry/client.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "http/challenge.hpp"
#include "util/atomic_file.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace xstage::registry {

namespace {

std::string string_member(const json& object, const char* name) {
  auto member = object.find(name);
  return member != object.end() && member->is_string() ? member->get<std::string>() : std::string();
}

// "MANIFEST_BLOB_UNKNOWN: blob unknown to registry" from the distribution
// error body {"errors":[{"code","message"}]}; empty for any other body.
std::string registry_message(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("errors") || !parsed["errors"].is_array()) {
    return {};
  }
  std::string text;
  for (const json& error : parsed["errors"]) {
    if (error.is_object()) {
      std::string code = string_member(error, "code");
      std::string message = string_member(error, "message");
      text += (text.empty() ? "" : "; ") + code + (code.empty() || message.empty() ? "" : ": ") + message;
    }
  }
  return text;
}

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

// A request to the registry, and whether it needs a token with push scope.
struct Client::Call {
  Call(std::string method, std::string url, std::vector<std::string> headers = {}, bool push_scope = false)
      : push(push_scope) {
    request.method = std::move(method);
    request.url = std::move(url);
    request.headers = std::move(headers);
  }

  http::Request request;
  bool push = false;
  // A 401/403 after authenticating is returned, not thrown: for a mount the
  // registry may refuse, where an ordinary upload is still allowed.
  bool refusal_is_an_answer = false;
};

Client::Client(Reference repository, ClientOptions options)
    : m_reference(std::move(repository)), m_options(std::move(options)),
      // Plain http only where nobody can listen in, or when asked for.
      m_base((m_options.insecure || is_loopback(m_reference.host) ? "http://" : "https://") +
             m_reference.host),
      m_http("registry " + where()) {}

Client::~Client() = default;

std::string Client::where() const {
  return m_reference.host + "/" + m_reference.repository;
}

std::string Client::url_of(const std::string& path) const {
  return m_base + "/v2/" + m_reference.repository + path;
}

void Client::fail(const Call& call, const http::Response& response) const {
  std::string message = registry_message(response.body);
  std::string text =
      fmt::format("registry {}: {} {} returned HTTP {}{}", where(), call.request.method,
                  http::url_path(call.request.url), response.status, message.empty() ? "" : ": " + message);
  if (response.status >= 500) {
    throw http::TransferError(text); // the server is failing, not refusing this request
  }
  throw Error(text);
}

void Client::fail_authentication() const {
  if (m_options.credentials) {
    throw Error(fmt::format("registry {} refused the credentials for user '{}'", m_reference.host,
                            m_options.credentials->username));
  }
  throw Error(fmt::format("registry {} requires authentication: set XSTAGE_REGISTRY_USER and "
                          "XSTAGE_REGISTRY_PASSWORD, or log in with docker login (~/.docker/config.json)",
                          m_reference.host));
}

// A Location or a token realm may point anywhere; plain http stays limited to
// loopback unless insecure, as for the registry itself, so that credentials and
// tokens never cross the network in clear.
void Client::refuse_plain_http(const http::Request& request) const {
  if (starts_with(request.url, "http://") && !m_options.insecure &&
      !is_loopback(http::url_authority(request.url))) {
    throw Error(fmt::format("registry {}: {} {} would use plain http to {}; refused unless insecure", where(),
                            request.method, http::url_path(request.url), http::url_authority(request.url)));
  }
}

// One attempt, with whatever authentication the registry asked for so far.
http::Response Client::perform(Call& call) {
  http::Request& request = call.request;
  refuse_plain_http(request);
  // A registry reached over plain http (loopback, or --insecure) may redirect
  // to https anywhere, but to plain http only when insecure: libcurl cannot
  // hold a redirect to loopback, and a redirect must not carry a request in
  // clear to another host.
  request.redirect_protocols = starts_with(m_base, "https") || !m_options.insecure ? "https" : "http,https";
  std::vector<std::string> headers = request.headers;
  if (http::url_authority(request.url) == m_reference.host) {
    request.basic = m_use_basic && m_options.credentials ? &*m_options.credentials : nullptr;
    if (!m_token.empty()) {
      request.headers.push_back("Authorization: Bearer " + m_token);
    }
  }
  http::Response response = m_http.perform(request);
  request.headers = std::move(headers);
  return response;
}

// Answers a 401: Basic needs only the credentials, Bearer a token from the
// challenge's realm (with the credentials, if any).
void Client::authenticate(const std::string& header, bool push) {
  http::Challenge challenge = http::parse_challenge(header);
  if (challenge.scheme == "basic") {
    if (!m_options.credentials || m_use_basic) {
      fail_authentication(); // nothing to send, or sent and refused
    }
    m_use_basic = true;
    return;
  }
  std::string realm = challenge.params["realm"];
  if (challenge.scheme != "bearer" || realm.empty()) {
    throw Error(fmt::format("registry {} asks for an unsupported kind of authentication ('{}')",
                            m_reference.host, challenge.scheme));
  }
  // A push asks for pull and push at once, so that its HEAD, POST and PUT
  // share one token; anything else takes the scope the registry named.
  // A mount also reads the repository it mounts from.
  std::string scope = challenge.params["scope"];
  if (push || scope.empty()) {
    scope = fmt::format("repository:{}:{}", m_reference.repository, push ? "pull,push" : "pull");
  }
  Call call{"GET",
            realm + (realm.find('?') == std::string::npos ? "?" : "&") + "scope=" + http::url_escape(scope)};
  if (push && !m_options.mount_from.empty()) {
    call.request.url += "&scope=" + http::url_escape(fmt::format("repository:{}:pull", m_options.mount_from));
  }
  if (!challenge.params["service"].empty()) {
    call.request.url += "&service=" + http::url_escape(challenge.params["service"]);
  }
  refuse_plain_http(call.request);
  call.request.basic = m_options.credentials ? &*m_options.credentials : nullptr;
  http::Response response = m_http.perform(call.request);
  if (response.status == 401 || response.status == 403) {
    fail_authentication();
  }
  json parsed = json::parse(response.body, nullptr, false);
  if (response.status != 200 || !parsed.is_object()) {
    fail(call, response);
  }
  m_token = string_member(parsed, "token");
  m_token = m_token.empty() ? string_member(parsed, "access_token") : m_token;
  if (m_token.empty()) {
    throw Error(
        fmt::format("registry {}: GET {} returned no token", where(), http::url_path(call.request.url)));
  }
}

// An attempt, and after a 401 challenge one more with authentication.
http::Response Client::send(Call& call) {
  http::Response response = perform(call);
  if (response.status != 401) {
    return response;
  }
  authenticate(response.header("www-authenticate"), call.push);
  response = perform(call);
  if ((response.status == 401 || response.status == 403) && !call.refusal_is_an_answer) {
    fail_authentication();
  }
  return response;
}

bool Client::has_blob(const std::string& digest) {
  Call call{"HEAD", url_of("/blobs/" + digest)};
  call.request.follow_redirects = true;
  http::Response response = send(call);
  if (response.status != 200 && response.status != 404) {
    fail(call, response);
  }
  return response.status == 200;
}

BlobPush Client::push_blob(const fs::path& file, const std::string& digest, std::uint64_t size) {
  std::error_code error;
  std::uintmax_t actual = fs::file_size(file, error);
  if (error || actual != size) {
    throw Error(error ? fmt::format("cannot read {}: {}", file.string(), error.message())
                      : fmt::format("blob file {} has {} bytes, not {}", file.string(), actual, size));
  }
  if (has_blob(digest)) {
    return {BlobPush::How::present, 0};
  }
  Call start{"POST", url_of("/blobs/uploads/"), {}, true};
  std::optional<http::Response> started;
  if (!m_options.mount_from.empty()) {
    Call mount{"POST",
               start.request.url + "?mount=" + http::url_escape(digest) +
                   "&from=" + http::url_escape(m_options.mount_from),
               {},
               true};
    mount.refusal_is_an_answer = true;
    http::Response answer = send(mount);
    if (answer.status == 201) {
      return {BlobPush::How::mounted, 0};
    }
    // 202: the registry opened an ordinary upload session instead. Anything
    // else (say, no access to the other repository): start one without mount.
    if (answer.status == 202) {
      start = std::move(mount);
      started = std::move(answer);
    }
  }
  if (!started) {
    started = send(start);
  }
  std::string location = started->header("location");
  if (started->status != 202 || location.empty()) {
    fail(start, *started);
  }
  // Location may be absolute, absolute-path or relative to the POST URL,
  // and usually carries upload state in its query already.
  if (!starts_with(location, "http://") && !starts_with(location, "https://")) {
    location = (location[0] == '/' ? m_base : start.request.url) + location;
  }
  std::unique_ptr<std::FILE, decltype(&std::fclose)> in(std::fopen(file.c_str(), "rb"), std::fclose);
  if (!in) {
    throw Error(fmt::format("cannot read {}: {}", file.string(), std::strerror(errno)));
  }
  std::string query =
      (location.find('?') == std::string::npos ? "?" : "&") + ("digest=" + http::url_escape(digest));
  Call put{"PUT", location + query, {"Content-Type: application/octet-stream"}, true};
  put.request.upload = in.get();
  put.request.upload_size = size;
  if (m_options.progress) {
    put.request.progress = [&](std::uint64_t done, std::uint64_t total) {
      m_options.progress(digest, done, total);
    };
  }
  http::Response done = send(put);
  m_bytes_sent += done.uploaded;
  if (done.status != 201) {
    fail(put, done);
  }
  return {BlobPush::How::uploaded, done.uploaded};
}

std::string Client::put_manifest(const std::string& tag_or_digest, const std::string& media_type,
                                 const std::string& body) {
  Call call{"PUT", url_of("/manifests/" + tag_or_digest), {"Content-Type: " + media_type}, true};
  call.request.body = body;
  http::Response response = send(call);
  if (response.status != 201) {
    fail(call, response);
  }
  std::string digest = util::Digest::of(body).str();
  std::string reported = response.header("docker-content-digest");
  if (!reported.empty() && reported != digest) {
    throw Error(fmt::format("registry {}: PUT {} stored the manifest as {}, but its sha256 is {}", where(),
                            http::url_path(call.request.url), reported, digest));
  }
  return digest;
}

std::optional<Manifest> Client::get_manifest(const std::string& tag_or_digest,
                                             const std::vector<std::string>& accept) {
  std::string accepted;
  for (const std::string& type : accept) {
    accepted += (accepted.empty() ? "Accept: " : ", ") + type;
  }
  Call call{"GET", url_of("/manifests/" + tag_or_digest), {accepted}};
  call.request.follow_redirects = true;
  http::Response response = send(call);
  if (response.status == 404) {
    return std::nullopt;
  }
  if (response.status != 200 || response.oversized) {
    fail(call, response);
  }
  std::string type = response.header("content-type");
  Manifest manifest{type.substr(0, type.find(';')), response.body, util::Digest::of(response.body).str()};
  // By digest, the body must be that digest; by tag, what the registry says it is.
  std::string expected =
      util::Digest::try_parse(tag_or_digest) ? tag_or_digest : response.header("docker-content-digest");
  if (!expected.empty() && expected != manifest.digest) {
    throw Error(fmt::format("manifest {} from {} has {} (corrupt on the registry); not used", expected,
                            where(), manifest.digest));
  }
  return manifest;
}

void Client::fetch_blob(const std::string& digest, std::uint64_t expected_size, const fs::path& destination) {
  // Through an AtomicFile, so a blob that fails its check never appears.
  util::AtomicFile out(destination);
  util::Sha256 hash;
  Call call{"GET", url_of("/blobs/" + digest)};
  call.request.follow_redirects = true;
  call.request.sink = [&](std::string_view chunk) {
    out.write(chunk);
    hash.update(chunk);
  };
  call.request.limit = expected_size;
  if (m_options.progress) {
    call.request.progress = [&](std::uint64_t done, std::uint64_t) {
      m_options.progress(digest, done, expected_size);
    };
  }
  http::Response response = send(call);
  m_bytes_received += response.streamed;
  if (response.status == 404) {
    throw Error(fmt::format("registry {} has no blob {}", where(), digest));
  }
  if (response.status != 200) {
    fail(call, response);
  }
  if (response.oversized || response.streamed != expected_size) {
    throw Error(fmt::format("blob {} from {} has {} bytes, not the expected {} (corrupt on the registry); "
                            "not used",
                            digest, where(), response.oversized ? "more" : std::to_string(response.streamed),
                            expected_size));
  }
  std::string actual = hash.finish().str();
  if (actual != digest) {
    throw Error(
        fmt::format("blob {} from {} has {} (corrupt on the registry); not used", digest, where(), actual));
  }
  out.commit();
}

} // namespace xstage::registry
