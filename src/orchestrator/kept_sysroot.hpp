#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "layer/layer.hpp"

namespace xstage::orchestrator {

// One layer extracted into a stage's sysroot.
struct ExtractedLayer {
  std::string stage;
  std::string key;
  layer::LayerInfo layer; // the blob, as its cache entry describes it
  bool native = false;    // extracted into host/, not sysroot/
};

// The sysroot a stage built against last time, kept in its work directory
// (<work>/sysroot, <work>/host) for the next build. A one-file edit of an app
// then costs its compile, not the re-extraction of a 700 MB sysroot whose
// layers did not change.
//
// <work>/sysroot.json records which layers were extracted and a fingerprint
// of the trees' stat data (path, type, mode, size, inode, mtime, ctime of
// every entry) taken right after. The trees are reused only when both still
// match, so a build that wrote into its sysroot, or a crash in the middle of
// an extraction, costs one re-extraction and never a build against the wrong
// files. The record is written after the extraction and removed before the
// trees are touched.
class KeptSysroot {
public:
  explicit KeptSysroot(std::filesystem::path work);

  std::filesystem::path sysroot() const { return m_work / "sysroot"; }
  std::filesystem::path host() const { return m_work / "host"; }
  // <work>/sysroot.json, the record.
  std::filesystem::path record_path() const { return m_work / "sysroot.json"; }

  // True for the paths in <work> that belong to the kept sysroot (the
  // trees and the record), which a new build of the stage keeps.
  bool owns(const std::filesystem::path& path) const {
    return path == sysroot() || path == host() || path == record_path();
  }

  // True when the trees hold exactly `layers`, untouched since extracted.
  bool holds(const std::vector<ExtractedLayer>& layers) const;

  // Forgets the record, then removes the trees.
  void clear() const;

  // Records that the trees now hold `layers`, from the cache at `cache_root`.
  void seal(const std::vector<ExtractedLayer>& layers, const std::filesystem::path& cache_root = {}) const;

  // Forgets the record when the trees changed since seal(): the next build
  // extracts them again.
  void forget_if_touched() const;

private:
  std::filesystem::path m_work;
};

// A SHA-256 over the stat data of every entry below `roots` (absent roots
// count as empty), in sorted path order.
std::string tree_fingerprint(const std::vector<std::filesystem::path>& roots);

// Bytes of the regular files at or below `root` (0 when it does not exist).
std::uint64_t tree_size(const std::filesystem::path& root);

struct KeptSysrootGc {
  std::size_t removed = 0;
  std::uint64_t bytes_freed = 0;
};

// Removes the kept sysroots below `work_root` (<work_root>/<pipeline>/<stage>)
// that no build can reuse: those without a readable record, and those
// extracted from the cache at `cache_root` holding a layer whose blob
// `is_cached` says is gone. Sysroots from other caches are left alone.
KeptSysrootGc remove_stale_sysroots(const std::filesystem::path& work_root,
                                    const std::filesystem::path& cache_root,
                                    const std::function<bool(const std::string& digest)>& is_cached);

} // namespace xstage::orchestrator
