#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "layer/layer.hpp"

namespace xstage::cache {

// One cached stage build: its key, the manifest that was hashed into the
// key, and the layer it produced.
struct CacheEntry {
  std::string key; // 64 lower-case hex digits
  std::string stage;
  std::int64_t created = 0; // unix seconds; informational, and gc's age
  nlohmann::json manifest;  // the stage's input manifest
  layer::LayerInfo layer;
};

// Whether an entry's JSON form holds its creation time. entries/<key>.json
// does; a stage config in a registry does not, so that one entry pushed from
// any machine at any time has the same bytes, and so the same manifest.
enum class Created { included, omitted };

// The one JSON form of an entry: {"key", "stage", "created", "manifest",
// "layer": {"digest", "size", "diff_id", "uncompressed_size"}}, objects with
// sorted keys (dump() gives the canonical bytes).
nlohmann::json to_json(const CacheEntry& entry, Created created = Created::included);

// The entry `object` holds in that form. Throws xstage::Error "<what> has no
// '<field>'" for a missing field and "<what> has an invalid '<field>'" for one
// of the wrong type or, for the layer's digest and diff_id, not a sha256
// digest. With Created::omitted the result's `created` is 0.
CacheEntry entry_from_json(const nlohmann::json& object, std::string_view what,
                           Created created = Created::included);

} // namespace xstage::cache
