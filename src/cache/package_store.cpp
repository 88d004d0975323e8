#include "cache/package_store.hpp"

#include <system_error>

#include <fmt/format.h>

#include "util/atomic_file.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"
#include "util/text_file.hpp"

namespace fs = std::filesystem;

namespace xstage::cache {

namespace {

constexpr std::size_t k_digest_file_limit = 128;

fs::path digest_file_of(const fs::path& deb) {
  fs::path file = deb;
  return file.replace_extension(".sha256");
}

} // namespace

fs::path PackageStore::path_of(const std::string& key, const std::string& spec, const char* extension) const {
  if (!util::is_sha256_hex(key) || !util::is_sha256_hex(spec)) {
    throw Error(fmt::format("invalid package name '{}-{}': expected two SHA-256 hex digests", key, spec));
  }
  return m_dir / (key + "-" + spec + extension);
}

std::string PackageStore::check(const fs::path& deb) {
  std::error_code error;
  if (!fs::is_regular_file(fs::symlink_status(deb, error))) {
    return fmt::format("{} is not a regular file", deb.string());
  }
  fs::path record = digest_file_of(deb);
  if (!fs::is_regular_file(fs::symlink_status(record, error))) {
    return fmt::format("{} has no digest file", deb.string());
  }
  std::string recorded = util::read_text_file(record, record.string(), k_digest_file_limit);
  std::string actual = util::Digest::of_file(deb).hex();
  if (recorded != actual) {
    return fmt::format("{} has sha256 {}, but {} was recorded", deb.string(), actual, recorded);
  }
  return "";
}

void PackageStore::remove_pair(const fs::path& deb) {
  std::error_code error;
  fs::remove(deb, error);
  fs::remove(digest_file_of(deb), error);
}

std::optional<fs::path> PackageStore::find(const std::string& key, const std::string& spec) const {
  fs::path deb = path_of(key, spec, ".deb");
  std::error_code error;
  if (!fs::exists(fs::symlink_status(deb, error))) {
    return std::nullopt;
  }
  if (!check(deb).empty()) {
    remove_pair(deb);
    return std::nullopt;
  }
  return deb;
}

fs::path PackageStore::store(const std::string& key, const std::string& spec, const fs::path& deb) const {
  fs::path target = path_of(key, spec, ".deb");
  fs::create_directories(m_dir);
  std::string digest = util::Digest::of_file(deb).hex();
  // A stale digest file must not vouch for the new package for a moment.
  std::error_code error;
  fs::remove(digest_file_of(target), error);
  util::move_file_atomically(deb, target);
  util::AtomicFile record(digest_file_of(target));
  record.write(digest);
  record.commit();
  return target;
}

PackageStore::Pruned PackageStore::prune(const std::set<std::string>& keys) const {
  Pruned pruned;
  std::error_code error;
  for (fs::directory_iterator it(m_dir, error), end; !error && it != end; it.increment(error)) {
    std::string name = it->path().filename().string();
    bool known = name.size() > 64 && name[64] == '-' && keys.count(name.substr(0, 64)) > 0;
    if (known) {
      continue;
    }
    std::error_code size_error;
    std::uintmax_t size = fs::file_size(it->path(), size_error);
    std::error_code remove_error;
    if (fs::remove(it->path(), remove_error)) {
      ++pruned.removed;
      pruned.bytes_freed += size_error ? 0 : size;
    }
  }
  return pruned;
}

std::vector<std::string> PackageStore::verify() const {
  std::vector<std::string> problems;
  std::error_code error;
  for (fs::directory_iterator it(m_dir, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() != ".deb" || util::is_temp_name(it->path().filename().string())) {
      continue;
    }
    if (std::string problem = check(it->path()); !problem.empty()) {
      remove_pair(it->path());
      problems.push_back(problem);
    }
  }
  return problems;
}

} // namespace xstage::cache
