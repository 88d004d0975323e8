#include "key/explain.hpp"

#include <set>

#include <fmt/format.h>

namespace xstage::key {

namespace {

using nlohmann::json;

// Keys of either object, sorted.
std::set<std::string> keys_of(const json& a, const json& b) {
  std::set<std::string> keys;
  for (const json* object : {&a, &b}) {
    if (object->is_object()) {
      for (const auto& item : object->items()) {
        keys.insert(item.key());
      }
    }
  }
  return keys;
}

json member(const json& object, const std::string& key) {
  return object.is_object() && object.contains(key) ? object.at(key) : json();
}

const char* change_word(const json& before, const json& now) {
  if (before.is_null()) {
    return "added";
  }
  return now.is_null() ? "removed" : "changed";
}

// Compares two objects key by key, phrasing each difference with `label`.
template <typename Label>
void compare_members(const json& before, const json& now, Label label, std::vector<std::string>& changes) {
  for (const std::string& key : keys_of(before, now)) {
    json old_value = member(before, key);
    json new_value = member(now, key);
    if (old_value != new_value) {
      changes.push_back(fmt::format("{} {}", label(key), change_word(old_value, new_value)));
    }
  }
}

void compare_sources(const json& before, const json& now, std::vector<std::string>& changes) {
  for (const std::string& name : keys_of(before, now)) {
    json old_source = member(before, name);
    json new_source = member(now, name);
    if (old_source == new_source) {
      continue;
    }
    if (old_source.contains("files") && new_source.contains("files")) {
      std::string root = new_source.value("path", name);
      compare_members(
          old_source["files"], new_source["files"],
          [&](const std::string& file) { return fmt::format("source file {}/{}", root, file); }, changes);
    } else {
      changes.push_back(fmt::format("source {} {}", name, change_word(old_source, new_source)));
    }
  }
}

} // namespace

std::vector<std::string> explain_changes(const json& before, const json& now) {
  std::vector<std::string> changes;
  if (member(before, "format") != member(now, "format")) {
    changes.push_back(fmt::format("recipe format version changed ({} -> {})", member(before, "format").dump(),
                                  member(now, "format").dump()));
  }
  for (const char* field : {"stage", "builder"}) {
    if (member(before, field) != member(now, field)) {
      changes.push_back(fmt::format("{} changed", field));
    }
  }
  json old_recipe = member(before, "recipe");
  json new_recipe = member(now, "recipe");
  for (const std::string& section : keys_of(old_recipe, new_recipe)) {
    compare_members(
        member(old_recipe, section), member(new_recipe, section),
        [&](const std::string& key) { return fmt::format("recipe [{}] {}", section, key); }, changes);
  }
  compare_members(
      member(before, "options"), member(now, "options"),
      [](const std::string& key) { return "option " + key; }, changes);
  compare_sources(member(before, "sources"), member(now, "sources"), changes);
  json old_toolchain = member(before, "toolchain");
  json new_toolchain = member(now, "toolchain");
  compare_members(
      old_toolchain, new_toolchain, [](const std::string& key) { return "toolchain " + key; }, changes);
  compare_members(
      member(before, "parents"), member(now, "parents"),
      [](const std::string& key) { return "parent " + key; }, changes);
  return changes;
}

} // namespace xstage::key
