#pragma once

#include <string>
#include <vector>

#include "process/spawn.hpp"
#include "recipe/debian_lock.hpp"
#include "recipe/recipe.hpp"
#include "source/debian_archive.hpp"

namespace xstage::source {

// What `xstage lock` writes for a debian stage: `packages` of `suite` for
// `architecture` and everything they depend on (no Recommends), resolved by
// apt against an empty system as mmdebstrap's extract variant does, each with
// its version, size, SHA-256 and pool file name from the archive's index.
// The index is fetched afresh. Throws xstage::Error with apt's complaint (an
// unknown package, an unsatisfiable dependency).
recipe::DebianLock resolve_packages(DebianArchive& archive, process::CommandRunner& runner,
                                    const std::string& suite, const std::string& architecture,
                                    const std::vector<std::string>& packages);

// What Debian's archive says today of a lock (`xstage lock --check`): the
// stage's packages resolved afresh, and how the lock differs.
struct LockCheck {
  recipe::DebianLock current;       // what `xstage lock` would write now
  std::vector<std::string> newer;   // "libtiff6 4.5.0-6+deb12u1 -> 4.5.0-6+deb12u2 (arm64)"
  std::vector<std::string> gone;    // "libcups2 2.4.2-3+deb12u4 (arm64)": no longer in the suite's index
  std::vector<std::string> added;   // in the resolution, not in the lock
  std::vector<std::string> dropped; // in the lock, no longer in the resolution
};

// Resolves `packages` as resolve_packages() does and compares `locked` with
// it. A locked version the index no longer lists (superseded by a security
// or point release) will leave the mirror, and every fresh machine will then
// fail to build the stage: that is `gone`.
LockCheck check_lock(DebianArchive& archive, process::CommandRunner& runner, const recipe::DebianLock& locked,
                     const std::vector<std::string>& packages);

// The packages `apt-get install --simulate` would install: its "Inst NAME
// (VERSION ... [ARCH])" lines, as name, version and architecture.
std::vector<recipe::LockedPackage> parse_simulated_installs(const std::string& output);

// The stanzas of `apt-cache show`: Package, Version, Architecture, Size,
// SHA256 and Filename of each.
std::vector<recipe::LockedPackage> parse_package_stanzas(const std::string& output);

// A locked .deb as an archive source for source::fetch_archive: found by its
// file name in the downloads cache and --sources directories, else in each
// of `archives` in turn (the pool path is the same in the mirror and the
// security archive; none: nowhere else), and accepted only with its locked
// SHA-256. Errors name the lock's line.
recipe::Source locked_deb_source(const recipe::LockedPackage& package, const recipe::DebianLock& lock,
                                 const std::vector<std::string>& archives);

} // namespace xstage::source
