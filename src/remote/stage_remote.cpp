#include "remote/stage_remote.hpp"

#include <fstream>
#include <iterator>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "image/image.hpp"
#include "key/stage_key.hpp"
#include "layer/layer.hpp"
#include "util/atomic_file.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace xstage::remote {

namespace {

json descriptor(std::string_view media_type, const std::string& digest, std::uint64_t size) {
  return {{"mediaType", media_type}, {"digest", digest}, {"size", size}};
}

// The field of a pulled document, or an error naming what is malformed.
const json& field(const json& object, const char* name, const std::string& what) {
  if (!object.is_object() || !object.contains(name)) {
    throw Error(fmt::format("{} has no '{}'", what, name));
  }
  return object.at(name);
}

} // namespace

PushOutcome push_entry(registry::Client& client, const cache::Cache& cache, const cache::CacheEntry& entry,
                       const SigningKey* sign) {
  PushOutcome outcome;
  // What others will extract: checked as a local build's restore would be.
  layer::check_layer(cache.blob_path(entry.layer.digest), entry.layer);
  outcome.add(client.push_blob(cache.blob_path(entry.layer.digest), entry.layer.digest, entry.layer.size));

  // The config goes beside the cache's blobs, named by its digest like them;
  // `cache gc` removes it as unreferenced.
  std::string config = cache::to_json(entry, cache::Created::omitted).dump();
  std::string config_digest = util::Digest::of(config).str();
  fs::path config_file = cache.blob_path(config_digest);
  util::write_file_atomically(config_file, config);
  outcome.add(client.push_blob(config_file, config_digest, config.size()));

  json manifest = {
      {"schemaVersion", 2},
      {"mediaType", image::k_manifest_type},
      {"config", descriptor(k_stage_config_type, config_digest, config.size())},
      {"layers", json::array({descriptor(image::k_zstd_layer_type, entry.layer.digest, entry.layer.size)})},
      {"annotations", {{"dev.xstage.stage", entry.stage}}}};
  std::string body = manifest.dump();
  outcome.manifest_digest = client.put_manifest(entry.key, std::string(image::k_manifest_type), body);
  if (sign != nullptr) {
    push_signature(client, cache, entry.key, outcome.manifest_digest, body.size(), *sign);
  }
  return outcome;
}

std::optional<cache::CacheEntry> pull_entry(registry::Client& client, cache::Cache& cache,
                                            const std::string& key, const std::vector<TrustedKey>& trusted) {
  std::optional<registry::Manifest> pulled = client.get_manifest(key, {std::string(image::k_manifest_type)});
  if (!pulled) {
    return std::nullopt;
  }
  if (!trusted.empty()) {
    // The digest of the bytes served, not the one the registry claims.
    check_signature(client, key, util::Digest::of(pulled->body).str(), trusted);
  }
  std::string what = fmt::format("the registry's manifest for key {}", key.substr(0, 12));
  json manifest = json::parse(pulled->body, nullptr, false);
  const json& config_descriptor = field(manifest, "config", what);
  const json& layers = field(manifest, "layers", what);
  if (field(config_descriptor, "mediaType", what) != k_stage_config_type || !layers.is_array() ||
      layers.size() != 1) {
    throw Error(fmt::format("{} is not an xstage stage (config {}, {} layers)", what,
                            config_descriptor.value("mediaType", "?"),
                            layers.is_array() ? layers.size() : 0));
  }

  // The config: fetched into the cache's blobs (checked against its digest).
  std::string config_digest = field(config_descriptor, "digest", what).get<std::string>();
  image::digest_hex(config_digest, "config digest", key.substr(0, 12));
  fs::path config_file = cache.blob_path(config_digest);
  fs::create_directories(config_file.parent_path());
  client.fetch_blob(config_digest, field(config_descriptor, "size", what).get<std::uint64_t>(), config_file);
  std::string config_text;
  {
    std::ifstream in(config_file, std::ios::binary);
    config_text.assign(std::istreambuf_iterator<char>(in), {});
  }
  json config = json::parse(config_text, nullptr, false);
  std::string config_what = fmt::format("the stage config {} for key {}", config_digest, key.substr(0, 12));
  cache::CacheEntry recorded = cache::entry_from_json(config, config_what, cache::Created::omitted);
  // The rule the build keys stages by, so a pulled stage verifies exactly
  // when a local build of the same inputs would have hit it.
  std::string inputs_key = key::key_of(recorded.manifest);
  if (recorded.key != key || inputs_key != key) {
    throw Error(fmt::format("{} describes another build (its inputs hash to {}); not used", config_what,
                            inputs_key.substr(0, 12)));
  }
  const std::string& stage = recorded.stage;
  const layer::LayerInfo& claimed = recorded.layer;
  if (field(layers[0], "digest", what) != claimed.digest || field(layers[0], "size", what) != claimed.size) {
    throw Error(fmt::format("{} names layer {}, its config {}; not used", what,
                            layers[0].value("digest", "?"), claimed.digest));
  }

  // The layer: its digest and size are checked while it downloads, then
  // what it unpacks to and holds, before the entry names it.
  fs::path blob = cache.blob_path(claimed.digest);
  client.fetch_blob(claimed.digest, claimed.size, blob);
  try {
    layer::check_layer(blob, claimed);
  } catch (const Error& error) {
    std::error_code ignored;
    fs::remove(blob, ignored);
    throw Error(
        fmt::format("the layer of stage '{}' from the registry is not used: {}", stage, error.what()));
  }
  return cache.store(key, stage, recorded.manifest, blob, claimed);
}

} // namespace xstage::remote
