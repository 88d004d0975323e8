#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "cache/cache.hpp"
#include "key/stage_key.hpp"
#include "orchestrator/kept_sysroot.hpp"
#include "orchestrator/status.hpp"
#include "process/spawn.hpp"
#include "recipe/pipeline.hpp"
#include "source/fetch.hpp"
#include "toolchain/render.hpp"
#include "toolchain/toolchain.hpp"

namespace xstage::orchestrator {

struct BuildOptions {
  std::filesystem::path project_root;
  // Scratch directories live at <work_root>/<pipeline>/<stage>: a path that
  // depends on neither the checkout nor a temp name, so ccache (with
  // CCACHE_BASEDIR there) hits when a stage is rebuilt from scratch.
  std::filesystem::path work_root;
  source::FetchOptions fetch;
  // Job slots for the whole build, shared by the stages that build at once.
  int jobs = 1;
  // Stages building at once at most; 0: up to one per job slot.
  int max_stages = 0;
  // ccache's remote storage for every compile (CCACHE_REMOTE_STORAGE), shared
  // by runners and developers; "" leaves ccache's own configuration alone.
  std::string ccache_remote{};
  // Leave a stage's source and build trees in its work directory after the
  // build (or its failure), for inspection; normally only the log and the
  // kept sysroot stay.
  bool keep_work = false;
};

struct StageFailure {
  std::string stage;
  std::string message; // names the stage, the step and the log
};

struct BuildReport {
  std::vector<StageOutcome> outcomes; // one per stage, in build order
  std::vector<StageFailure> failures; // in build order

  // Every failure in one message: the failure's own for one, else
  // "N stages failed:" and each.
  std::string failure_message() const;
};

// Builds `stages` (and their ancestors) of a pipeline: each stage whose key
// is cached and verifies is a hit; the others build against their
// ancestors' layers, each as soon as its parents are done, concurrently
// within the job budget, and are stored. A failing stage caches nothing;
// the stages building beside it finish, no new one starts.
class PipelineBuilder {
public:
  PipelineBuilder(const recipe::Pipeline& pipeline, const toolchain::Toolchain& toolchain,
                  const std::map<std::string, key::StageKey>& keys, cache::Cache& cache, BuildOptions options,
                  process::CommandRunner& runner, Status& status);

  // The build, with every stage's outcome even when some failed. Throws
  // xstage::Error before building anything when a source cannot be resolved,
  // and when interrupted before any stage failed.
  BuildReport run(const std::vector<std::string>& stages);

  // run(), throwing xstage::Error with failure_message() when a stage failed.
  std::vector<StageOutcome> build(const std::vector<std::string>& stages);

  // The layers `stage` builds against (its ancestors', and its own with
  // `include_self`), in build order, each verified in the cache; a missing
  // one is an error naming it.
  std::vector<ExtractedLayer> layers_of(const recipe::Recipe& stage, bool include_self);

  // Extracts `layers` into `root` (target layers) and `host` (build-machine
  // layers); a path written twice is an error naming both stages.
  void extract(const std::vector<ExtractedLayer>& layers, const std::filesystem::path& root,
               const std::filesystem::path& host);

  // layers_of() and extract() in one.
  void assemble(const recipe::Recipe& stage, bool include_self, const std::filesystem::path& root,
                const std::filesystem::path& host);

  // Where a stage's build tools look: the sysroot and host trees, with the
  // compiler's version (asked once per builder) for the sysroot flags.
  toolchain::StageEnvironment stage_environment(const std::filesystem::path& sysroot,
                                                const std::filesystem::path& host, int jobs,
                                                const std::filesystem::path& sources);

  const recipe::Pipeline& pipeline() const { return m_pipeline; }

  // The work directory of a stage, and its log.
  std::filesystem::path work_dir(const std::string& stage) const;
  std::filesystem::path log_path(const std::string& stage) const;

private:
  // Builds a stage that missed the cache with `jobs` job slots; throws on failure.
  StageOutcome build_stage(const recipe::Recipe& recipe, int jobs);
  // The steps of build_stage in a locked, emptied work directory: sysroot,
  // sources, the builder, the layer into the cache.
  void build_in(const recipe::Recipe& recipe, int jobs, const std::filesystem::path& work, KeptSysroot& kept,
                const std::string& token, StageOutcome& outcome);
  void resolve_sources(const std::vector<const recipe::Recipe*>& misses);
  void resolve_debs(const recipe::Recipe& recipe, const source::FetchOptions& fetch,
                    std::vector<std::string>& failures);
  // An archive source's verified file, fetched once per build.
  std::filesystem::path fetched_archive(const recipe::Source& source);
  // The cache's restore, hashing each blob once per builder: base's 221 MB
  // layer is verified when it is a hit, not again for every child that
  // extracts it.
  cache::RestoreResult restore_once(const std::string& key);
  std::map<std::string, std::filesystem::path> prepare_sources(const recipe::Recipe& recipe,
                                                               const std::filesystem::path& into);
  // Status calls, one at a time whichever thread makes them.
  void report(const std::function<void(Status&)>& call);

  const recipe::Pipeline& m_pipeline;
  const toolchain::Toolchain& m_toolchain;
  const std::map<std::string, key::StageKey>& m_keys;
  cache::Cache& m_cache;
  BuildOptions m_options;
  process::CommandRunner& m_runner;
  Status& m_status;
  std::mutex m_status_mutex;
  std::mutex m_cache_mutex;                            // guards m_verified, m_fetched and cache updates
  std::map<std::string, cache::CacheEntry> m_verified; // by key
  std::once_flag m_compiler_asked;
  std::string m_compiler_version;
  // Archives fetched and verified by this build, by their pinned sha256.
  std::map<std::string, std::filesystem::path> m_fetched;
};

} // namespace xstage::orchestrator
