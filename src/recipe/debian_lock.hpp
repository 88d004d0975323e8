#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xstage::recipe {

struct Recipe;

// One .deb of a lock: what `xstage lock` resolved, and where in the archive
// it lies (`filename`, relative to the mirror's root, as in Packages files).
struct LockedPackage {
  std::string name;
  std::string version; // with its epoch, as apt spells it: 1:1.2.13.dfsg-1
  std::string architecture;
  long long size = 0;
  std::string sha256;
  std::string filename; // pool/main/z/zlib/zlib1g_1.2.13.dfsg-1_arm64.deb
  int line = 0;         // in the lock file, for messages
};

// recipes/<pipeline>/<stage>.lock: the exact Debian packages of a `debian`
// stage. Line-oriented text, one record per line, so a re-lock reviews as a
// diff of the packages that changed:
//
//   suite bookworm
//   architecture arm64
//   request qt6-base-dev             (one per package the recipe asks for)
//   package NAME VERSION ARCH SIZE SHA256 FILENAME   (sorted by name)
//
// `#` starts a comment line.
struct DebianLock {
  std::string display_path; // recipes/demo/base.lock
  std::string suite;
  std::string architecture;
  std::vector<std::string> request;    // sorted
  std::vector<LockedPackage> packages; // sorted by name, then architecture
};

// Parses a lock. Throws xstage::Error "FILE:LINE: ..." for an unknown record,
// a wrong field count, a bad digest, size or file name, a duplicate package,
// or a lock without suite, architecture or packages.
DebianLock parse_debian_lock(std::string_view text, const std::string& display_path);

// The text parse_debian_lock reads back, packages sorted; `stage` names the
// stage in the header comment.
std::string format_debian_lock(const DebianLock& lock, const std::string& stage);

// Sorts packages as a lock lists them: by name, then architecture.
void sort_packages(std::vector<LockedPackage>& packages);

// Why `lock` no longer answers what `recipe` asks for (other packages, suite
// or architecture), phrased for an error; nullopt when it does.
std::optional<std::string> stale_lock_reason(const DebianLock& lock, const Recipe& recipe);

// Whether `name` can be a Debian package name (policy 5.6.1: lower case
// letters, digits, + - . and at least two characters starting alphanumeric).
bool is_debian_package_name(std::string_view name);

// Whether `version` can be a Debian version (policy 5.6.12:
// [epoch:]upstream[-revision], of alphanumerics and . + ~ - :, from a digit).
bool is_debian_version(std::string_view version);

} // namespace xstage::recipe
