// The registry-backed stage cache and image push, against Debian's real
// docker-registry: round trips, zero-byte second pushes, and a registry that
// serves corrupt or mismatched content is caught before the cache changes.
#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cache/cache.hpp"
#include "image/image.hpp"
#include "image/sbom.hpp"
#include "key/stage_key.hpp"
#include "layer/layer.hpp"
#include "local_registry.hpp"
#include "recipe/pipeline.hpp"
#include "registry/client.hpp"
#include "remote/image_push.hpp"
#include "remote/stage_remote.hpp"
#include "test_support.hpp"
#include "util/digest.hpp"
#include "util/ed25519.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using xstage::cache::Cache;
using xstage::cache::CacheEntry;
using xstage::test::LocalRegistry;
using xstage::test::make_temp_dir;
using xstage::test::read_file;
using xstage::test::write_file;
namespace registry = xstage::registry;
namespace remote = xstage::remote;

namespace {

registry::Client client_for(const LocalRegistry& server, const std::string& repository) {
  return registry::Client(registry::parse_reference(server.host() + "/" + repository), {});
}

// A cache holding one built stage keyed by its inputs, as real keys are.
CacheEntry cached_stage(const fs::path& dir, Cache& cache, const std::string& stage) {
  write_file(dir / "tree/opt" / stage / "bin/tool", "#!/bin/sh\necho " + stage + "\n");
  xstage::layer::write_layer(dir / "tree", dir / "layer.tar.zst");
  json inputs = {{"stage", stage}, {"recipe", {{"builder", "cmake"}}}};
  return cache.store(xstage::key::key_of(inputs), stage, inputs, dir / "layer.tar.zst");
}

} // namespace

TEST_CASE("a stage pushed to a registry pulls into an empty cache unchanged", "[registry]") {
  LocalRegistry server;
  fs::path dir = make_temp_dir("remote-roundtrip");
  Cache local(dir / "local");
  CacheEntry entry = cached_stage(dir, local, "app");

  registry::Client client = client_for(server, "stages");
  remote::PushOutcome first = remote::push_entry(client, local, entry);
  CHECK(first.blobs_sent == 2);
  CHECK(first.bytes_sent > entry.layer.size);
  remote::PushOutcome second = remote::push_entry(client, local, entry);
  CHECK(second.bytes_sent == 0);
  CHECK(second.blobs_present == 2);
  CHECK(second.manifest_digest == first.manifest_digest);

  Cache empty(dir / "empty");
  auto pulled = remote::pull_entry(client, empty, entry.key);
  REQUIRE(pulled);
  CHECK(pulled->stage == "app");
  CHECK(pulled->layer == entry.layer);
  CHECK(pulled->manifest == entry.manifest);
  CHECK(read_file(empty.blob_path(entry.layer.digest)) == read_file(local.blob_path(entry.layer.digest)));
  CHECK(empty.restore(entry.key).entry);

  CHECK(!remote::pull_entry(client, empty, std::string(64, 'e')));
}

TEST_CASE("a layer corrupted in the registry is refused and nothing is cached", "[registry]") {
  LocalRegistry server;
  fs::path dir = make_temp_dir("remote-corrupt");
  Cache local(dir / "local");
  CacheEntry entry = cached_stage(dir, local, "app");
  registry::Client client = client_for(server, "stages");
  remote::push_entry(client, local, entry);

  std::string bytes = read_file(server.blob_data(entry.layer.digest));
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
  write_file(server.blob_data(entry.layer.digest), bytes);

  Cache empty(dir / "empty");
  CHECK_THROWS_WITH(remote::pull_entry(client, empty, entry.key),
                    Catch::Contains("blob " + entry.layer.digest) &&
                        Catch::Contains("corrupt on the registry"));
  CHECK(!empty.find(entry.key));
  CHECK(!fs::exists(empty.blob_path(entry.layer.digest)));
}

TEST_CASE("a registry serving another build under a key is refused", "[registry]") {
  LocalRegistry server;
  fs::path dir = make_temp_dir("remote-forged");
  Cache local(dir / "local");
  CacheEntry entry = cached_stage(dir, local, "app");
  registry::Client client = client_for(server, "stages");
  remote::push_entry(client, local, entry);

  // Tag the stage's manifest under a key whose inputs it does not have.
  auto manifest = client.get_manifest(entry.key, {std::string(xstage::image::k_manifest_type)});
  REQUIRE(manifest);
  std::string other_key(64, 'c');
  client.put_manifest(other_key, manifest->media_type, manifest->body);

  Cache empty(dir / "empty");
  CHECK_THROWS_WITH(remote::pull_entry(client, empty, other_key),
                    Catch::Contains("describes another build") && Catch::Contains("not used"));
  CHECK(!empty.find(other_key));
}

TEST_CASE("a stage keyed as a build keys it verifies when pulled", "[registry]") {
  LocalRegistry server;
  fs::path dir = make_temp_dir("remote-build-key");
  fs::path project = dir / "project";
  write_file(project / "recipes/p/app.ini",
             "[stage]\ndescription = 'app \\ \"quoted\" \u00fc'\nbuilder = 'configure'\n"
             "[source]\nurl = 'https://example.org/app.tar.gz'\nsha256 = '" +
                 std::string(64, 'a') + "'\n[options]\nconfigure_args = ['--prefix=/opt/app', '-j', '2']\n");
  auto keys = xstage::key::compute_keys(xstage::recipe::Pipeline::load(project, "p"),
                                        xstage::toolchain::Fingerprint{}, project);
  const xstage::key::StageKey& app = keys.at("app");
  write_file(dir / "tree/opt/app/bin/app", "#!/bin/sh\n");
  xstage::layer::write_layer(dir / "tree", dir / "layer.tar.zst");
  Cache local(dir / "local");
  registry::Client client = client_for(server, "stages");
  remote::push_entry(client, local, local.store(app.key, "app", app.manifest, dir / "layer.tar.zst"));

  Cache empty(dir / "empty");
  auto pulled = remote::pull_entry(client, empty, app.key);
  REQUIRE(pulled);
  CHECK(pulled->key == app.key);
  CHECK(pulled->manifest == app.manifest);
}

TEST_CASE("a stage whose manifest no longer has its key is refused when pulled", "[registry]") {
  LocalRegistry server;
  fs::path dir = make_temp_dir("remote-tampered");
  Cache local(dir / "local");
  CacheEntry entry = cached_stage(dir, local, "app");
  entry.manifest["recipe"]["builder"] = "meson"; // changed after keying
  registry::Client client = client_for(server, "stages");
  remote::push_entry(client, local, entry);

  Cache empty(dir / "empty");
  CHECK_THROWS_WITH(remote::pull_entry(client, empty, entry.key),
                    Catch::Contains("for key " + entry.key.substr(0, 12) +
                                    " describes another build (its inputs hash to " +
                                    xstage::key::key_of(entry.manifest).substr(0, 12) + "); not used"));
  CHECK(!empty.find(entry.key));
}

// A registry's JSON is checked field by field: a wrong type is a refusal
// naming the field (the stage is then built), never a JSON exception that
// stops the whole build. (docker-registry itself refuses such manifests, so
// they are read here as a hostile registry would serve them.)
TEST_CASE("a manifest whose fields have the wrong JSON type is refused, naming the field", "[registry]") {
  const std::string key(64, 'a');
  const json good = {
      {"schemaVersion", 2},
      {"config", {{"mediaType", remote::k_stage_config_type}, {"digest", "sha256:" + key}, {"size", 10}}},
      {"layers", json::array({{{"digest", "sha256:" + std::string(64, 'b')}, {"size", 20}}})}};
  remote::StageManifest read = remote::read_stage_manifest(good.dump(), key);
  CHECK(read.config_size == 10);
  CHECK(read.layer_size == 20);
  struct Forgery {
    const char* pointer;
    json value;
    const char* complaint;
  };
  for (const Forgery& forgery :
       {Forgery{"/config/size", "12", "has a 'size' that is not a size"},
        Forgery{"/config/size", -1, "has a 'size' that is not a size"},
        Forgery{"/config/digest", 12345, "has a 'digest' that is not a string"},
        Forgery{"/config/mediaType", nullptr, "is not an xstage stage (config media type a null, 1 layers)"},
        Forgery{"/layers", "x", "is not an xstage stage"},
        Forgery{"/layers/0/digest", json::array(), "has a 'digest' that is not a string"},
        Forgery{"/config", 7, "has no 'mediaType'"}}) {
    json forged = good;
    forged[json::json_pointer(forgery.pointer)] = forgery.value;
    CHECK_THROWS_WITH(remote::read_stage_manifest(forged.dump(), key),
                      Catch::StartsWith("the registry's manifest for key aaaaaaaaaaaa ") &&
                          Catch::Contains(forgery.complaint));
  }
  CHECK_THROWS_WITH(remote::read_stage_manifest("[1]", key), Catch::Contains("is not a JSON object"));
}

TEST_CASE("a stage config labelled with another name than its inputs' stage is refused", "[registry]") {
  LocalRegistry server;
  fs::path dir = make_temp_dir("remote-label");
  Cache local(dir / "local");
  CacheEntry entry = cached_stage(dir, local, "app");
  registry::Client client = client_for(server, "stages");
  // The inputs still say "app", so the key verifies; only the label lies.
  entry.stage = "runtime";
  remote::push_entry(client, local, entry);
  Cache empty(dir / "empty");
  CHECK_THROWS_WITH(
      remote::pull_entry(client, empty, entry.key),
      Catch::Contains("labels its stage \"runtime\", but its inputs are those of stage \"app\"; "
                      "not used"));
  // A label that is no stage name at all (a path, terminal escapes) is an
  // invalid config, and is not printed.
  entry.stage = "../../../tmp/evil\x1b[31m";
  remote::push_entry(client, local, entry);
  CHECK_THROWS_WITH(remote::pull_entry(client, empty, entry.key),
                    Catch::Contains("has an invalid 'stage'") && !Catch::Contains("evil"));
  CHECK(!empty.find(entry.key));
}

TEST_CASE("the stage config pushed for an entry keeps its bytes", "[registry]") {
  LocalRegistry server;
  fs::path dir = make_temp_dir("remote-config-bytes");
  Cache local(dir / "local");
  write_file(dir / "tree/opt/app/bin/tool", "#!/bin/sh\necho app\n");
  const xstage::layer::LayerInfo layer = xstage::layer::write_layer(dir / "tree", dir / "layer.tar.zst");
  const std::string key(64, 'b');
  CacheEntry entry =
      local.store(key, "app", json{{"stage", "app"}, {"parents", {{"base", std::string(64, 'a')}}}},
                  dir / "layer.tar.zst", layer);
  registry::Client client = client_for(server, "stages");
  remote::push_entry(client, local, entry);

  // Registries hold stages under these bytes: a change moves every pushed
  // stage's manifest digest. The creation time is not among them.
  auto manifest = client.get_manifest(key, {std::string(xstage::image::k_manifest_type)});
  REQUIRE(manifest);
  std::string config_digest = json::parse(manifest->body)["config"]["digest"];
  CHECK(read_file(local.blob_path(config_digest)) ==
        R"({"key":")" + key + R"(","layer":{"diff_id":")" + layer.diff_id + R"(","digest":")" + layer.digest +
            R"(","size":)" + std::to_string(layer.size) + R"(,"uncompressed_size":)" +
            std::to_string(layer.uncompressed_size) + R"(},"manifest":{"parents":{"base":")" +
            std::string(64, 'a') + R"("},"stage":"app"},"stage":"app"})");
}

namespace {

// A one-layer image of a shell script, assembled under `dir`.
xstage::image::Image hello_image(const fs::path& dir) {
  write_file(dir / "tree/usr/bin/hello", "#!/bin/sh\necho hello\n");
  xstage::image::ImageLayer layer{xstage::layer::write_layer(dir / "tree", dir / "layer.tar.zst"),
                                  dir / "layer.tar.zst", "app"};
  return xstage::image::assemble_image({layer}, {{"/usr/bin/hello"}, {}, "", {}},
                                       xstage::image::Compression::zstd, dir / "tc");
}

} // namespace

TEST_CASE("an image pushed twice sends its blobs once and the registry serves its manifest", "[registry]") {
  LocalRegistry server;
  fs::path dir = make_temp_dir("remote-image");
  xstage::image::Image image = hello_image(dir);
  registry::Client client = client_for(server, "demo");
  remote::PushCounts first = remote::push_image(client, "v1", image, dir / "staging");
  CHECK(first.blobs_sent == 2);
  remote::PushCounts second = remote::push_image(client, "v1", image, dir / "staging");
  CHECK(second.bytes_sent == 0);
  CHECK(second.blobs_present == 2);
  auto served = client.get_manifest("v1", {std::string(xstage::image::k_manifest_type)});
  REQUIRE(served);
  CHECK(served->body == image.manifest);
  CHECK(served->digest == image.manifest_digest);
}

TEST_CASE("an image's SBOM is pushed as a referrer and listed once in its referrers tag", "[registry]") {
  LocalRegistry server;
  fs::path dir = make_temp_dir("remote-referrer");
  xstage::image::Image image = hello_image(dir);
  registry::Client client = client_for(server, "demo");
  remote::push_image(client, "v1", image, dir / "staging");
  xstage::image::Referrer sbom = xstage::image::sbom_referrer(image, "{\"spdxVersion\":\"SPDX-2.3\"}\n");
  std::string tag = remote::push_referrer(client, image, sbom, dir / "staging");
  CHECK(tag == "sha256-" + image.manifest_digest.substr(7));
  CHECK(remote::push_referrer(client, image, sbom, dir / "staging") == tag);

  auto index = client.get_manifest(tag, {std::string(xstage::image::k_index_type)});
  REQUIRE(index);
  nlohmann::json listed = nlohmann::json::parse(index->body);
  REQUIRE(listed["manifests"].size() == 1);
  CHECK(listed["manifests"][0]["digest"] == sbom.manifest_digest);
  CHECK(listed["manifests"][0]["artifactType"] == "application/spdx+json");
  auto referrer = client.get_manifest(sbom.manifest_digest, {std::string(xstage::image::k_manifest_type)});
  REQUIRE(referrer);
  CHECK(nlohmann::json::parse(referrer->body)["subject"]["digest"] == image.manifest_digest);
  CHECK(client.has_blob(sbom.document_digest));
}

TEST_CASE("an image is pushed to the tag its reference names, latest by default", "[registry]") {
  remote::ImagePushTarget tagged = remote::image_push_target("127.0.0.1:5000/team/demo:v1");
  CHECK(tagged.repository == "127.0.0.1:5000/team/demo");
  CHECK(tagged.tag == "v1");
  CHECK(remote::image_push_target("127.0.0.1:5000/demo").tag == "latest");
}

TEST_CASE("an image push to a digest is refused: the digest is the manifest's", "[registry]") {
  std::string reference = "127.0.0.1:5000/demo@sha256:" + std::string(64, 'a');
  CHECK_THROWS_WITH(remote::image_push_target(reference),
                    "--push '" + reference + "': push to a tag, not a digest (the digest is the manifest's)");
}

TEST_CASE("a signing key others may read, or an encrypted one, is refused without a prompt", "[registry]") {
  fs::path dir = make_temp_dir("signing-key");
  xstage::util::Ed25519KeyPair pair = xstage::util::generate_ed25519_key();
  write_file(dir / "open.key", pair.private_pem);
  fs::permissions(dir / "open.key", fs::perms(0666));
  CHECK_THROWS_WITH(remote::load_signing_key(dir / "open.key"),
                    "refusing the signing key " + (dir / "open.key").string() +
                        ": its permissions (666) let others read it; chmod 600 " +
                        (dir / "open.key").string());
  write_file(dir / "locked.key",
             "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAc\n"
             "-----END ENCRYPTED PRIVATE KEY-----\n");
  fs::permissions(dir / "locked.key", fs::perms(0600));
  CHECK_THROWS_WITH(remote::load_signing_key(dir / "locked.key"), Catch::Contains("is encrypted"));
}

TEST_CASE("a pull that trusts keys uses only stages one of them signed", "[registry]") {
  LocalRegistry server;
  fs::path dir = make_temp_dir("remote-signed");
  Cache local(dir / "local");
  CacheEntry entry = cached_stage(dir, local, "app");
  xstage::util::Ed25519KeyPair ours = xstage::util::generate_ed25519_key();
  xstage::util::Ed25519KeyPair theirs = xstage::util::generate_ed25519_key();
  write_file(dir / "ours", ours.private_pem);
  write_file(dir / "ours.pub", ours.public_pem);
  write_file(dir / "theirs", theirs.private_pem);
  write_file(dir / "theirs.pub", theirs.public_pem);
  fs::permissions(dir / "ours", fs::perms::owner_read | fs::perms::owner_write);
  fs::permissions(dir / "theirs", fs::perms::owner_read | fs::perms::owner_write);
  const remote::TrustedKey trusted = remote::load_trusted_keys(dir / "ours.pub").at(0);

  registry::Client signed_by_them = client_for(server, "theirs");
  remote::SigningKey their_key = remote::load_signing_key(dir / "theirs");
  remote::push_entry(signed_by_them, local, entry, &their_key);
  Cache empty(dir / "empty");
  CHECK_THROWS_WITH(remote::pull_entry(signed_by_them, empty, entry.key, {trusted}),
                    "stage key " + entry.key.substr(0, 12) + " is not signed by a trusted key (" +
                        trusted.id + "); not used");
  CHECK_FALSE(empty.find(entry.key));
  CHECK(remote::pull_entry(signed_by_them, empty, entry.key)); // trusting no key: any verified stage
  xstage::cache::Cache empty2(dir / "empty2");

  registry::Client signed_by_us = client_for(server, "ours");
  remote::SigningKey our_key = remote::load_signing_key(dir / "ours");
  CHECK(our_key.id == trusted.id);
  remote::push_entry(signed_by_us, local, entry, &our_key);
  std::optional<CacheEntry> pulled = remote::pull_entry(signed_by_us, empty2, entry.key, {trusted});
  REQUIRE(pulled);
  CHECK(pulled->layer == entry.layer);

  // A signature of another manifest under our tag does not verify.
  registry::Client moved = client_for(server, "moved");
  remote::push_entry(moved, local, entry, &our_key);
  json other =
      json::parse(moved.get_manifest(entry.key, {std::string(xstage::image::k_manifest_type)})->body);
  other["annotations"]["dev.xstage.stage"] = "changed";
  moved.put_manifest(entry.key, std::string(xstage::image::k_manifest_type), other.dump());
  Cache empty3(dir / "empty3");
  CHECK_THROWS_WITH(remote::pull_entry(moved, empty3, entry.key, {trusted}),
                    Catch::Contains("is not signed by a trusted key (" + trusted.id +
                                    "): found a signature under " + trusted.id +
                                    "'s tag that does not verify; not used"));
}
