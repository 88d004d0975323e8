#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "recipe/pipeline.hpp"
#include "toolchain/toolchain.hpp"

namespace xstage::key {

// The recipe format's version. Bump it when the meaning of a recipe changes
// (a builder interprets an option differently): every key changes with it.
// 2: builds are confined to the sysroot (--sysroot and the sysroot's headers,
// crt files and libraries ahead of the cross compiler's own tree), so a
// layer built by format 1 may hold what leaked from the build machine.
inline constexpr int k_recipe_format_version = 2;

// A stage's identity: the SHA-256 of its canonical input manifest.
struct StageKey {
  std::string key;         // 64 lower-case hex digits
  nlohmann::json manifest; // what was hashed; stored with the artifact
};

// What each source of `recipe` contributes to the key: an archive's pinned
// SHA-256, a git commit, or, for a directory of this checkout, every file's
// path (relative to the directory), SHA-256 and executable bit. Nothing
// depends on where the checkout lives.
nlohmann::json source_digests(const recipe::Recipe& recipe, const std::filesystem::path& project_root);

// What a lock contributes to its stage's key ("lock" in the manifest): each
// package, as "name:architecture", with its version and .deb SHA-256.
nlohmann::json lock_json(const recipe::DebianLock& lock);

// The input manifest: format version, stage name and builder, the parsed
// recipe content (values, not text: comments and whitespace do not count),
// options, source digests, toolchain fingerprint and the parents' keys.
nlohmann::json make_manifest(const recipe::Recipe& recipe, const nlohmann::json& sources,
                             const nlohmann::json& toolchain,
                             const std::map<std::string, std::string>& parent_keys,
                             int format_version = k_recipe_format_version);

// SHA-256 over the manifest's canonical JSON: object keys sorted (nlohmann's
// std::map), no insignificant whitespace. JSON's quoting delimits every field.
// The one key rule: builds key stages by it and a stage pulled from a
// registry is accepted only when its manifest has the key by it.
std::string key_of(const nlohmann::json& manifest);

// Keys for every stage of a pipeline, parents first, so each child hashes
// its parents' keys and the keys form a Merkle DAG.
//
// `toolchain_of` gives what a stage's toolchain contributes: the cross
// fingerprint for target stages, the build machine's for native ones.
using ToolchainOf = std::function<nlohmann::json(const recipe::Recipe&)>;
std::map<std::string, StageKey> compute_keys(const recipe::Pipeline& pipeline,
                                             const ToolchainOf& toolchain_of,
                                             const std::filesystem::path& project_root);

// The same with one fingerprint for every stage (pipelines without native stages).
std::map<std::string, StageKey> compute_keys(const recipe::Pipeline& pipeline,
                                             const toolchain::Fingerprint& toolchain,
                                             const std::filesystem::path& project_root);

} // namespace xstage::key
