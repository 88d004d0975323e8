#include "orchestrator/pipeline_builder.hpp"

#include <chrono>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "builders/builder.hpp"
#include "layer/layer.hpp"
#include "orchestrator/ccache_stats.hpp"
#include "process/interrupt.hpp"
#include "source/unpack.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::orchestrator {

PipelineBuilder::PipelineBuilder(const recipe::Pipeline& pipeline, const toolchain::Toolchain& toolchain,
                                 const std::map<std::string, key::StageKey>& keys, cache::Cache& cache,
                                 BuildOptions options, process::CommandRunner& runner, Status& status)
    : m_pipeline(pipeline), m_toolchain(toolchain), m_keys(keys), m_cache(cache),
      m_options(std::move(options)), m_runner(runner), m_status(status) {}

fs::path PipelineBuilder::work_dir(const std::string& stage) const {
  return m_options.work_root / m_pipeline.name() / stage;
}

fs::path PipelineBuilder::log_path(const std::string& stage) const {
  return work_dir(stage) / "build.log";
}

std::vector<StageOutcome> PipelineBuilder::build(const std::vector<std::string>& stages) {
  std::vector<const recipe::Recipe*> closure = m_pipeline.closure(stages);
  resolve_sources(closure);
  std::vector<StageOutcome> outcomes;
  for (const recipe::Recipe* recipe : closure) {
    if (int signal_number = process::interrupted_by(); signal_number != 0) {
      throw Error(fmt::format("interrupted by signal {} before stage '{}'", signal_number, recipe->name));
    }
    outcomes.push_back(build_stage(*recipe));
  }
  return outcomes;
}

// Every source of every stage that will build is fetched and verified before
// the first build starts: a missing pin fails in seconds, not after an hour
// of Qt, and caches nothing. Stages with a cache entry need no sources.
void PipelineBuilder::resolve_sources(const std::vector<const recipe::Recipe*>& stages) {
  std::vector<std::string> failures;
  for (const recipe::Recipe* recipe : stages) {
    if (m_cache.find(m_keys.at(recipe->name).key)) {
      continue;
    }
    for (const recipe::Source& source : recipe->sources) {
      try {
        if (source.kind == recipe::SourceKind::archive) {
          m_fetched.emplace(source.sha256, source::fetch_archive(source, m_options.fetch, m_runner));
        } else if (source.kind == recipe::SourceKind::git) {
          source::fetch_git(source, m_options.fetch, m_runner);
        }
      } catch (const Error& error) {
        failures.push_back(fmt::format("stage '{}': {}", recipe->name, error.what()));
      }
    }
  }
  if (!failures.empty()) {
    m_failed_stage.clear();
    throw Error(fmt::format("{} of the sources to build could not be resolved; nothing was built:\n{}",
                            failures.size(), fmt::join(failures, "\n")));
  }
}

void PipelineBuilder::assemble(const recipe::Recipe& stage, bool include_self, const fs::path& root,
                               const fs::path& host) {
  layer::PathOwners target_owners;
  layer::PathOwners host_owners;
  for (const recipe::Recipe* ancestor : m_pipeline.closure({stage.name})) {
    if (ancestor->name == stage.name && !include_self) {
      continue;
    }
    const std::string& key = m_keys.at(ancestor->name).key;
    cache::RestoreResult restored = restore_once(key);
    if (!restored.entry) {
      throw Error(fmt::format("stage '{}' needs stage '{}' (key {}), which is not in the cache{}", stage.name,
                              ancestor->name, key.substr(0, 12),
                              restored.evicted_reason.empty() ? "" : ": " + restored.evicted_reason));
    }
    bool native = ancestor->is_native();
    fs::create_directories(native ? host : root);
    layer::extract_layer(m_cache.blob_path(restored.entry->layer.digest), native ? host : root,
                         ancestor->name, native ? host_owners : target_owners);
  }
}

cache::RestoreResult PipelineBuilder::restore_once(const std::string& key) {
  if (auto verified = m_verified.find(key); verified != m_verified.end()) {
    return {verified->second, ""};
  }
  cache::RestoreResult restored = m_cache.restore(key);
  if (restored.entry) {
    m_verified.emplace(key, *restored.entry);
  }
  return restored;
}

fs::path PipelineBuilder::fetched_archive(const recipe::Source& source) {
  // resolve_sources verified it a moment ago; hashing 46 MB of qtbase again
  // per stage would buy nothing.
  if (auto found = m_fetched.find(source.sha256); found != m_fetched.end()) {
    return found->second;
  }
  return m_fetched.emplace(source.sha256, source::fetch_archive(source, m_options.fetch, m_runner))
      .first->second;
}

std::map<std::string, fs::path> PipelineBuilder::prepare_sources(const recipe::Recipe& recipe,
                                                                 const fs::path& into) {
  std::map<std::string, fs::path> dirs;
  for (const recipe::Source& source : recipe.sources) {
    fs::path dir = into / source.name;
    m_status.stage_step(recipe.name, "source " + source.name);
    switch (source.kind) {
    case recipe::SourceKind::archive: source::unpack_archive(fetched_archive(source), dir); break;
    case recipe::SourceKind::git: source::checkout_git(source, m_options.fetch, dir, m_runner); break;
    case recipe::SourceKind::path:
      fs::create_directories(into);
      fs::copy(m_options.project_root / source.path, dir,
               fs::copy_options::recursive | fs::copy_options::copy_symlinks);
      break;
    }
    dirs[source.name] = dir;
  }
  return dirs;
}

StageOutcome PipelineBuilder::build_stage(const recipe::Recipe& recipe) {
  auto started = std::chrono::steady_clock::now();
  const key::StageKey& stage_key = m_keys.at(recipe.name);
  StageOutcome outcome{recipe.name, stage_key.key, false, 0, 0, "-"};
  auto finish = [&] {
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    m_status.stage_finished(outcome);
    return outcome;
  };
  m_status.stage_started(recipe.name, stage_key.key);

  cache::RestoreResult restored = restore_once(stage_key.key);
  if (!restored.evicted_reason.empty()) {
    m_status.note(fmt::format("stage '{}': evicted a corrupt cache entry ({}); rebuilding", recipe.name,
                              restored.evicted_reason));
  }
  if (restored.entry) {
    outcome.hit = true;
    outcome.layer_size = restored.entry->layer.size;
    return finish();
  }

  fs::path work = work_dir(recipe.name);
  fs::remove_all(work);
  fs::create_directories(work);
  fs::path sysroot = work / "sysroot";
  fs::path host = work / "host";
  fs::path destdir = work / "destdir";
  fs::create_directories(sysroot);
  fs::create_directories(destdir);
  m_status.stage_step(recipe.name, "sysroot");
  assemble(recipe, false, sysroot, host);

  builders::BuildContext context{
      recipe,
      m_toolchain,
      toolchain::StageEnvironment{sysroot, host, "/usr/local", m_options.jobs, work / "src"},
      prepare_sources(recipe, work / "src"),
      work,
      destdir,
      log_path(recipe.name),
      m_runner,
      [&](const std::string& step) { m_status.stage_step(recipe.name, step); },
      {{"CCACHE_BASEDIR", work.string()},
       // Qt compiles most files with a precompiled header, which ccache
       // caches only with these sloppinesses; headers generated during the
       // build (and sources unpacked just before it) are newer than ccache
       // otherwise trusts. Without them half of a Qt rebuild misses.
       {"CCACHE_SLOPPINESS", "pch_defines,time_macros,include_file_mtime,include_file_ctime"}},
  };
  if (auto prefix = recipe.options.find("prefix"); prefix != recipe.options.end()) {
    context.env.prefix = prefix->second.as_string();
  }
  CcacheCounter ccache(m_runner);
  try {
    builders::run_builder(context);
  } catch (const Error& error) {
    m_failed_stage = recipe.name;
    throw Error(fmt::format("{}\nlog: {}", error.what(), context.log.string()));
  }
  outcome.ccache = ccache.summary();

  m_status.stage_step(recipe.name, "layer");
  fs::path layer_file = work / "layer.tar.zst";
  layer::LayerInfo info = layer::write_layer(destdir, layer_file);
  cache::CacheEntry entry = m_cache.store(stage_key.key, recipe.name, stage_key.manifest, layer_file, info);
  outcome.layer_size = entry.layer.size;
  m_verified.emplace(stage_key.key, entry);
  // The scratch trees are large and rebuilt from layers next time; the log stays.
  fs::remove_all(sysroot);
  fs::remove_all(host);
  fs::remove_all(destdir);
  return finish();
}

} // namespace xstage::orchestrator
