#include "key/explain.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

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

// ": added '-DX=ON', removed '-DX=OFF'" for two arrays, else "".
std::string array_difference(const json& before, const json& now) {
  if (!before.is_array() || !now.is_array()) {
    return "";
  }
  auto missing_from = [](const json& items, const json& other) {
    std::vector<std::string> found;
    for (const json& item : items) {
      if (std::find(other.begin(), other.end(), item) == other.end()) {
        found.push_back(item.dump());
      }
    }
    return found;
  };
  std::vector<std::string> parts;
  if (auto added = missing_from(now, before); !added.empty()) {
    parts.push_back("added " + fmt::format("{}", fmt::join(added, ", ")));
  }
  if (auto removed = missing_from(before, now); !removed.empty()) {
    parts.push_back("removed " + fmt::format("{}", fmt::join(removed, ", ")));
  }
  return parts.empty() ? std::string(" (reordered)") : ": " + fmt::format("{}", fmt::join(parts, "; "));
}

// Compares two objects key by key, phrasing each difference with `label`.
template <typename Label>
void compare_members(const json& before, const json& now, Label label, std::vector<std::string>& changes) {
  for (const std::string& key : keys_of(before, now)) {
    json old_value = member(before, key);
    json new_value = member(now, key);
    if (old_value != new_value) {
      changes.push_back(fmt::format("{} {}{}", label(key), change_word(old_value, new_value),
                                    array_difference(old_value, new_value)));
    }
  }
}

// "option qt_version changed from 6.4.2 to 6.5.3": what a user set with -D.
void compare_pipeline_options(const json& before, const json& now, std::vector<std::string>& changes) {
  auto shown = [](const json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); };
  for (const std::string& name : keys_of(before, now)) {
    json old_value = member(before, name);
    json new_value = member(now, name);
    if (old_value == new_value) {
      continue;
    }
    if (old_value.is_null() || new_value.is_null()) {
      changes.push_back(
          fmt::format("option {} {}", name, old_value.is_null() ? "now read" : "no longer read"));
    } else {
      changes.push_back(
          fmt::format("option {} changed from {} to {}", name, shown(old_value), shown(new_value)));
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

// "locked package libc6:arm64 changed from 2.36-9+deb12u13 to 2.36-9+deb12u14":
// what a re-lock changed, package by package.
void compare_lock(const json& before, const json& now, std::vector<std::string>& changes) {
  if (before.is_null() != now.is_null()) {
    changes.push_back(before.is_null() ? fmt::format("the stage is now locked ({} packages)", now.size())
                                       : "the stage is no longer locked");
    return;
  }
  auto version = [](const json& package) {
    json value = member(package, "version");
    return value.is_string() ? value.get<std::string>() : value.dump();
  };
  for (const std::string& name : keys_of(before, now)) {
    json old_package = member(before, name);
    json new_package = member(now, name);
    if (old_package == new_package) {
      continue;
    }
    if (old_package.is_null()) {
      changes.push_back(fmt::format("locked package {} added ({})", name, version(new_package)));
    } else if (new_package.is_null()) {
      changes.push_back(fmt::format("locked package {} removed (was {})", name, version(old_package)));
    } else if (version(old_package) != version(new_package)) {
      changes.push_back(fmt::format("locked package {} changed from {} to {}", name, version(old_package),
                                    version(new_package)));
    } else {
      changes.push_back(fmt::format("locked package {} {}: same version, another .deb (sha256)", name,
                                    version(new_package)));
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
  // An option first: it is what the user changed, and the recipe values below follow from it.
  compare_pipeline_options(member(before, "pipeline_options"), member(now, "pipeline_options"), changes);
  json old_recipe = member(before, "recipe");
  json new_recipe = member(now, "recipe");
  for (const std::string& section : keys_of(old_recipe, new_recipe)) {
    compare_members(
        member(old_recipe, section), member(new_recipe, section),
        [&](const std::string& key) { return fmt::format("recipe [{}] {}", section, key); }, changes);
  }
  compare_members(
      member(before, "options"), member(now, "options"),
      [](const std::string& key) { return "recipe option " + key; }, changes);
  compare_sources(member(before, "sources"), member(now, "sources"), changes);
  compare_lock(member(before, "lock"), member(now, "lock"), changes);
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
