#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cache/cache.hpp"
#include "key/stage_key.hpp"
#include "orchestrator/status.hpp"
#include "process/spawn.hpp"
#include "recipe/pipeline.hpp"
#include "source/fetch.hpp"
#include "toolchain/toolchain.hpp"

namespace xstage::orchestrator {

struct BuildOptions {
  std::filesystem::path project_root;
  // Scratch directories live at <work_root>/<pipeline>/<stage>: a path that
  // depends on neither the checkout nor a temp name, so ccache (with
  // CCACHE_BASEDIR there) hits when a stage is rebuilt from scratch.
  std::filesystem::path work_root;
  source::FetchOptions fetch;
  int jobs = 1;
};

// Builds `stages` (and their ancestors) of a pipeline in build order:
// each stage whose key is cached and verifies is a hit; any other is built
// against its ancestors' layers and stored. A failing stage throws
// xstage::Error naming it and its log, and caches nothing for it.
class PipelineBuilder {
public:
  PipelineBuilder(const recipe::Pipeline& pipeline, const toolchain::Toolchain& toolchain,
                  const std::map<std::string, key::StageKey>& keys, cache::Cache& cache, BuildOptions options,
                  process::CommandRunner& runner, Status& status);

  std::vector<StageOutcome> build(const std::vector<std::string>& stages);

  // Extracts the layers of `stage` and all its ancestors into `root` (target
  // layers) and `host` (build-machine layers), in build order. Every layer
  // must be cached; a path written twice is an error naming both stages.
  void assemble(const recipe::Recipe& stage, bool include_self, const std::filesystem::path& root,
                const std::filesystem::path& host);

  // The work directory of a stage, and its log.
  std::filesystem::path work_dir(const std::string& stage) const;
  std::filesystem::path log_path(const std::string& stage) const;

  // The stage whose builder failed in the last build(), or "".
  const std::string& failed_stage() const { return m_failed_stage; }

private:
  StageOutcome build_stage(const recipe::Recipe& recipe);
  void resolve_sources(const std::vector<const recipe::Recipe*>& stages);
  // An archive source's verified file, fetched once per build.
  std::filesystem::path fetched_archive(const recipe::Source& source);
  // The cache's restore, hashing each blob once per builder: base's 221 MB
  // layer is verified when it is a hit, not again for every child that
  // extracts it.
  cache::RestoreResult restore_once(const std::string& key);
  std::map<std::string, std::filesystem::path> prepare_sources(const recipe::Recipe& recipe,
                                                               const std::filesystem::path& into);

  const recipe::Pipeline& m_pipeline;
  const toolchain::Toolchain& m_toolchain;
  const std::map<std::string, key::StageKey>& m_keys;
  cache::Cache& m_cache;
  BuildOptions m_options;
  process::CommandRunner& m_runner;
  Status& m_status;
  std::string m_failed_stage;
  std::map<std::string, cache::CacheEntry> m_verified; // by key
  // Archives fetched and verified by this build, by their pinned sha256.
  std::map<std::string, std::filesystem::path> m_fetched;
};

} // namespace xstage::orchestrator
