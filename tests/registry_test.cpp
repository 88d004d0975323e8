// The OCI distribution client: references, credentials, and pushes and pulls
// against Debian's real docker-registry (distribution 2.8) with and without
// htpasswd authentication, plus a fake Bearer token registry.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "local_registry.hpp"
#include "registry/client.hpp"
#include "registry/credentials.hpp"
#include "registry/reference.hpp"
#include "test_support.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using namespace xstage::registry;
using nlohmann::json;
using xstage::test::LocalRegistry;
using xstage::test::make_temp_dir;
using xstage::test::read_file;
using xstage::test::write_file;

namespace {

const std::string k_oci_manifest = "application/vnd.oci.image.manifest.v1+json";
const std::string k_digest = "sha256:" + std::string(64, 'a');

// Sets (or, given nothing, unsets) environment variables for one test and
// restores the old values after it.
class ScopedEnv {
public:
  explicit ScopedEnv(const std::vector<std::pair<std::string, std::optional<std::string>>>& values) {
    for (const auto& [name, value] : values) {
      const char* old = std::getenv(name.c_str());
      m_saved.emplace_back(name, old != nullptr ? std::optional<std::string>(old) : std::nullopt);
      set(name, value);
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : m_saved) {
      set(name, value);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
  static void set(const std::string& name, const std::optional<std::string>& value) {
    value ? ::setenv(name.c_str(), value->c_str(), 1) : ::unsetenv(name.c_str());
  }
  std::vector<std::pair<std::string, std::optional<std::string>>> m_saved;
};

// A Docker config directory holding `config`, with the XSTAGE_ variables unset.
ScopedEnv docker_config(const fs::path& dir, const std::string& config) {
  write_file(dir / "config.json", config);
  return ScopedEnv({{"DOCKER_CONFIG", dir.string()},
                    {"XSTAGE_REGISTRY_USER", std::nullopt},
                    {"XSTAGE_REGISTRY_PASSWORD", std::nullopt}});
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const xstage::Error& error) {
    return error.what();
  }
  return "(no error)";
}

struct Blob {
  fs::path file;
  std::string digest;
  std::uint64_t size;
};

Blob make_blob(const fs::path& file, const std::string& content) {
  write_file(file, content);
  return {file, xstage::util::Digest::of_file(file).str(), content.size()};
}

json descriptor(const std::string& media_type, const Blob& blob) {
  return {{"mediaType", media_type}, {"digest", blob.digest}, {"size", blob.size}};
}

// An OCI image manifest of a config blob of type `config_type` and one layer.
std::string image_manifest(const Blob& config, const std::string& config_type, const Blob& layer) {
  return json{{"schemaVersion", 2},
              {"mediaType", k_oci_manifest},
              {"config", descriptor(config_type, config)},
              {"layers", {descriptor("application/vnd.oci.image.layer.v1.tar+zstd", layer)}},
              {"annotations", {{"org.opencontainers.image.title", "demo"}}}}
      .dump();
}

Client client_for(const std::string& host, std::optional<Credentials> credentials = std::nullopt) {
  ClientOptions options;
  options.credentials = std::move(credentials);
  return Client(parse_reference(host + "/team/demo"), std::move(options));
}

} // namespace

TEST_CASE("a registry reference names host, repository, and a tag or a digest", "[registry]") {
  Reference tagged = parse_reference("127.0.0.1:5000/team/demo:v1.0-rc_1");
  CHECK(tagged.host == "127.0.0.1:5000");
  CHECK(tagged.repository == "team/demo");
  CHECK(tagged.tag == "v1.0-rc_1");
  CHECK(tagged.digest.empty());
  Reference pinned = parse_reference("ghcr.io/a.b/c__d/e--f@" + k_digest);
  CHECK(pinned.host == "ghcr.io");
  CHECK(pinned.repository == "a.b/c__d/e--f");
  CHECK(pinned.tag.empty());
  CHECK(pinned.digest == k_digest);
  Reference bare = parse_reference("localhost/demo");
  CHECK((bare.host == "localhost" && bare.repository == "demo" && bare.tag.empty() && bare.digest.empty()));
  CHECK(parse_reference("[::1]:5000/x:latest").host == "[::1]:5000");
  const std::vector<std::string> texts{"127.0.0.1:5000/team/demo:v1", "ghcr.io/a/b@" + k_digest,
                                       "localhost/demo"};
  for (const std::string& text : texts) {
    CHECK(parse_reference(text).str() == text);
  }
}

TEST_CASE("a registry reference without a host is refused", "[registry]") {
  for (const std::string text : {"team/demo", "demo", "demo:v1", "/demo"}) {
    CHECK(error_of([&] { parse_reference(text); }) ==
          "registry reference '" + text + "': missing a registry host, e.g. 127.0.0.1:5000/team/demo");
  }
}

TEST_CASE("a bad repository, tag, digest or host is named", "[registry]") {
  auto error = [](const std::string& text) { return error_of([&] { parse_reference(text); }); };
  const std::string repository_rule =
      "is not valid: lower-case letters and digits, separated by '.', '_', '__', '-' or '/'";
  CHECK(error("ghcr.io/Team/demo") ==
        "registry reference 'ghcr.io/Team/demo': repository 'Team/demo' " + repository_rule);
  for (const std::string repository : {"a..b", "a___b", "a_-b", "-a", "a/", "a//b", ""}) {
    CHECK(error("ghcr.io/" + repository) == "registry reference 'ghcr.io/" + repository + "': repository '" +
                                                repository + "' " + repository_rule);
  }
  CHECK(error("ghcr.io/demo:.v1") == "registry reference 'ghcr.io/demo:.v1': tag '.v1' is not valid: up to "
                                     "128 letters, digits, '_', '.' or '-', not starting with '.' or '-'");
  CHECK(error("ghcr.io/demo:" + std::string(129, 'a')).find("is not valid: up to 128") != std::string::npos);
  CHECK(error("ghcr.io/demo@sha256:ABC") ==
        "registry reference 'ghcr.io/demo@sha256:ABC': digest "
        "'sha256:ABC' is not sha256: followed by 64 lower-case hex digits");
  CHECK(error("ghcr.io/demo:v1@" + k_digest) ==
        "registry reference 'ghcr.io/demo:v1@" + k_digest + "': give a tag or a digest, not both");
  CHECK(error("ghcr.io:50x/demo") == "registry reference 'ghcr.io:50x/demo': 'ghcr.io:50x' is not a valid "
                                     "registry host[:port]");
}

TEST_CASE("a push mounts blobs from a repository of the registry pushed to", "[registry]") {
  CHECK(mount_repository("127.0.0.1:5000/demo:v1", "127.0.0.1:5000/team/cache") == "team/cache");
}

TEST_CASE("a mount from another registry, or from a tagged image, is refused", "[registry]") {
  for (const std::string from : {"127.0.0.2:5000/cache", "127.0.0.1:5000/cache:v1"}) {
    CHECK(error_of([&] { mount_repository("127.0.0.1:5000/demo:v1", from); }) ==
          "--mount-from '" + from +
              "' must be a repository (HOST/REPO, no tag) on the registry pushed to (127.0.0.1:5000): blobs "
              "mount only within one registry");
  }
}

TEST_CASE("loopback hosts are localhost, 127.0.0.0/8 and ::1, with or without a port", "[registry]") {
  for (const char* host : {"localhost", "localhost:5000", "127.0.0.1", "127.0.0.1:5000", "127.1.2.3:80",
                           "[::1]", "[::1]:5000", "::1"}) {
    CHECK(is_loopback(host));
  }
  for (const char* host : {"ghcr.io", "10.0.0.1:5000", "128.0.0.1", "[::2]:5000", "localhost.example.com",
                           "127.0.0.1.example.com", ""}) {
    CHECK_FALSE(is_loopback(host));
  }
}

TEST_CASE("registry credentials come from XSTAGE_REGISTRY_USER and _PASSWORD first", "[registry]") {
  fs::path dir = make_temp_dir("credentials-env");
  write_file(dir / "config.json", R"({"auths":{"ghcr.io":{"auth":"YWxpY2U6czNjcjN0"}}})");
  ScopedEnv env({{"DOCKER_CONFIG", dir.string()},
                 {"XSTAGE_REGISTRY_USER", "ci"},
                 {"XSTAGE_REGISTRY_PASSWORD", "from-env"}});
  auto credentials = find_credentials("ghcr.io");
  REQUIRE(credentials);
  CHECK(credentials->username == "ci");
  CHECK(credentials->password == "from-env");
  ::unsetenv("XSTAGE_REGISTRY_PASSWORD");
  CHECK(error_of([] { find_credentials("ghcr.io"); }) ==
        "XSTAGE_REGISTRY_USER is set but XSTAGE_REGISTRY_PASSWORD is not; set both to log in to ghcr.io");
}

TEST_CASE("registry credentials come from the docker config's base64 auth", "[registry]") {
  fs::path dir = make_temp_dir("credentials-auth");
  ScopedEnv env = docker_config(dir, R"({"auths":{
      "127.0.0.1:5000":{"auth":"YWxpY2U6czNjcjN0"}, "one.example":{"auth":"Y2Fyb2w6cGFzcyE="},
      "two.example":{"auth":"Ym9iOnB3MQ=="}, "colon.example":{"auth":"ZGF2ZTpwOnc="}}})");
  auto expect = [](const std::string& host, const std::string& username, const std::string& password) {
    auto credentials = find_credentials(host);
    REQUIRE(credentials);
    CHECK(credentials->username == username);
    CHECK(credentials->password == password);
  };
  expect("127.0.0.1:5000", "alice", "s3cr3t");
  expect("one.example", "carol", "pass!"); // one '=' of padding
  expect("two.example", "bob", "pw1");     // two
  expect("colon.example", "dave", "p:w");  // the password may hold ':'
  CHECK_FALSE(find_credentials("other.example"));
}

TEST_CASE("registry credentials match docker config keys written as URLs", "[registry]") {
  fs::path dir = make_temp_dir("credentials-url");
  ScopedEnv env = docker_config(dir, R"({"auths":{"https://ghcr.io":{"auth":"YWxpY2U6czNjcjN0"},
      "http://127.0.0.1:5000/v1/":{"username":"bob","password":"pw1"}}})");
  auto ghcr = find_credentials("ghcr.io");
  REQUIRE(ghcr);
  CHECK((ghcr->username == "alice" && ghcr->password == "s3cr3t"));
  auto local = find_credentials("127.0.0.1:5000");
  REQUIRE(local);
  CHECK((local->username == "bob" && local->password == "pw1"));
}

TEST_CASE("registry credentials fall back to ~/.docker/config.json", "[registry]") {
  fs::path home = make_temp_dir("credentials-home");
  write_file(home / ".docker/config.json", R"({"auths":{"ghcr.io":{"auth":"YWxpY2U6czNjcjN0"}}})");
  ScopedEnv env({{"HOME", home.string()},
                 {"DOCKER_CONFIG", std::nullopt},
                 {"XSTAGE_REGISTRY_USER", std::nullopt},
                 {"XSTAGE_REGISTRY_PASSWORD", std::nullopt}});
  auto credentials = find_credentials("ghcr.io");
  REQUIRE(credentials);
  CHECK(credentials->username == "alice");
}

TEST_CASE("a docker credential helper is refused by name, not silently skipped", "[registry]") {
  fs::path dir = make_temp_dir("credentials-helper");
  ScopedEnv env = docker_config(dir, R"({"auths":{"ghcr.io":{}, "inline.example":{"auth":"YWxpY2U6czNjcjN0"}},
      "credsStore":"desktop", "credHelpers":{"gcr.io":"gcloud"}})");
  std::string file = (dir / "config.json").string();
  CHECK(error_of([] { find_credentials("ghcr.io"); }) ==
        "docker config " + file +
            ": the login for ghcr.io is kept by the credential helper docker-credential-desktop, which "
            "xstage does not support; set XSTAGE_REGISTRY_USER and XSTAGE_REGISTRY_PASSWORD instead");
  CHECK(error_of([] { find_credentials("gcr.io"); }) ==
        "docker config " + file +
            ": the login for gcr.io is kept by the credential helper docker-credential-gcloud, which "
            "xstage does not support; set XSTAGE_REGISTRY_USER and XSTAGE_REGISTRY_PASSWORD instead");
  CHECK(find_credentials("inline.example")->username == "alice"); // inline auth wins over the store
  CHECK_FALSE(find_credentials("unlisted.example"));              // the store knows only listed hosts
}

TEST_CASE("a malformed docker config is named, without quoting its content", "[registry]") {
  fs::path dir = make_temp_dir("credentials-malformed");
  std::string file = (dir / "config.json").string();
  {
    ScopedEnv env = docker_config(dir, R"({"auths":{"ghcr.io":{"password":"hunter2",}}})");
    std::string message = error_of([] { find_credentials("ghcr.io"); });
    CHECK(message == "docker config " + file + ": not valid JSON (at byte 43)");
    CHECK(message.find("hunter2") == std::string::npos);
  }
  ScopedEnv env = docker_config(dir, R"({"auths":{"ghcr.io":{"auth":"not base64!"}}})");
  CHECK(error_of([] { find_credentials("ghcr.io"); }) ==
        "docker config " + file + ": auths entry for ghcr.io: auth is not base64 of user:password");
}

TEST_CASE("a blob is pushed once; a second push sends nothing", "[registry]") {
  LocalRegistry registry;
  fs::path dir = make_temp_dir("registry-push");
  Blob blob = make_blob(dir / "layer", std::string(300000, 'x') + "end");
  std::uint64_t last_done = 0;
  ClientOptions options;
  options.progress = [&](const std::string& what, std::uint64_t done, std::uint64_t) {
    CHECK(what == blob.digest);
    last_done = done;
  };
  Client client(parse_reference(registry.host() + "/team/demo"), options);
  CHECK_FALSE(client.has_blob(blob.digest));
  BlobPush first = client.push_blob(blob.file, blob.digest, blob.size);
  CHECK(first.how == BlobPush::How::uploaded);
  CHECK(first.bytes_sent == blob.size);
  CHECK(client.has_blob(blob.digest));
  CHECK(client.bytes_sent() == blob.size);
  CHECK(last_done == blob.size);
  BlobPush second = client.push_blob(blob.file, blob.digest, blob.size);
  CHECK(second.how == BlobPush::How::present);
  CHECK(second.bytes_sent == 0);
  CHECK(client.bytes_sent() == blob.size);
  CHECK(read_file(registry.blob_data(blob.digest)) == read_file(blob.file));
}

TEST_CASE("a blob of another repository is mounted, not sent; one it lacks is uploaded", "[registry]") {
  LocalRegistry registry;
  fs::path dir = make_temp_dir("registry-mount");
  Blob layer = make_blob(dir / "layer", std::string(100000, 'm'));
  Blob config = make_blob(dir / "config", R"({"architecture":"arm64","os":"linux"})");
  client_for(registry.host()).push_blob(layer.file, layer.digest, layer.size); // into team/demo
  ClientOptions options;
  options.mount_from = "team/demo";
  Client app(parse_reference(registry.host() + "/team/app"), options);
  BlobPush mounted = app.push_blob(layer.file, layer.digest, layer.size);
  CHECK(mounted.how == BlobPush::How::mounted);
  CHECK(mounted.bytes_sent == 0);
  CHECK(app.has_blob(layer.digest));
  BlobPush uploaded = app.push_blob(config.file, config.digest, config.size);
  CHECK(uploaded.how == BlobPush::How::uploaded);
  CHECK(uploaded.bytes_sent == config.size);
  CHECK(app.bytes_sent() == config.size);
}

TEST_CASE("an image manifest round-trips by tag and by digest; blobs come back identical", "[registry]") {
  LocalRegistry registry;
  fs::path dir = make_temp_dir("registry-manifest");
  Client client = client_for(registry.host());
  Blob config = make_blob(dir / "config", R"({"architecture":"arm64","os":"linux"})");
  Blob stage = make_blob(dir / "stage", R"({"stage":"zlib","key":"abc"})");
  Blob layer = make_blob(dir / "layer", "layer bytes\n");
  for (const Blob& blob : {config, stage, layer}) {
    client.push_blob(blob.file, blob.digest, blob.size);
  }
  // The standard config type, and xstage's own: distribution 2.8 stores the
  // config like any blob, whatever its media type.
  for (const auto& [tag, body] :
       {std::pair{"v1", image_manifest(config, "application/vnd.oci.image.config.v1+json", layer)},
        std::pair{"stage", image_manifest(stage, "application/vnd.xstage.stage.v1+json", layer)}}) {
    std::string digest = client.put_manifest(tag, k_oci_manifest, body);
    CHECK(digest == xstage::util::Digest::of(body).str());
    for (const std::string& reference : {std::string(tag), digest}) {
      auto manifest = client.get_manifest(reference, {k_oci_manifest});
      REQUIRE(manifest);
      CHECK(manifest->body == body);
      CHECK(manifest->media_type == k_oci_manifest);
      CHECK(manifest->digest == digest);
    }
  }
  CHECK_FALSE(client.get_manifest("missing", {k_oci_manifest}));
  client.fetch_blob(layer.digest, layer.size, dir / "fetched");
  CHECK(read_file(dir / "fetched") == "layer bytes\n");
  CHECK(client.bytes_received() == layer.size);
}

TEST_CASE("a blob damaged on the registry is refused and never written", "[registry]") {
  LocalRegistry registry;
  fs::path dir = make_temp_dir("registry-corrupt");
  Client client = client_for(registry.host());
  Blob blob = make_blob(dir / "layer", "the layer as pushed\n");
  client.push_blob(blob.file, blob.digest, blob.size);
  std::string damaged = read_file(registry.blob_data(blob.digest));
  damaged[4] = static_cast<char>(damaged[4] ^ 1); // same size, one bit flipped
  write_file(registry.blob_data(blob.digest), damaged);
  std::string actual = xstage::util::Digest::of(damaged).str();
  CHECK(error_of([&] { client.fetch_blob(blob.digest, blob.size, dir / "fetched"); }) ==
        "blob " + blob.digest + " from " + registry.host() + "/team/demo has " + actual +
            " (corrupt on the registry); not used");
  CHECK_FALSE(fs::exists(dir / "fetched"));
  CHECK(error_of([&] { client.fetch_blob(blob.digest, blob.size - 1, dir / "fetched"); }) ==
        "blob " + blob.digest + " from " + registry.host() +
            "/team/demo has more bytes, not the expected 19 (corrupt on the registry); not used");
  CHECK_FALSE(fs::exists(dir / "fetched"));
}

TEST_CASE("a manifest damaged on the registry is refused when fetched by digest", "[registry]") {
  LocalRegistry registry;
  fs::path dir = make_temp_dir("registry-corrupt-manifest");
  Client client = client_for(registry.host());
  Blob config = make_blob(dir / "config", "{}");
  Blob layer = make_blob(dir / "layer", "layer");
  client.push_blob(config.file, config.digest, config.size);
  client.push_blob(layer.file, layer.digest, layer.size);
  std::string digest = client.put_manifest(
      "v1", k_oci_manifest, image_manifest(config, "application/vnd.oci.image.config.v1+json", layer));
  std::string body = read_file(registry.blob_data(digest));
  body.replace(body.find("demo"), 4, "dEmo"); // still valid JSON, so the registry serves it
  write_file(registry.blob_data(digest), body);
  CHECK(error_of([&] { client.get_manifest(digest, {k_oci_manifest}); }) ==
        "manifest " + digest + " from " + registry.host() + "/team/demo has " +
            xstage::util::Digest::of(body).str() + " (corrupt on the registry); not used");
}

TEST_CASE("a registry error names the method, path, status and the registry's message", "[registry]") {
  LocalRegistry registry;
  fs::path dir = make_temp_dir("registry-errors");
  Client client = client_for(registry.host());
  Blob config = make_blob(dir / "config", "{}");
  Blob layer = make_blob(dir / "layer", "never pushed");
  client.push_blob(config.file, config.digest, config.size);
  CHECK(error_of([&] {
          client.put_manifest("v1", k_oci_manifest,
                              image_manifest(config, "application/vnd.oci.image.config.v1+json", layer));
        }) == "registry " + registry.host() +
                  "/team/demo: PUT /v2/team/demo/manifests/v1 returned HTTP 400: MANIFEST_BLOB_UNKNOWN: blob "
                  "unknown to registry");
  CHECK(error_of([&] { client.fetch_blob(layer.digest, layer.size, dir / "fetched"); }) ==
        "registry " + registry.host() + "/team/demo has no blob " + layer.digest);
  std::string message = error_of([&] { client.push_blob(layer.file, k_digest, layer.size); });
  std::string prefix = "registry " + registry.host() + "/team/demo: PUT /v2/team/demo/blobs/uploads/";
  std::string suffix = " returned HTTP 400: DIGEST_INVALID: provided digest did not match uploaded content";
  CHECK(message.substr(0, prefix.size()) == prefix);
  CHECK(message.size() > suffix.size());
  CHECK(message.substr(message.size() - suffix.size()) == suffix);
}

TEST_CASE("an unreachable registry is named with the method and path", "[registry]") {
  std::string host = "127.0.0.1:" + std::to_string(xstage::test::free_port());
  Client client = client_for(host);
  std::string message = error_of([&] { client.has_blob(k_digest); });
  std::string prefix = "registry " + host + "/team/demo: HEAD /v2/team/demo/blobs/" + k_digest + " failed: ";
  CHECK(message.substr(0, prefix.size()) == prefix);
}

TEST_CASE("an htpasswd registry asks for, refuses and accepts credentials", "[registry]") {
  LocalRegistry registry(xstage::test::HtpasswdUser{"alice", "s3cr3t"});
  fs::path dir = make_temp_dir("registry-basic");
  Blob blob = make_blob(dir / "layer", "private layer\n");
  CHECK(error_of([&] { client_for(registry.host()).has_blob(blob.digest); }) ==
        "registry " + registry.host() +
            " requires authentication: set XSTAGE_REGISTRY_USER and XSTAGE_REGISTRY_PASSWORD, or log in "
            "with docker login (~/.docker/config.json)");
  std::string refused = error_of([&] {
    client_for(registry.host(), Credentials{"alice", "wrong"}).push_blob(blob.file, blob.digest, blob.size);
  });
  CHECK(refused == "registry " + registry.host() + " refused the credentials for user 'alice'");
  Client client = client_for(registry.host(), Credentials{"alice", "s3cr3t"});
  CHECK(client.push_blob(blob.file, blob.digest, blob.size).bytes_sent == blob.size);
  client.fetch_blob(blob.digest, blob.size, dir / "fetched");
  CHECK(read_file(dir / "fetched") == "private layer\n");
}

// Debian's docker-registry does Bearer (token) authentication only with an
// external token server, and Debian ships none; fake_token_registry.py fakes
// the registry and its token server in one small process.
TEST_CASE("a Bearer registry's token is fetched with the credentials and reused", "[registry]") {
  fs::path dir = make_temp_dir("registry-bearer");
  Blob blob = make_blob(dir / "blob", "served with a token\n");
  xstage::test::ChildProcess fake(
      {"python3", (xstage::test::source_root() / "tests/fake_token_registry.py").string(),
       (dir / "port").string(), "alice", "s3cr3t", "team/demo", blob.file.string()},
      dir / "fake.log");
  for (int tries = 0; !fs::exists(dir / "port") && tries < 400 && fake.running(); ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::string host = "127.0.0.1:" + read_file(dir / "port");
  fake.wait_for_http("http://" + host + "/v2/");

  Client client = client_for(host, Credentials{"alice", "s3cr3t"});
  CHECK(client.has_blob(blob.digest));
  CHECK_FALSE(client.has_blob(k_digest));
  client.fetch_blob(blob.digest, blob.size, dir / "fetched");
  CHECK(read_file(dir / "fetched") == "served with a token\n");
  std::string log = read_file(fake.log());
  CHECK(log.find("GET /token?") != std::string::npos);
  CHECK(log.find("GET /token?") == log.rfind("GET /token?")); // one token for all three requests
  CHECK(error_of([&] {
          client_for(host, Credentials{"alice", "wrong"}).has_blob(blob.digest);
        }) == "registry " + host + " refused the credentials for user 'alice'");
  CHECK(error_of([&] { client_for(host).has_blob(blob.digest); }) ==
        "registry " + host +
            " requires authentication: set XSTAGE_REGISTRY_USER and XSTAGE_REGISTRY_PASSWORD, or log in "
            "with docker login (~/.docker/config.json)");
}
