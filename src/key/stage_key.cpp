#include "key/stage_key.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "util/digest.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::key {

namespace {

// Every file under `directory`, by path relative to it, in sorted order.
nlohmann::json tree_digest(const fs::path& directory, const std::string& display) {
  if (!fs::is_directory(directory)) {
    throw Error(fmt::format("source directory {} does not exist", display));
  }
  std::vector<fs::path> paths;
  for (auto it = fs::recursive_directory_iterator(directory); it != fs::recursive_directory_iterator();
       ++it) {
    if (!it->is_directory() || it->is_symlink()) {
      paths.push_back(it->path());
    }
  }
  std::sort(paths.begin(), paths.end());
  nlohmann::json files = nlohmann::json::object();
  for (const fs::path& path : paths) {
    std::string relative = path.lexically_relative(directory).generic_string();
    auto status = fs::symlink_status(path);
    if (fs::is_symlink(status)) {
      files[relative] = "-> " + fs::read_symlink(path).string();
    } else if (fs::is_regular_file(status)) {
      bool executable = (status.permissions() & fs::perms::owner_exec) != fs::perms::none;
      files[relative] = util::Digest::of_file(path).hex() + (executable ? " +x" : "");
    } else {
      throw Error(fmt::format("source directory {} contains {}, which is neither a file nor a symlink",
                              display, relative));
    }
  }
  return files;
}

} // namespace

nlohmann::json source_digests(const recipe::Recipe& recipe, const fs::path& project_root) {
  nlohmann::json sources = nlohmann::json::object();
  for (const recipe::Source& source : recipe.sources) {
    switch (source.kind) {
    case recipe::SourceKind::archive: sources[source.name] = {{"sha256", source.sha256}}; break;
    case recipe::SourceKind::git:
      sources[source.name] = {{"git", source.git}, {"commit", source.commit}};
      break;
    case recipe::SourceKind::path:
      sources[source.name] = {{"path", source.path},
                              {"files", tree_digest(project_root / source.path, source.path)}};
      break;
    }
  }
  return sources;
}

nlohmann::json make_manifest(const recipe::Recipe& recipe, const nlohmann::json& sources,
                             const nlohmann::json& toolchain,
                             const std::map<std::string, std::string>& parent_keys, int format_version) {
  nlohmann::json content = recipe.content;
  nlohmann::json options = content.contains("options") ? content["options"] : nlohmann::json::object();
  content.erase("options");
  nlohmann::json parents = nlohmann::json::object();
  for (const auto& [name, parent_key] : parent_keys) {
    parents[name] = parent_key;
  }
  nlohmann::json manifest = {
      {"format", format_version}, {"stage", recipe.name}, {"builder", recipe.builder}, {"recipe", content},
      {"options", options},       {"sources", sources},   {"toolchain", toolchain},    {"parents", parents},
  };
  // Only the pipeline options the recipe reads; a stage that reads none keeps
  // the key it had before pipelines had options.
  if (!recipe.options_read.empty()) {
    manifest["pipeline_options"] = recipe.options_read;
  }
  return manifest;
}

std::string key_of(const nlohmann::json& manifest) {
  return util::Digest::of(manifest.dump()).hex();
}

std::map<std::string, StageKey> compute_keys(const recipe::Pipeline& pipeline,
                                             const toolchain::Fingerprint& toolchain,
                                             const fs::path& project_root) {
  nlohmann::json toolchain_json = toolchain.to_json();
  return compute_keys(
      pipeline, [&](const recipe::Recipe&) { return toolchain_json; }, project_root);
}

std::map<std::string, StageKey> compute_keys(const recipe::Pipeline& pipeline,
                                             const ToolchainOf& toolchain_of, const fs::path& project_root) {
  std::map<std::string, StageKey> keys;
  for (const recipe::Recipe& recipe : pipeline.stages()) {
    std::map<std::string, std::string> parent_keys;
    for (const std::string& parent : recipe.parents) {
      parent_keys[parent] = keys.at(parent).key; // parents come first in build order
    }
    StageKey stage_key;
    stage_key.manifest =
        make_manifest(recipe, source_digests(recipe, project_root), toolchain_of(recipe), parent_keys);
    stage_key.key = key_of(stage_key.manifest);
    keys.emplace(recipe.name, std::move(stage_key));
  }
  return keys;
}

} // namespace xstage::key
