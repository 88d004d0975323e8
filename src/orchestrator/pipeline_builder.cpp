#include "orchestrator/pipeline_builder.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "builders/builder.hpp"
#include "layer/layer.hpp"
#include "orchestrator/ccache_stats.hpp"
#include "orchestrator/dag_scheduler.hpp"
#include "orchestrator/stage_lock.hpp"
#include "orchestrator/work_dir.hpp"
#include "process/interrupt.hpp"
#include "process/leftovers.hpp"
#include "source/debian_packages.hpp"
#include "source/fetch.hpp"
#include "source/unpack.hpp"
#include "util/error.hpp"
#include "util/file_lock.hpp"

namespace fs = std::filesystem;

namespace xstage::orchestrator {

namespace {

double seconds_since(std::chrono::steady_clock::time_point started) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

} // namespace

PipelineBuilder::PipelineBuilder(const recipe::Pipeline& pipeline, const toolchain::Toolchain& toolchain,
                                 const std::map<std::string, key::StageKey>& keys, cache::Cache& cache,
                                 BuildOptions options, process::CommandRunner& runner, Status& status)
    : m_pipeline(pipeline), m_toolchain(toolchain), m_keys(keys), m_cache(cache),
      m_options(std::move(options)), m_runner(runner), m_status(status) {}

toolchain::StageEnvironment PipelineBuilder::stage_environment(const fs::path& sysroot, const fs::path& host,
                                                               int jobs, const fs::path& sources) {
  std::call_once(m_compiler_asked,
                 [&] { m_compiler_version = toolchain::compiler_major_version(m_toolchain, m_runner); });
  return {sysroot, host, "/usr/local", jobs, sources, m_compiler_version, {}};
}

fs::path PipelineBuilder::work_dir(const std::string& stage) const {
  return m_options.work_root / m_pipeline.name() / stage;
}

fs::path PipelineBuilder::log_path(const std::string& stage) const {
  return work_dir(stage) / "build.log";
}

void PipelineBuilder::report(const std::function<void(Status&)>& call) {
  std::lock_guard lock(m_status_mutex);
  call(m_status);
}

std::string BuildReport::failure_message() const {
  if (failures.size() == 1) {
    return failures[0].message;
  }
  std::string message = fmt::format("{} stages failed:", failures.size());
  for (const StageFailure& failure : failures) {
    message += "\n" + failure.message;
  }
  return message;
}

BuildReport PipelineBuilder::run(const std::vector<std::string>& stages) {
  // Shared with other builds, exclusive to `cache gc` and `cache verify`.
  util::FileLock cache_lock(m_cache.lock_path());
  cache_lock.lock(
      util::FileLock::Mode::shared, [] { return process::interrupted_by() != 0; },
      fmt::format("the cache lock {}", m_cache.lock_path().string()),
      [&] {
        report([&](Status& status) {
          status.note(fmt::format("waiting for `xstage cache gc` or `cache verify` on {} to finish",
                                  m_cache.root().string()));
        });
      });
  std::vector<const recipe::Recipe*> closure = m_pipeline.closure(stages);
  BuildReport report_out;

  // The sources of the stages without an entry first, before any restore
  // touches the cache: a missing pin fails at once and changes nothing.
  std::vector<const recipe::Recipe*> unentered;
  for (const recipe::Recipe* recipe : closure) {
    if (!m_cache.find(m_keys.at(recipe->name).key)) {
      unentered.push_back(recipe);
    }
  }
  resolve_sources(unentered);

  // Hits first: they take a moment, and a stage waits for a parent's build,
  // never for a parent's hit, so the misses can then share the job slots.
  std::vector<const recipe::Recipe*> misses;
  std::map<std::string, std::size_t> position;
  for (const recipe::Recipe* recipe : closure) {
    const std::string& key = m_keys.at(recipe->name).key;
    position[recipe->name] = report_out.outcomes.size();
    report_out.outcomes.push_back({recipe->name, key, StageResult::skipped, 0, 0, "-", 0});
    auto started = std::chrono::steady_clock::now();
    cache::RestoreResult restored = restore_once(key);
    if (!restored.evicted_reason.empty()) {
      report([&](Status& status) {
        status.note(fmt::format("stage '{}': evicted a corrupt cache entry ({}); rebuilding", recipe->name,
                                restored.evicted_reason));
      });
    }
    if (!restored.entry) {
      misses.push_back(recipe);
      continue;
    }
    StageOutcome& outcome = report_out.outcomes.back();
    outcome.result = StageResult::hit;
    outcome.layer_size = restored.entry->layer.size;
    outcome.seconds = seconds_since(started);
    report([&](Status& status) {
      status.stage_started(recipe->name, key);
      status.stage_finished(outcome);
    });
  }

  // A stage whose entry was evicted just now needs its sources too.
  std::vector<const recipe::Recipe*> evicted;
  for (const recipe::Recipe* recipe : misses) {
    if (std::find(unentered.begin(), unentered.end(), recipe) == unentered.end()) {
      evicted.push_back(recipe);
    }
  }
  resolve_sources(evicted);
  std::map<std::string, std::size_t> miss_index;
  std::vector<DagTask> tasks(misses.size());
  for (std::size_t i = 0; i < misses.size(); ++i) {
    miss_index[misses[i]->name] = i;
    for (const std::string& parent : misses[i]->parents) {
      if (auto found = miss_index.find(parent); found != miss_index.end()) {
        tasks[i].parents.push_back(found->second);
      }
    }
    tasks[i].takes_slots = builders::runs_compilers(*misses[i]);
  }
  DagHooks hooks;
  hooks.stop_requested = [] { return process::interrupted_by() != 0; };
  hooks.tick = [this] { report([](Status& status) { status.tick(); }); };
  // Each task writes only its own stage's outcome, so they need no lock.
  std::vector<TaskResult> results = run_dag(
      tasks, DagBudget{m_options.jobs, m_options.max_stages},
      [&](std::size_t task, int jobs) {
        const recipe::Recipe& recipe = *misses[task];
        StageOutcome& outcome = report_out.outcomes[position.at(recipe.name)];
        auto started = std::chrono::steady_clock::now();
        try {
          outcome = build_stage(recipe, jobs);
        } catch (...) {
          outcome.result = StageResult::failed;
          outcome.jobs = jobs;
          outcome.seconds = seconds_since(started);
          report([&](Status& status) { status.stage_finished(outcome); });
          throw;
        }
      },
      hooks);

  // The outcomes of failed stages were marked by their tasks.
  for (std::size_t i = 0; i < misses.size(); ++i) {
    if (results[i].state == TaskState::failed) {
      report_out.failures.push_back({misses[i]->name, results[i].error});
    }
  }
  if (int signal_number = process::interrupted_by(); signal_number != 0 && report_out.failures.empty()) {
    for (const recipe::Recipe* recipe : misses) {
      if (report_out.outcomes[position.at(recipe->name)].result == StageResult::skipped) {
        throw Error(fmt::format("interrupted by signal {} before stage '{}'", signal_number, recipe->name));
      }
    }
  }
  return report_out;
}

std::vector<StageOutcome> PipelineBuilder::build(const std::vector<std::string>& stages) {
  BuildReport result = run(stages);
  if (!result.failures.empty()) {
    throw Error(result.failure_message());
  }
  return std::move(result.outcomes);
}

// Every source of every stage that will build is fetched and verified before
// the first build starts: a missing pin fails in seconds, not after an hour
// of Qt, and caches nothing. Only the misses need them: a hit needs none.
void PipelineBuilder::resolve_sources(const std::vector<const recipe::Recipe*>& misses) {
  std::vector<std::string> failures;
  source::FetchOptions fetch = m_options.fetch;
  fetch.progress = [this](const std::string& what, std::uint64_t done, std::uint64_t total) {
    if (done > 0 || total > 0) { // (what, 0, 0): a place about to be tried
      report([&](Status& status) { status.download_progress(what, done, total); });
    }
  };
  for (const recipe::Recipe* recipe : misses) {
    if (recipe->builder == "debian") {
      resolve_debs(*recipe, fetch, failures);
    }
    for (const recipe::Source& source : recipe->sources) {
      try {
        if (source.kind == recipe::SourceKind::archive) {
          m_fetched.emplace(source.sha256, source::fetch_archive(source, fetch, m_runner));
        } else if (source.kind == recipe::SourceKind::git) {
          source::fetch_git(source, fetch, m_runner);
        }
      } catch (const Error& error) {
        failures.push_back(fmt::format("stage '{}': {}", recipe->name, error.what()));
      }
    }
  }
  if (!failures.empty()) {
    throw Error(fmt::format("{} of the sources to build could not be resolved; nothing was built:\n{}",
                            failures.size(), fmt::join(failures, "\n")));
  }
}

// A locked debian stage's .debs are sources like any other: fetched and
// verified by digest before anything builds. An unlocked one is noted.
void PipelineBuilder::resolve_debs(const recipe::Recipe& recipe, const source::FetchOptions& fetch,
                                   std::vector<std::string>& failures) {
  if (!recipe.lock) {
    report([&](Status& status) {
      status.note(
          fmt::format("stage '{}' is not locked: it installs what Debian's archive holds today, so its "
                      "layer is not reproducible; `xstage lock {}` pins its packages",
                      recipe.name, recipe.name));
    });
    return;
  }
  for (const recipe::LockedPackage& package : recipe.lock->packages) {
    recipe::Source source = source::locked_deb_source(package, *recipe.lock, fetch.debian_archives);
    try {
      m_fetched.emplace(source.sha256, source::fetch_archive(source, fetch, m_runner));
    } catch (const Error& error) {
      failures.push_back(fmt::format(
          "stage '{}': {}\nDebian's archive may no longer have {} {} ({}): re-lock "
          "with `xstage lock {}` and review the diff",
          recipe.name, error.what(), package.name, package.version, package.architecture, recipe.name));
    }
  }
}

std::vector<ExtractedLayer> PipelineBuilder::layers_of(const recipe::Recipe& stage, bool include_self) {
  std::vector<ExtractedLayer> layers;
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
    layers.push_back({ancestor->name, key, restored.entry->layer, ancestor->is_native()});
  }
  return layers;
}

void PipelineBuilder::extract(const std::vector<ExtractedLayer>& layers, const fs::path& root,
                              const fs::path& host) {
  layer::PathOwners target_owners;
  layer::PathOwners host_owners;
  fs::create_directories(root);
  for (const ExtractedLayer& extracted : layers) {
    const fs::path& into = extracted.native ? host : root;
    fs::create_directories(into);
    layer::extract_layer(m_cache.blob_path(extracted.layer.digest), extracted.layer, into, extracted.stage,
                         extracted.native ? host_owners : target_owners);
  }
}

void PipelineBuilder::assemble(const recipe::Recipe& stage, bool include_self, const fs::path& root,
                               const fs::path& host) {
  extract(layers_of(stage, include_self), root, host);
}

cache::RestoreResult PipelineBuilder::restore_once(const std::string& key) {
  // One at a time: two stages extracting base would otherwise hash it twice.
  std::lock_guard lock(m_cache_mutex);
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
  {
    std::lock_guard lock(m_cache_mutex);
    if (auto found = m_fetched.find(source.sha256); found != m_fetched.end()) {
      return found->second;
    }
  }
  fs::path fetched = source::fetch_archive(source, m_options.fetch, m_runner);
  std::lock_guard lock(m_cache_mutex);
  return m_fetched.emplace(source.sha256, fetched).first->second;
}

std::map<std::string, fs::path> PipelineBuilder::prepare_sources(const recipe::Recipe& recipe,
                                                                 const fs::path& into) {
  std::map<std::string, fs::path> dirs;
  for (const recipe::Source& source : recipe.sources) {
    fs::path dir = into / source.name;
    report([&](Status& status) { status.stage_step(recipe.name, "source " + source.name); });
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

StageOutcome PipelineBuilder::build_stage(const recipe::Recipe& recipe, int jobs) {
  auto started = std::chrono::steady_clock::now();
  const key::StageKey& stage_key = m_keys.at(recipe.name);
  StageOutcome outcome{recipe.name, stage_key.key, StageResult::built, 0, 0, "-", jobs};
  report([&](Status& status) { status.stage_started(recipe.name, stage_key.key); });

  fs::path work = work_dir(recipe.name);
  StageLock lock(
      work,
      [&](long pid) {
        report([&](Status& status) {
          status.note(fmt::format("waiting for stage '{}' ({}), which another xstage is building in {}",
                                  recipe.name, pid > 0 ? fmt::format("pid {}", pid) : "another process",
                                  work.string()));
        });
      },
      [] { return process::interrupted_by() != 0; });
  if (lock.leftovers_stopped() > 0) {
    report([&](Status& status) {
      status.note(fmt::format("stage '{}': stopped {} processes that a killed build had left running",
                              recipe.name, lock.leftovers_stopped()));
    });
  }
  // The other xstage may have built the same key while this one waited.
  if (cache::RestoreResult landed = restore_once(stage_key.key); landed.entry) {
    outcome.result = StageResult::hit;
    outcome.layer_size = landed.entry->layer.size;
    outcome.seconds = seconds_since(started);
    report([&](Status& status) { status.stage_finished(outcome); });
    return outcome;
  }
  KeptSysroot kept(work);
  clear_work_dir(work, recipe.name, false);
  try {
    build_in(recipe, jobs, work, kept, lock.token(), outcome);
  } catch (...) {
    if (!m_options.keep_work) {
      try {
        clear_work_dir(work, recipe.name, true);
      } catch (const Error&) {
        // the build's own error is the one to report
      }
    }
    throw;
  }
  if (!m_options.keep_work) {
    clear_work_dir(work, recipe.name, true);
  }
  outcome.seconds = seconds_since(started);
  report([&](Status& status) { status.stage_finished(outcome); });
  return outcome;
}

void PipelineBuilder::build_in(const recipe::Recipe& recipe, int jobs, const fs::path& work,
                               KeptSysroot& kept, const std::string& token, StageOutcome& outcome) {
  const key::StageKey& stage_key = m_keys.at(recipe.name);
  auto step = [&](const std::string& name) {
    report([&](Status& status) { status.stage_step(recipe.name, name); });
  };
  fs::path destdir = work / "destdir";
  fs::create_directories(destdir);
  std::vector<ExtractedLayer> layers = layers_of(recipe, false);
  if (kept.holds(layers)) {
    step("sysroot (kept from the last build)");
  } else {
    step("sysroot");
    kept.clear();
    extract(layers, kept.sysroot(), kept.host());
    kept.seal(layers, m_cache.root());
  }

  fs::path ccache_log = work / "ccache-stats.log";
  builders::BuildContext context{
      recipe,
      m_toolchain,
      stage_environment(kept.sysroot(), kept.host(), jobs, work / "src"),
      prepare_sources(recipe, work / "src"),
      work,
      destdir,
      log_path(recipe.name),
      m_runner,
      step,
      {{"CCACHE_BASEDIR", work.string()},
       // Qt compiles most files with a precompiled header, which ccache
       // caches only with these sloppinesses; headers generated during the
       // build (and sources unpacked just before it) are newer than ccache
       // otherwise trusts. Without them half of a Qt rebuild misses.
       {"CCACHE_SLOPPINESS", "pch_defines,time_macros,include_file_mtime,include_file_ctime"},
       {"CCACHE_STATSLOG", ccache_log.string()},
       {std::string(process::k_token_variable), token}},
  };
  if (!m_options.ccache_remote.empty()) {
    context.common_env["CCACHE_REMOTE_STORAGE"] = m_options.ccache_remote;
  }
  if (recipe.lock) {
    for (const recipe::LockedPackage& package : recipe.lock->packages) {
      context.debs.push_back(
          fetched_archive(source::locked_deb_source(package, *recipe.lock, m_options.fetch.debian_archives)));
    }
  }
  if (auto prefix = recipe.options.find("prefix"); prefix != recipe.options.end()) {
    context.env.prefix = prefix->second.as_string();
  }
  try {
    builders::run_builder(context);
  } catch (const Error& error) {
    kept.forget_if_touched();
    throw Error(fmt::format("{}\nlog: {}", error.what(), context.log.string()));
  }
  kept.forget_if_touched();
  outcome.ccache = ccache_summary(ccache_log);

  step("layer");
  fs::path layer_file = work / "layer.tar.zst";
  layer::LayerInfo info = layer::write_layer(destdir, layer_file);
  cache::CacheEntry entry = [&] {
    std::lock_guard lock(m_cache_mutex);
    cache::CacheEntry stored =
        m_cache.store(stage_key.key, recipe.name, stage_key.manifest, layer_file, info);
    m_verified.emplace(stage_key.key, stored);
    return stored;
  }();
  outcome.layer_size = entry.layer.size;
}

} // namespace xstage::orchestrator
