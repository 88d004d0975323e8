#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace xstage::cache {

// Debian packages of cached stages, kept so that `xstage package` writes each
// package once: its bytes depend only on the stage key (the layer, the
// sources its files come from, the locked packages whose shlibs make its
// Depends) and on the [package] section, whose digest is `spec`.
//
//   <dir>/<key>-<spec>.deb      the package
//   <dir>/<key>-<spec>.sha256   its digest, written after it
//
// A package is hashed on every use and, when it no longer matches its
// digest, removed and written again. Both files go through util::AtomicFile.
class PackageStore {
public:
  explicit PackageStore(std::filesystem::path dir) : m_dir(std::move(dir)) {}

  // The stored package for `key` and `spec`, when it is there and matches
  // its digest; a package that does not is removed.
  std::optional<std::filesystem::path> find(const std::string& key, const std::string& spec) const;

  // Moves `deb` (from any filesystem) in as the package of `key` and
  // `spec`, then records its digest; returns where it now is.
  std::filesystem::path store(const std::string& key, const std::string& spec,
                              const std::filesystem::path& deb) const;

  struct Pruned {
    std::size_t removed = 0;
    std::uint64_t bytes_freed = 0;
  };
  // Removes the packages (and stray temporaries) of keys not in `keys`: a
  // package outlives no entry.
  Pruned prune(const std::set<std::string>& keys) const;

  // Hashes every package against its digest; each one that does not match,
  // or has no digest, is removed and named in the result.
  std::vector<std::string> verify() const;

private:
  std::filesystem::path path_of(const std::string& key, const std::string& spec, const char* extension) const;
  // Why the package at `deb` is not the one its digest file records, or "".
  static std::string check(const std::filesystem::path& deb);
  static void remove_pair(const std::filesystem::path& deb);

  std::filesystem::path m_dir;
};

} // namespace xstage::cache
