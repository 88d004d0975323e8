#include "key/stage_key.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "util/digest.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::key {

namespace {

// Whether `path`, once normalised, lies inside `root` (both absolute).
bool is_inside(const fs::path& path, const fs::path& root) {
  fs::path relative = path.lexically_normal().lexically_relative(root.lexically_normal());
  return !relative.empty() && *relative.begin() != "..";
}

// Every file under the path source's directory, by path relative to it, in
// sorted order; a symlink by its target's text, never followed. The tree and
// every link in it must stay inside the project: a link to /etc would put
// the build machine's files into a build (and a loop would never end).
nlohmann::json tree_digest(const recipe::Recipe& recipe, const recipe::Source& source,
                           const fs::path& project_root) {
  auto refuse = [&](const std::string& message) {
    throw Error(
        recipe.diagnostic(source.location, fmt::format("path source '{}': {}", source.path, message)));
  };
  fs::path directory = project_root / source.path;
  std::error_code error;
  fs::path resolved = fs::weakly_canonical(directory, error);
  if (error || !fs::is_directory(fs::symlink_status(resolved))) {
    refuse("no such directory in the project");
  }
  if (!is_inside(resolved, fs::weakly_canonical(project_root))) {
    refuse(fmt::format("resolves to {}, outside the project", resolved.string()));
  }
  std::vector<fs::path> paths;
  for (auto it = fs::recursive_directory_iterator(resolved, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    std::error_code kind; // a link's own type: a loop has no target to ask about
    if (it->is_symlink(kind) || !it->is_directory(kind)) {
      paths.push_back(it->path());
    }
  }
  if (error) {
    refuse(fmt::format("cannot read the tree: {}", error.message()));
  }
  std::sort(paths.begin(), paths.end());
  nlohmann::json files = nlohmann::json::object();
  for (const fs::path& path : paths) {
    std::string relative = path.lexically_relative(resolved).generic_string();
    auto status = fs::symlink_status(path);
    if (fs::is_symlink(status)) {
      fs::path target = fs::read_symlink(path);
      if (target.is_absolute() || !is_inside(path.parent_path() / target, resolved)) {
        refuse(fmt::format("the link {} -> {} points outside the source tree", relative, target.string()));
      }
      files[relative] = "-> " + target.string();
    } else if (fs::is_regular_file(status)) {
      bool executable = (status.permissions() & fs::perms::owner_exec) != fs::perms::none;
      files[relative] = util::Digest::of_file(path).hex() + (executable ? " +x" : "");
    } else {
      refuse(fmt::format("{} is neither a file nor a symlink", relative));
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
      sources[source.name] = {{"path", source.path}, {"files", tree_digest(recipe, source, project_root)}};
      break;
    }
  }
  return sources;
}

nlohmann::json lock_json(const recipe::DebianLock& lock) {
  nlohmann::json packages = nlohmann::json::object();
  for (const recipe::LockedPackage& package : lock.packages) {
    packages[package.name + ":" + package.architecture] = {{"version", package.version},
                                                           {"sha256", package.sha256}};
  }
  return packages;
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
  // A locked debian stage's .debs by digest: Debian's archive moving on changes
  // nothing, a re-lock that changes a package changes the key. An unlocked
  // stage keeps the key it had before locks existed.
  if (recipe.lock) {
    manifest["lock"] = lock_json(*recipe.lock);
  }
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
    if (recipe.lock) {
      if (auto stale = recipe::stale_lock_reason(*recipe.lock, recipe)) {
        throw Error(fmt::format("stage '{}': {}; re-lock it with `xstage lock {}` and review the diff",
                                recipe.name, *stale, recipe.name));
      }
    }
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
