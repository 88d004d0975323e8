#include "orchestrator/kept_sysroot.hpp"

#include <algorithm>
#include <fstream>
#include <system_error>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "util/atomic_file.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace xstage::orchestrator {

namespace {

json to_json(const std::vector<ExtractedLayer>& layers) {
  json array = json::array();
  for (const ExtractedLayer& layer : layers) {
    array.push_back({{"stage", layer.stage},
                     {"key", layer.key},
                     {"digest", layer.layer.digest},
                     {"native", layer.native}});
  }
  return array;
}

// The record, or a null json when it is missing or unreadable.
json read_record(const fs::path& path) {
  std::ifstream in(path);
  if (!in) {
    return nullptr;
  }
  json record = json::parse(in, nullptr, false);
  if (record.is_discarded() || !record.is_object() || !record.contains("layers") ||
      !record.contains("fingerprint") || !record["layers"].is_array()) {
    return nullptr;
  }
  return record;
}

// A cache directory as records name it, whatever the cwd was.
std::string comparable(const fs::path& cache_root) {
  return cache_root.empty() ? "" : fs::absolute(cache_root).lexically_normal().string();
}

} // namespace

std::string tree_fingerprint(const std::vector<fs::path>& roots) {
  std::vector<std::string> lines;
  for (const fs::path& root : roots) {
    std::error_code error;
    if (!fs::exists(fs::symlink_status(root, error))) {
      lines.push_back(fmt::format("{} absent", root.string()));
      continue;
    }
    // Symlinks are stat'ed, not followed: a sysroot is full of absolute
    // links that point at the build machine's own files.
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
      struct stat data {};
      if (::lstat(it->path().c_str(), &data) != 0) {
        throw Error(fmt::format("cannot stat {}", it->path().string()));
      }
      lines.push_back(fmt::format("{}\t{:o}\t{}\t{}\t{}.{}\t{}.{}", it->path().string(), data.st_mode,
                                  data.st_size, data.st_ino, data.st_mtim.tv_sec, data.st_mtim.tv_nsec,
                                  data.st_ctim.tv_sec, data.st_ctim.tv_nsec));
    }
  }
  std::sort(lines.begin(), lines.end());
  util::Sha256 hash;
  for (const std::string& line : lines) {
    hash.update(line);
    hash.update("\n");
  }
  return hash.finish().hex();
}

KeptSysroot::KeptSysroot(fs::path work) : m_work(std::move(work)) {}

bool KeptSysroot::holds(const std::vector<ExtractedLayer>& layers) const {
  json record = read_record(record_path());
  return !record.is_null() && record["layers"] == to_json(layers) &&
         record["fingerprint"] == tree_fingerprint({sysroot(), host()});
}

void KeptSysroot::clear() const {
  fs::remove(record_path());
  fs::remove_all(sysroot());
  fs::remove_all(host());
}

void KeptSysroot::seal(const std::vector<ExtractedLayer>& layers, const fs::path& cache_root) const {
  json record = {{"layers", to_json(layers)},
                 {"cache", comparable(cache_root)},
                 {"fingerprint", tree_fingerprint({sysroot(), host()})}};
  util::write_file_atomically(record_path(), record.dump(1) + "\n");
}

void KeptSysroot::forget_if_touched() const {
  json record = read_record(record_path());
  if (!record.is_null() && record["fingerprint"] != tree_fingerprint({sysroot(), host()})) {
    fs::remove(record_path());
  }
}

std::uint64_t tree_size(const fs::path& root) {
  std::uint64_t bytes = 0;
  std::error_code error;
  if (fs::is_regular_file(fs::symlink_status(root, error))) {
    return fs::file_size(root, error);
  }
  for (auto it = fs::recursive_directory_iterator(root, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file(error) && !it->is_symlink(error)) {
      bytes += it->file_size(error);
    }
  }
  return bytes;
}

KeptSysrootGc remove_stale_sysroots(const fs::path& work_root, const fs::path& cache_root,
                                    const std::function<bool(const std::string&)>& is_cached) {
  KeptSysrootGc report;
  std::error_code error;
  if (!fs::is_directory(work_root, error)) {
    return report;
  }
  for (const fs::directory_entry& pipeline : fs::directory_iterator(work_root)) {
    if (!pipeline.is_directory()) {
      continue;
    }
    for (const fs::directory_entry& stage : fs::directory_iterator(pipeline.path())) {
      KeptSysroot kept(stage.path());
      if (!stage.is_directory() || (!fs::exists(kept.sysroot()) && !fs::exists(kept.host()))) {
        continue;
      }
      json record = read_record(kept.record_path());
      if (!record.is_null() && record.value("cache", "") != comparable(cache_root)) {
        continue; // another cache's: its gc decides
      }
      bool reusable = !record.is_null() &&
                      std::all_of(record["layers"].begin(), record["layers"].end(), [&](const json& layer) {
                        return layer.contains("digest") && layer["digest"].is_string() &&
                               is_cached(layer["digest"].get<std::string>());
                      });
      if (reusable) {
        continue;
      }
      report.bytes_freed += tree_size(kept.sysroot()) + tree_size(kept.host());
      kept.clear();
      ++report.removed;
    }
  }
  return report;
}

} // namespace xstage::orchestrator
