// xstage cache ls|verify|gc: look after the local stage cache (push and pull
// are in cmd_cache_remote.cpp).
#include <fmt/format.h>

#include "cache/cache.hpp"
#include "cli/commands.hpp"
#include "cli/console_status.hpp"
#include "orchestrator/kept_sysroot.hpp"
#include "orchestrator/work_dir.hpp"
#include "process/interrupt.hpp"
#include "util/error.hpp"
#include "util/file_lock.hpp"

namespace xstage::cli {

namespace {

// The cache to itself: running builds hold its lock shared.
util::FileLock lock_exclusively(const cache::Cache& cache) {
  util::FileLock lock(cache.lock_path());
  lock.lock(
      util::FileLock::Mode::exclusive, [] { return process::interrupted_by() != 0; },
      fmt::format("the builds using {}", cache.root().string()),
      [&] { fmt::print(stderr, "waiting for the builds using {} to finish\n", cache.root().string()); });
  return lock;
}

} // namespace

void add_cache_command(CLI::App& app, const GlobalOptions& options) {
  auto* command = app.add_subcommand("cache", "List, verify or trim the local stage cache");
  command->require_subcommand(1);
  add_cache_remote_commands(command, options);

  command->add_subcommand("ls", "List cached stages")->callback([&options] {
    cache::Cache cache(cache_dir(options));
    auto entries = cache.entries();
    fmt::print("{:<16}  {:<12}  {:>9}  {}\n", "stage", "key", "layer", "digest");
    for (const auto& entry : entries) {
      fmt::print("{:<16}  {:<12}  {:>9}  {}\n", entry.stage, entry.key.substr(0, 12),
                 human_size(entry.layer.size), entry.layer.digest);
    }
    fmt::print("{} entries in {}\n", entries.size(), cache_dir(options).string());
  });

  command->add_subcommand("verify", "Check every entry and blob; evict what is bad, and report it all")
      ->callback([&options] {
        cache::Cache cache(cache_dir(options));
        if (!std::filesystem::is_directory(cache.root())) {
          cache.verify(); // says there is no cache, without creating one for the lock
        }
        util::FileLock lock = lock_exclusively(cache);
        auto report = cache.verify();
        for (const std::string& problem : report.bad_entries) {
          fmt::print("evicted: {}\n", problem);
        }
        for (const auto& eviction : report.evicted) {
          fmt::print("evicted {} ({}): {}\n", eviction.stage, eviction.key.substr(0, 12), eviction.reason);
        }
        for (const std::string& stray : report.stray_files) {
          fmt::print("kept: {}\n", stray);
        }
        for (const std::string& package : report.bad_packages) {
          fmt::print("removed: {}\n", package);
        }
        fmt::print("{} and {} checked: {} bad, {} bad, {}{}\n",
                   counted(report.entries_checked, "entry", "entries"), counted(report.blobs_checked, "blob"),
                   counted(report.bad_entries.size(), "entry", "entries"),
                   counted(report.bad_blobs.size(), "blob"), counted(report.stray_files.size(), "stray file"),
                   report.bad_packages.empty()
                       ? std::string()
                       : fmt::format(", {} removed", counted(report.bad_packages.size(), "bad package")));
        if (!report.clean()) {
          throw Error(fmt::format("cache verify found problems in {}; what was bad is evicted",
                                  cache.root().string()));
        }
      });

  auto* gc =
      command->add_subcommand("gc", "Remove the oldest entries until the cache fits, and unreferenced blobs");
  auto max_size = std::make_shared<std::string>("10G");
  gc->add_option("--max-size", *max_size, "Largest total blob size to keep, e.g. 500M, 10G")
      ->capture_default_str();
  gc->callback([&options, max_size] {
    cache::Cache cache(cache_dir(options));
    std::uint64_t limit = cache::parse_size(*max_size);
    util::FileLock lock = lock_exclusively(cache);
    auto report = cache.gc(limit);
    fmt::print("removed {}, {}, {} of gzip variants and {} of Debian packages, freed {}; {} remain\n",
               counted(report.removed_keys.size(), "entry", "entries"),
               counted(report.removed_blobs.size(), "blob"), counted(report.removed_transcoded, "file"),
               counted(report.removed_packages, "file"), human_size(report.bytes_freed),
               human_size(report.remaining_size));
    // Sysroots kept for the edit loop are worth keeping only while the
    // layers they were extracted from are cached.
    auto kept = orchestrator::remove_stale_sysroots(
        cache_home() / "work", cache.root(),
        [&cache](const std::string& digest) { return std::filesystem::exists(cache.blob_path(digest)); });
    fmt::print("removed {} that no build can reuse, freed {}\n", counted(kept.removed, "kept sysroot"),
               human_size(kept.bytes_freed));
    // What failed, interrupted and --keep-work builds left in their work
    // directories; a directory a build holds is left alone.
    orchestrator::WorkTrim trim = orchestrator::trim_work_root(cache_home() / "work");
    fmt::print("trimmed {} left by earlier builds, freed {}{}\n",
               counted(trim.trimmed, "work directory", "work directories"), human_size(trim.bytes_freed),
               trim.busy > 0 ? fmt::format(" ({} in use, kept)", trim.busy) : "");
  });
}

} // namespace xstage::cli
