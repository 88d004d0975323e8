#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cache/cache.hpp"
#include "registry/client.hpp"
#include "remote/push_counts.hpp"
#include "remote/stage_signature.hpp"

namespace xstage::remote {

// The media type of a stage's config blob in a registry: the cache entry
// (key, stage, input manifest, layer description) as canonical JSON.
inline constexpr std::string_view k_stage_config_type = "application/vnd.xstage.stage.v1+json";

// A stage cache kept in a registry repository. Each cache entry is one OCI
// image manifest tagged with the stage key:
//
//   <repo>:<key>  manifest  config = the entry (k_stage_config_type)
//                           layers = [the layer blob, tar+zstd, as cached]
//
// so registries store, deduplicate and garbage-collect stages like any
// image, and a layer pushed once is shared by every image that uses it.

struct PushOutcome : PushCounts {
  std::string manifest_digest;
};

// Pushes `entry` (whose blob is in `cache`; the caller has verified it) to
// the client's repository. Blobs the registry has are not sent again. With
// `sign`, its signature of the pushed manifest goes beside it
// (stage_signature.hpp).
PushOutcome push_entry(registry::Client& client, const cache::Cache& cache, const cache::CacheEntry& entry,
                       const SigningKey* sign = nullptr);

// What a stage's manifest in a registry names, each field checked for its
// JSON type: a wrong one throws xstage::Error naming the field (`what`
// names the manifest in messages).
struct StageManifest {
  std::string what;
  std::string config_digest;
  std::uint64_t config_size = 0;
  std::string layer_digest;
  std::uint64_t layer_size = 0;
};
StageManifest read_stage_manifest(std::string_view body, const std::string& key);

// Pulls the stage keyed `key` into `cache`, or returns nothing when the
// registry has no such tag. Nothing is stored unless everything checks:
// the config's key is `key` and its input manifest has that key by
// key::key_of, the build's rule (so a registry cannot serve another build
// under this key), the layer blob has
// the digest and size the manifest names (checked while downloading), and
// the layer's diff_id and uncompressed size are the ones recorded. Any
// mismatch throws xstage::Error naming the stage, key and blob. With
// `trusted` keys, the manifest must also carry a signature by one of them,
// checked before anything is downloaded.
std::optional<cache::CacheEntry> pull_entry(registry::Client& client, cache::Cache& cache,
                                            const std::string& key,
                                            const std::vector<TrustedKey>& trusted = {});

} // namespace xstage::remote
