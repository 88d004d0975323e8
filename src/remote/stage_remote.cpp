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
#include "util/names.hpp"

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

// A registry's documents are untrusted: each field is checked for its type
// before use, so a wrong one is a refusal naming it, never a JSON exception.
std::string string_field(const json& object, const char* name, const std::string& what) {
  const json& value = field(object, name, what);
  if (!value.is_string()) {
    throw Error(fmt::format("{} has a '{}' that is not a string", what, name));
  }
  return value.get<std::string>();
}

std::uint64_t size_field(const json& object, const char* name, const std::string& what) {
  const json& value = field(object, name, what);
  if (!value.is_number_unsigned()) {
    throw Error(fmt::format("{} has a '{}' that is not a size", what, name));
  }
  return value.get<std::uint64_t>();
}

// A field for a message: a string quoted and escaped as JSON (no terminal
// escapes reach the user), cut at 80 characters; anything else as its type.
std::string shown(const json& object, const char* name) {
  if (!object.is_object() || !object.contains(name)) {
    return "none";
  }
  const json& value = object.at(name);
  if (!value.is_string()) {
    return std::string("a ") + value.type_name();
  }
  std::string quoted = value.dump(-1, ' ', true, json::error_handler_t::replace);
  return quoted.size() > 80 ? quoted.substr(0, 76) + "...\"" : quoted;
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

StageManifest read_stage_manifest(std::string_view body, const std::string& key) {
  StageManifest read;
  read.what = fmt::format("the registry's manifest for key {}", key.substr(0, 12));
  const std::string& what = read.what;
  json manifest = json::parse(body, nullptr, false);
  if (!manifest.is_object()) {
    throw Error(fmt::format("{} is not a JSON object", what));
  }
  const json& config_descriptor = field(manifest, "config", what);
  const json& layers = field(manifest, "layers", what);
  if (field(config_descriptor, "mediaType", what) != k_stage_config_type || !layers.is_array() ||
      layers.size() != 1) {
    throw Error(fmt::format("{} is not an xstage stage (config media type {}, {} layers)", what,
                            shown(config_descriptor, "mediaType"), layers.is_array() ? layers.size() : 0));
  }
  read.config_digest = string_field(config_descriptor, "digest", what);
  image::digest_hex(read.config_digest, "config digest", key.substr(0, 12));
  read.config_size = size_field(config_descriptor, "size", what);
  read.layer_digest = string_field(layers[0], "digest", what);
  read.layer_size = size_field(layers[0], "size", what);
  return read;
}

namespace {

// The rest of pull_entry(), once the config is in `config_file`: the config
// checked against the key, then the layer fetched, checked and stored.
cache::CacheEntry pull_layer(registry::Client& client, cache::Cache& cache, const std::string& key,
                             const StageManifest& manifest, const fs::path& config_file) {
  const std::string& what = manifest.what;
  const std::string& config_digest = manifest.config_digest;
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
  // The stage's name is stored and printed: it must be the one the key's
  // inputs name (hashed into the key, so verified above), never a path or
  // terminal escapes a registry chose.
  const json& named = recorded.manifest.is_object() && recorded.manifest.contains("stage")
                          ? recorded.manifest.at("stage")
                          : json();
  if (!named.is_string() || named.get<std::string>() != recorded.stage || !util::is_name(recorded.stage)) {
    throw Error(fmt::format("{} labels its stage {}, but its inputs are those of stage {}; not used",
                            config_what, shown(config, "stage"), shown(recorded.manifest, "stage")));
  }
  const std::string& stage = recorded.stage;
  const layer::LayerInfo& claimed = recorded.layer;
  if (manifest.layer_digest != claimed.digest || manifest.layer_size != claimed.size) {
    throw Error(fmt::format("{} names layer {}, its config {}; not used", what, manifest.layer_digest,
                            claimed.digest));
  }

  // The layer: its digest and size are checked while it downloads, then
  // what it unpacks to and holds, before the entry names it.
  fs::path blob = cache.blob_path(claimed.digest);
  bool blob_was_cached = fs::exists(blob);
  client.fetch_blob(claimed.digest, claimed.size, blob);
  try {
    layer::check_layer(blob, claimed);
  } catch (const Error& error) {
    std::error_code ignored;
    fs::remove(blob, ignored); // a cached blob that fails its check is damaged too
    throw Error(
        fmt::format("the layer of stage '{}' from the registry is not used: {}", stage, error.what()));
  }
  try {
    return cache.store(key, stage, recorded.manifest, blob, claimed);
  } catch (...) {
    if (!blob_was_cached) { // its entry could not be written (a full disk)
      std::error_code ignored;
      fs::remove(blob, ignored);
    }
    throw;
  }
}

} // namespace

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
  StageManifest manifest = read_stage_manifest(pulled->body, key);

  // The config: fetched into the cache's blobs (checked against its digest).
  const std::string& config_digest = manifest.config_digest;
  fs::path config_file = cache.blob_path(config_digest);
  fs::create_directories(config_file.parent_path());
  bool config_was_cached = fs::exists(config_file);
  client.fetch_blob(config_digest, manifest.config_size, config_file);
  try {
    return pull_layer(client, cache, key, manifest, config_file);
  } catch (...) {
    // A stage not pulled leaves nothing: not even its verified config.
    if (!config_was_cached) {
      std::error_code ignored;
      fs::remove(config_file, ignored);
    }
    throw;
  }
}

} // namespace xstage::remote
