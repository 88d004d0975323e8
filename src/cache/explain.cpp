#include "cache/explain.hpp"

#include "key/explain.hpp"

namespace xstage::cache {

KeyExplanation explain_key(const Cache& cache, const std::string& stage, const std::string& key,
                           const nlohmann::json& manifest) {
  KeyExplanation explanation;
  if (cache.find(key)) {
    explanation.state = KeyExplanation::State::cached;
    return explanation;
  }
  std::optional<CacheEntry> previous = cache.newest_for_stage(stage, key);
  if (!previous) {
    explanation.state = KeyExplanation::State::never_built;
    return explanation;
  }
  explanation.state = KeyExplanation::State::changed;
  explanation.previous_key = previous->key;
  explanation.changes = key::explain_changes(previous->manifest, manifest);
  return explanation;
}

} // namespace xstage::cache
