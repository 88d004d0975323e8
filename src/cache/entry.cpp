#include "cache/entry.hpp"

#include <fmt/format.h>

#include "util/digest.hpp"
#include "util/error.hpp"
#include "util/names.hpp"

using nlohmann::json;

namespace xstage::cache {

namespace {

// The field `name` of `object`, of the kind `is_kind` accepts.
template <typename IsKind>
const json& field(const json& object, const char* name, std::string_view what, IsKind is_kind) {
  if (!object.is_object() || !object.contains(name)) {
    throw Error(fmt::format("{} has no '{}'", what, name));
  }
  const json& value = object.at(name);
  if (!is_kind(value)) {
    throw Error(fmt::format("{} has an invalid '{}'", what, name));
  }
  return value;
}

std::string string_field(const json& object, const char* name, std::string_view what) {
  return field(object, name, what, [](const json& value) { return value.is_string(); }).get<std::string>();
}

std::uint64_t size_field(const json& object, const char* name, std::string_view what) {
  return field(object, name, what, [](const json& value) { return value.is_number_unsigned(); })
      .get<std::uint64_t>();
}

std::string digest_field(const json& object, const char* name, std::string_view what) {
  std::string digest = string_field(object, name, what);
  if (!util::Digest::try_parse(digest)) {
    throw Error(fmt::format("{} has an invalid '{}'", what, name));
  }
  return digest;
}

} // namespace

json to_json(const CacheEntry& entry, Created created) {
  json object = {{"key", entry.key},
                 {"stage", entry.stage},
                 {"manifest", entry.manifest},
                 {"layer",
                  {{"digest", entry.layer.digest},
                   {"size", entry.layer.size},
                   {"diff_id", entry.layer.diff_id},
                   {"uncompressed_size", entry.layer.uncompressed_size}}}};
  if (created == Created::included) {
    object["created"] = entry.created;
  }
  return object;
}

CacheEntry entry_from_json(const json& object, std::string_view what, Created created) {
  CacheEntry entry;
  entry.key = string_field(object, "key", what);
  entry.stage = string_field(object, "stage", what);
  // A stage's name is printed and joined into paths: what a recipe's file
  // name may be, never a path or terminal escapes.
  if (!util::is_name(entry.stage)) {
    throw Error(fmt::format("{} has an invalid 'stage'", what));
  }
  if (created == Created::included) {
    entry.created = field(object, "created", what, [](const json& value) {
                      return value.is_number_integer();
                    }).get<std::int64_t>();
  }
  entry.manifest = field(object, "manifest", what, [](const json&) { return true; });
  const json& layer = field(object, "layer", what, [](const json& value) { return value.is_object(); });
  entry.layer = {digest_field(layer, "digest", what), size_field(layer, "size", what),
                 digest_field(layer, "diff_id", what), size_field(layer, "uncompressed_size", what)};
  return entry;
}

} // namespace xstage::cache
