#include "cache/cache.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <system_error>
#include <tuple>

#include <sys/stat.h>

#include <fmt/format.h>

#include "cache/package_store.hpp"
#include "util/atomic_file.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::cache {

namespace {

constexpr std::string_view k_entry_extension = ".json";
// A temporary younger than this may belong to a store() still running.
constexpr auto k_stale_temp_age = std::chrono::hours(1);

void check_key(const std::string& key) {
  if (!util::is_sha256_hex(key)) {
    throw Error(fmt::format("invalid stage key '{}': expected 64 lower-case hex digits", key));
  }
}

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The directory's entries; none when it does not exist.
std::vector<fs::directory_entry> list_directory(const fs::path& directory) {
  std::error_code error;
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
    entries.push_back(*it);
  }
  if (error && error != std::errc::no_such_file_or_directory) {
    throw Error(fmt::format("cannot list {}: {}", directory.string(), error.message()));
  }
  return entries;
}

void remove_file(const fs::path& path) {
  std::error_code error;
  fs::remove(path, error);
  if (error) {
    throw Error(fmt::format("cannot remove {}: {}", path.string(), error.message()));
  }
}

std::uint64_t size_of(const fs::path& path) {
  std::error_code error;
  std::uintmax_t size = fs::file_size(path, error);
  return error ? 0 : size;
}

// The entry stored at `path`, or why it is not the entry of `key`.
struct EntryRead {
  std::optional<CacheEntry> entry;
  std::string problem;
};

EntryRead read_entry_checked(const fs::path& path, const std::string& key) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    return {std::nullopt, fmt::format("entry {} is not a regular file", path.string())};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return {std::nullopt, fmt::format("cannot read entry {}: {}", path.string(), std::strerror(errno))};
  }
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& problem) {
    return {std::nullopt, fmt::format("entry {} is not JSON ({})", path.string(), problem.what())};
  }
  try {
    CacheEntry entry = entry_from_json(json, fmt::format("entry {}", path.string()));
    if (entry.key != key) {
      return {std::nullopt, fmt::format("entry {} holds the key {}", path.string(), entry.key)};
    }
    return {std::move(entry), ""};
  } catch (const Error& problem) {
    return {std::nullopt, problem.what()};
  }
}

// The entry stored at `path`, or nothing when it is unreadable, malformed or
// not the entry of `key`: a miss, never an error.
std::optional<CacheEntry> read_entry(const fs::path& path, const std::string& key) {
  return read_entry_checked(path, key).entry;
}

// The key an entry file is named after, or "" for anything else (temps).
std::string key_of_entry_file(const fs::directory_entry& file) {
  std::string name = file.path().filename().string();
  std::error_code error;
  if (!file.is_regular_file(error) || name.size() != 64 + k_entry_extension.size() ||
      name.substr(64) != k_entry_extension || !util::is_sha256_hex(name.substr(0, 64))) {
    return "";
  }
  return name.substr(0, 64);
}

} // namespace

Cache::Cache(fs::path root, Clock now) : m_root(std::move(root)), m_now(now ? std::move(now) : system_now) {}

fs::path Cache::entry_path(const std::string& key) const {
  check_key(key);
  return m_root / "entries" / (key + std::string(k_entry_extension));
}

fs::path Cache::blobs_dir() const {
  return m_root / "blobs" / "sha256";
}

fs::path Cache::blob_path(const std::string& digest) const {
  std::optional<util::Digest> parsed = util::Digest::try_parse(digest);
  if (!parsed) {
    throw Error(fmt::format("invalid blob digest '{}': expected sha256:<64 hex digits>", digest));
  }
  return blobs_dir() / parsed->hex();
}

void Cache::ensure_layout() const {
  for (const fs::path& directory : {blobs_dir(), m_root / "entries"}) {
    std::error_code error;
    fs::create_directories(directory, error);
    if (error) {
      throw Error(fmt::format("cannot create directory {}: {}", directory.string(), error.message()));
    }
  }
  std::error_code error;
  if (!fs::exists(m_root / "oci-layout", error)) {
    util::write_file_atomically(m_root / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  }
}

std::optional<CacheEntry> Cache::find(const std::string& key) const {
  return read_entry(entry_path(key), key);
}

CacheEntry Cache::store(const std::string& key, const std::string& stage, const nlohmann::json& manifest,
                        const fs::path& layer_file, const layer::LayerInfo& layer) {
  const fs::path entry_file = entry_path(key);
  const fs::path blob = blob_path(layer.digest);
  if (!util::Digest::try_parse(layer.diff_id)) {
    throw Error(fmt::format("invalid layer diff_id '{}': expected sha256:<64 hex digits>", layer.diff_id));
  }
  ensure_layout();
  std::error_code error;
  if (fs::is_regular_file(blob, error) && size_of(blob) == layer.size) {
    // Same digest and size: the bytes are (re-checked on restore) the same.
    if (!fs::equivalent(layer_file, blob, error)) {
      remove_file(layer_file);
    }
  } else {
    util::move_file_atomically(layer_file, blob);
  }
  CacheEntry entry{key, stage, m_now(), manifest, layer};
  // Last: an entry is only ever visible once its blob is in place.
  util::write_file_atomically(entry_file, to_json(entry).dump(2) + "\n");
  return entry;
}

CacheEntry Cache::store(const std::string& key, const std::string& stage, const nlohmann::json& manifest,
                        const fs::path& layer_file) {
  return store(key, stage, manifest, layer_file, layer::describe_layer(layer_file));
}

fs::path Cache::stamp_path(const std::string& digest) const {
  return m_root / "verified" / util::Digest::parse(digest).hex();
}

namespace {

// "size inode mtime-ns ctime-ns" of `path`, or "" when it cannot be read.
std::string stat_line(const fs::path& path) {
  struct ::stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return "";
  }
  return fmt::format("{} {} {}.{:09} {}.{:09}\n", info.st_size, info.st_ino, info.st_mtim.tv_sec,
                     info.st_mtim.tv_nsec, info.st_ctim.tv_sec, info.st_ctim.tv_nsec);
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text;
}

} // namespace

std::string Cache::check_blob(const layer::LayerInfo& layer, Trust trust) const {
  const fs::path path = blob_path(layer.digest);
  std::error_code error;
  fs::file_status status = fs::symlink_status(path, error);
  if (!fs::exists(status)) {
    return fmt::format("blob {} is missing", path.string());
  }
  if (!fs::is_regular_file(status)) {
    return fmt::format("blob {} is not a regular file", path.string());
  }
  std::uint64_t size = size_of(path);
  if (size != layer.size) {
    return fmt::format("blob {} has {} bytes instead of {}", path.string(), size, layer.size);
  }
  // As ninja and ccache do, trust what the file system says has not changed:
  // a blob hashed before whose size, inode, mtime and ctime are the same has
  // not been written since (any write moves ctime, which no user can set).
  std::string stat = stat_line(path);
  if (trust == Trust::unchanged_stat && !stat.empty() && read_text(stamp_path(layer.digest)) == stat) {
    return "";
  }
  // One pass hashes the blob and checks what it unpacks to, the way every
  // reader checks it (right bytes may still be a forged layer). Only when it
  // fails is the blob hashed alone, so that wrong bytes are reported as such
  // rather than as whatever zstd or tar made of them.
  try {
    layer::check_layer(path, layer);
  } catch (const Error& problem) {
    std::string actual = util::Digest::of_file(path).str();
    if (actual != layer.digest) {
      return fmt::format("blob {} is corrupt: its content hashes to {}", path.string(), actual);
    }
    return problem.what();
  }
  if (!stat.empty() && stat == stat_line(path)) {
    fs::create_directories(m_root / "verified", error);
    try {
      util::write_file_atomically(stamp_path(layer.digest), stat);
    } catch (const Error&) {
      // A read-only cache still verifies; it only hashes again next time.
    }
  }
  return "";
}

void Cache::remove_blob(const std::string& digest) const {
  remove_file(stamp_path(digest));
  std::error_code error;
  fs::remove_all(blob_path(digest), error); // a directory where a blob belongs goes too
  if (error) {
    throw Error(fmt::format("cannot remove {}: {}", blob_path(digest).string(), error.message()));
  }
}

RestoreResult Cache::restore(const std::string& key) {
  const fs::path path = entry_path(key);
  std::error_code error;
  if (!fs::exists(path, error)) {
    return {};
  }
  std::optional<CacheEntry> entry = read_entry(path, key);
  if (!entry) {
    evict(key);
    return {std::nullopt, fmt::format("entry {} is unreadable", path.string())};
  }
  std::string reason = check_blob(entry->layer, Trust::unchanged_stat);
  if (!reason.empty()) {
    evict(key);
    remove_blob(entry->layer.digest);
    return {std::nullopt, reason};
  }
  return {std::move(entry), ""};
}

std::vector<CacheEntry> Cache::entries() const {
  std::vector<CacheEntry> found;
  for (const fs::directory_entry& file : list_directory(m_root / "entries")) {
    std::string key = key_of_entry_file(file);
    if (!key.empty()) {
      if (std::optional<CacheEntry> entry = read_entry(file.path(), key)) {
        found.push_back(std::move(*entry));
      }
    }
  }
  std::sort(found.begin(), found.end(), [](const CacheEntry& a, const CacheEntry& b) {
    return std::tie(a.stage, a.created, a.key) < std::tie(b.stage, b.created, b.key);
  });
  return found;
}

std::optional<CacheEntry> Cache::newest_for_stage(const std::string& stage,
                                                  const std::string& except_key) const {
  std::optional<CacheEntry> newest;
  for (CacheEntry& entry : entries()) {
    if (entry.stage == stage && entry.key != except_key) {
      newest = std::move(entry); // sorted by created, then key: the last one wins
    }
  }
  return newest;
}

VerifyReport Cache::verify() {
  std::error_code error;
  if (!fs::is_directory(m_root, error)) {
    throw Error(fmt::format("there is no cache at {}: nothing was stored there (is --cache right?)",
                            m_root.string()));
  }
  VerifyReport report;
  std::vector<CacheEntry> readable;
  for (const fs::directory_entry& file : list_directory(m_root / "entries")) {
    std::string name = file.path().filename().string();
    std::string key = name.size() == 64 + k_entry_extension.size() && name.ends_with(k_entry_extension)
                          ? name.substr(0, 64)
                          : "";
    if (util::is_temp_name(name)) {
      continue; // a store in progress, or gc's to remove
    }
    if (!util::is_sha256_hex(key)) {
      report.stray_files.push_back(fmt::format("{} is not named <key>.json", file.path().string()));
      continue;
    }
    ++report.entries_checked;
    EntryRead read = read_entry_checked(file.path(), key);
    if (read.entry) {
      readable.push_back(std::move(*read.entry));
    } else {
      evict(key);
      report.bad_entries.push_back(read.problem);
    }
  }
  // Each description of a blob is checked, not each blob once: an entry
  // beside a good one may describe the same blob falsely (another diff_id).
  // A blob is removed only when no entry describes it truly.
  std::map<std::tuple<std::string, std::uint64_t, std::string, std::uint64_t>, std::string> reasons;
  std::map<std::string, bool> blob_good; // digest -> some description of it holds
  for (const CacheEntry& entry : readable) {
    const layer::LayerInfo& layer = entry.layer;
    auto [checked, first] = reasons.emplace(
        std::make_tuple(layer.digest, layer.size, layer.diff_id, layer.uncompressed_size), "");
    if (first) {
      checked->second = check_blob(layer, Trust::nothing);
      ++report.blobs_checked;
    }
    blob_good[layer.digest] = blob_good[layer.digest] || checked->second.empty();
    if (!checked->second.empty()) {
      evict(entry.key);
      report.evicted.push_back({entry.key, entry.stage, checked->second});
    }
  }
  for (const auto& [digest, good] : blob_good) {
    if (!good) {
      remove_blob(digest);
      report.bad_blobs.push_back(digest);
    }
  }
  std::sort(report.bad_entries.begin(), report.bad_entries.end());
  std::sort(report.stray_files.begin(), report.stray_files.end());
  report.bad_packages = PackageStore(packages_dir()).verify();
  std::sort(report.bad_packages.begin(), report.bad_packages.end());
  return report;
}

GcReport Cache::gc(std::uint64_t max_size) {
  GcReport report;
  const auto stale_before = fs::file_time_type::clock::now() - k_stale_temp_age;
  for (const fs::path& directory : {m_root, m_root / "entries", blobs_dir()}) {
    for (const fs::directory_entry& file : list_directory(directory)) {
      std::error_code error;
      if (util::is_temp_name(file.path().filename().string()) && file.is_regular_file(error) &&
          file.last_write_time(error) < stale_before && !error) {
        report.bytes_freed += size_of(file.path());
        remove_file(file.path());
        ++report.removed_temps;
      }
    }
  }
  for (const fs::directory_entry& file : list_directory(m_root / "entries")) {
    std::string key = key_of_entry_file(file);
    if (!key.empty() && !read_entry(file.path(), key)) {
      evict(key);
      report.removed_keys.push_back(key);
    }
  }
  std::vector<CacheEntry> oldest_first = entries();
  std::sort(oldest_first.begin(), oldest_first.end(), [](const CacheEntry& a, const CacheEntry& b) {
    return std::tie(a.created, a.key) < std::tie(b.created, b.key);
  });
  std::map<std::string, std::size_t> references;
  for (const CacheEntry& entry : oldest_first) {
    if (references[entry.layer.digest]++ == 0) {
      report.remaining_size += size_of(blob_path(entry.layer.digest));
    }
  }
  for (const CacheEntry& entry : oldest_first) {
    if (report.remaining_size <= max_size) {
      break;
    }
    evict(entry.key);
    report.removed_keys.push_back(entry.key);
    if (--references[entry.layer.digest] == 0) {
      report.remaining_size -= size_of(blob_path(entry.layer.digest));
    }
  }
  for (const fs::directory_entry& file : list_directory(blobs_dir())) {
    std::optional<util::Digest> digest = util::Digest::from_hex(file.path().filename().string());
    if (digest && references[digest->str()] == 0) {
      report.bytes_freed += size_of(file.path());
      remove_blob(digest->str());
      report.removed_blobs.push_back(digest->str());
    }
  }
  std::sort(report.removed_blobs.begin(), report.removed_blobs.end());
  for (const fs::directory_entry& file : list_directory(transcoded_dir())) {
    std::string name = file.path().filename().string();
    std::optional<util::Digest> digest = util::Digest::from_hex(name.substr(0, name.find('.')));
    if (digest && references[digest->str()] == 0) {
      report.bytes_freed += size_of(file.path());
      remove_file(file.path());
      ++report.removed_transcoded;
    }
  }
  std::set<std::string> kept_keys;
  for (const CacheEntry& entry : entries()) {
    kept_keys.insert(entry.key);
  }
  PackageStore::Pruned pruned = PackageStore(packages_dir()).prune(kept_keys);
  report.removed_packages = pruned.removed;
  report.bytes_freed += pruned.bytes_freed;
  return report;
}

void Cache::evict(const std::string& key) {
  remove_file(entry_path(key));
}

std::uint64_t parse_size(std::string_view text) {
  auto invalid = [&] {
    return Error(
        fmt::format("invalid size '{}': expected a number with an optional K, M, G or T suffix", text));
  };
  std::size_t digits = 0;
  std::uint64_t value = 0;
  constexpr std::uint64_t k_max = std::numeric_limits<std::uint64_t>::max();
  for (; digits < text.size() && text[digits] >= '0' && text[digits] <= '9'; ++digits) {
    auto digit = static_cast<std::uint64_t>(text[digits] - '0');
    if (value > (k_max - digit) / 10) {
      throw Error(fmt::format("size '{}' is too large", text));
    }
    value = value * 10 + digit;
  }
  if (digits == 0) {
    throw invalid();
  }
  std::string suffix;
  for (char c : text.substr(digits)) {
    suffix += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  static const std::map<std::string, int> k_shifts = {
      {"", 0},     {"b", 0},  {"k", 10},  {"kb", 10},  {"kib", 10}, {"m", 20},  {"mb", 20},
      {"mib", 20}, {"g", 30}, {"gb", 30}, {"gib", 30}, {"t", 40},   {"tb", 40}, {"tib", 40}};
  auto shift = k_shifts.find(suffix);
  if (shift == k_shifts.end()) {
    throw invalid();
  }
  if (value > (k_max >> shift->second)) {
    throw Error(fmt::format("size '{}' is too large", text));
  }
  return value << shift->second;
}

} // namespace xstage::cache
