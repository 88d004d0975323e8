#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cache/entry.hpp"
#include "layer/layer.hpp"

namespace xstage::cache {

// Why restore() or verify() dropped an entry.
struct Eviction {
  std::string key;
  std::string stage;
  std::string reason; // e.g. "blob /c/blobs/sha256/ab.. is missing"
};

struct RestoreResult {
  std::optional<CacheEntry> entry; // set only when the blob verified
  std::string evicted_reason;      // set when a bad entry was evicted
};

// Everything verify() found, each problem naming its file.
struct VerifyReport {
  std::size_t entries_checked = 0;
  std::size_t blobs_checked = 0;
  std::vector<std::string> bad_blobs;    // digests, sorted
  std::vector<Eviction> evicted;         // entries of bad blobs
  std::vector<std::string> bad_entries;  // "entry PATH is not JSON: ...", each evicted
  std::vector<std::string> stray_files;  // files in entries/ that no entry is named like; kept
  std::vector<std::string> bad_packages; // packages/ files that do not match their digest; removed

  bool clean() const {
    return bad_blobs.empty() && evicted.empty() && bad_entries.empty() && stray_files.empty() &&
           bad_packages.empty();
  }
};

struct GcReport {
  std::vector<std::string> removed_keys;  // oldest first; unreadable entries too
  std::vector<std::string> removed_blobs; // digests, sorted
  std::size_t removed_temps = 0;          // stale AtomicFile temporaries
  std::size_t removed_transcoded = 0;     // files of gzip variants of removed blobs
  std::size_t removed_packages = 0;       // files of Debian packages of removed entries
  std::uint64_t bytes_freed = 0;
  std::uint64_t remaining_size = 0; // bytes of blobs still referenced
};

// A local stage cache laid out like an OCI image layout, so its blobs can be
// pushed to a registry and referenced by image manifests as they are:
//
//   <root>/oci-layout                {"imageLayoutVersion":"1.0.0"}
//   <root>/blobs/sha256/<hex>        layer blobs (.tar.zst), by digest
//   <root>/entries/<key>.json        one entry per stage key
//   <root>/transcoded/<hex>.*        gzip variants of layer blobs, named by
//                                    the zstd blob's hex (image/gzip_transcode)
//   <root>/packages/<key>-<spec>.*   Debian packages of stages (PackageStore)
//
// Every file is written through util::AtomicFile, and store() writes a blob
// before the entry that names it, so a crash never leaves an entry without
// its blob. Readers skip stray temporaries and unreadable entries (a miss);
// gc() removes them. A blob is re-hashed on every restore, and an entry
// whose blob is missing or corrupt is evicted, never returned.
//
// Keys must be 64 lower-case hex digits and digests "sha256:<64 hex>";
// anything else throws xstage::Error, as does any filesystem failure.
// Concurrent writers are safe for store() and restore() (atomic renames, the
// blob before the entry); gc() and verify() need the cache to themselves,
// which callers ensure with the lock at lock_path().
class Cache {
public:
  using Clock = std::function<std::int64_t()>;

  // `now` gives the current unix time in seconds (tests pass a fake clock).
  // Nothing is created until the first store().
  explicit Cache(std::filesystem::path root, Clock now = {});

  const std::filesystem::path& root() const { return m_root; }

  // <root>/lock: builds hold it shared while they run, `cache gc` and
  // `cache verify` exclusively (util::FileLock), so that gc never removes a
  // blob that a build has moved in and not yet named in its entry.
  std::filesystem::path lock_path() const { return m_root / "lock"; }

  // The entry for `key`, if it exists and parses. Does not hash the blob.
  std::optional<CacheEntry> find(const std::string& key) const;

  // Records `layer_file` (described by `layer`, as write_layer returned it)
  // as the build of `stage` for `key`. The file is consumed: moved into
  // blobs/ atomically, or removed when a blob of that digest and size is
  // already there. The entry is written last; it replaces an older entry
  // for the same key.
  CacheEntry store(const std::string& key, const std::string& stage, const nlohmann::json& manifest,
                   const std::filesystem::path& layer_file, const layer::LayerInfo& layer);

  // The same, describing `layer_file` first (one extra read of it).
  CacheEntry store(const std::string& key, const std::string& stage, const nlohmann::json& manifest,
                   const std::filesystem::path& layer_file);

  // The entry for `key` after checking its blob's size and sha256 (the
  // sha256 only when the blob's stat data changed since it last hashed
  // right; verify() always hashes). A missing
  // or corrupt blob (or an unreadable entry) evicts the entry and removes the
  // bad blob; the result then has no entry and says why.
  RestoreResult restore(const std::string& key);

  // <root>/blobs/sha256/<hex> for "sha256:<hex>".
  std::filesystem::path blob_path(const std::string& digest) const;

  // Where gzip variants of the blobs are kept; gc() removes a variant with
  // its blob.
  std::filesystem::path transcoded_dir() const { return m_root / "transcoded"; }

  // Where Debian packages of the cached stages are kept (PackageStore); gc()
  // removes a package with its entry, verify() hashes each one.
  std::filesystem::path packages_dir() const { return m_root / "packages"; }

  // All readable entries, sorted by stage, then created, then key.
  std::vector<CacheEntry> entries() const;

  // The most recently created entry of `stage` other than `except_key`
  // (for "what changed since the last build").
  std::optional<CacheEntry> newest_for_stage(const std::string& stage,
                                             const std::string& except_key = "") const;

  // Reads every entry and checks every blob they name once, as check_blob
  // with no trust does (hash, then layer::check_layer). Evicts unreadable
  // entries and the entries of bad blobs, removes bad blobs, and reports
  // all of it. Throws xstage::Error when the cache directory does not exist
  // (a mistyped --cache-dir would otherwise verify nothing).
  VerifyReport verify();

  // Evicts the oldest entries (by created, then key) until the referenced
  // blobs total at most `max_size` bytes, then removes unreferenced blobs
  // (and their gzip variants), unreadable entries and temporaries older than
  // an hour (younger ones may belong to a store in progress).
  GcReport gc(std::uint64_t max_size);

  // Removes the entry for `key` (not an error when there is none). Its blob
  // stays until gc() finds it unreferenced.
  void evict(const std::string& key);

private:
  std::filesystem::path entry_path(const std::string& key) const;
  std::filesystem::path blobs_dir() const;
  void ensure_layout() const;
  // How much of a blob's last verification to believe.
  enum class Trust { nothing, unchanged_stat };
  // Why the blob does not match `layer`, or "" when it does. With
  // Trust::unchanged_stat a blob whose stat data equals what was recorded
  // when it last hashed right (<root>/verified/<hex>) is not hashed again.
  std::string check_blob(const layer::LayerInfo& layer, Trust trust) const;
  std::filesystem::path stamp_path(const std::string& digest) const;
  void remove_blob(const std::string& digest) const;

  std::filesystem::path m_root;
  Clock m_now;
};

// Bytes for "1024", "500K", "500M", "2G" or "1T" (binary multiples; the
// suffix may be lower case and may end in "B" or "iB"). Throws xstage::Error
// for anything else, including overflow.
std::uint64_t parse_size(std::string_view text);

} // namespace xstage::cache
