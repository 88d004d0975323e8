#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "process/spawn.hpp"

namespace xstage::source {

// The Debian archive URI the machine's own apt configuration uses: the first
// `deb` or `deb-src` entry (one-line *.list or deb822 *.sources under
// `etc_apt`) for one of Debian's suites that is not a -security or -updates
// pocket. Users behind their own mirror or proxy are served by it; nothing of
// xstage names a mirror. nullopt when no entry qualifies.
std::optional<std::string> debian_mirror(const std::filesystem::path& etc_apt = "/etc/apt");

// One `deb` or `deb-src` entry of an apt configuration: a URI and a suite.
struct AptEntry {
  std::string uri;
  std::string suite;
};

// The pockets of `suite` the machine's apt configuration lists,
// `<suite>-updates` and `<suite>-security`, each with its URI (the security
// archive is another one): where Debian publishes fixes between point
// releases. Empty when it lists none (sid has no pockets).
std::vector<AptEntry> debian_pockets(const std::string& suite,
                                     const std::filesystem::path& etc_apt = "/etc/apt");

// Every Debian archive URI the machine's apt configuration lists (for a
// Debian suite or a pocket of one), each once, debian_mirror() first: where
// a locked .deb may be, whichever pocket it was resolved from.
std::vector<std::string> debian_archive_uris(const std::filesystem::path& etc_apt = "/etc/apt");

// apt's first line that starts with "E: " (not a NOTICE: line), else the
// start of its output: what to quote when apt fails.
std::string apt_complaint(const std::string& output);

// apt-get with a configuration of xstage's own, one per Debian suite, kept
// under `root` (<cache home>/apt/<suite>): a deb-src line for the suite at the
// machine's mirror, signed by the archive keyring, and its own lists and
// cache. It neither needs nor changes /etc/apt, and a machine whose apt also
// lists a newer suite is not offered that suite's versions.
class DebianArchive {
public:
  // `etc_apt` is where the machine's apt configuration is read for the
  // pockets of a suite (tests pass their own).
  DebianArchive(std::filesystem::path root, std::string mirror, process::CommandRunner& runner,
                std::filesystem::path etc_apt = "/etc/apt");

  // The apt-get command line for `suite` ({"apt-get", "-o", ...}), its index
  // fetched with `apt-get update` the first time (or again when `refresh`).
  // Throws xstage::Error naming the suite and apt's complaint.
  std::vector<std::string> apt_get(const std::string& suite, bool refresh = false);

  // The apt-get and apt-cache command lines ({"apt-get", "-o", ...}) that
  // resolve `suite`'s binary packages of one `architecture`, with the
  // pockets of it the machine lists (debian_pockets), as if nothing
  // were installed (an empty dpkg status, no Recommends, no pinning): what a
  // sysroot of those packages needs. Its index is fetched the first time, or
  // again when `refresh`. Throws xstage::Error naming the suite, the
  // architecture and apt's complaint.
  struct BinaryApt {
    std::vector<std::string> apt_get;
    std::vector<std::string> apt_cache;
  };
  BinaryApt binary_apt(const std::string& suite, const std::string& architecture, bool refresh);

  // The mirror it reads, as the machine's apt configuration names it.
  const std::string& mirror() const { return m_mirror; }

  // `apt-get source PACKAGE` of `suite` in `into` (created; it must be empty
  // or absent): the package's sources, unpacked and patched by dpkg-source.
  // Returns the source tree. Throws xstage::Error naming the package and
  // apt's complaint.
  std::filesystem::path unpack_source(const std::string& suite, const std::string& package,
                                      const std::filesystem::path& into);

private:
  std::vector<std::string> command(const std::filesystem::path& dir) const;
  // Writes `dir`'s sources.list (`line`, under a comment naming `what`) and
  // runs `apt-get update` with `apt`, once per process and directory unless
  // the index is there and not `refresh`; a failure names the `index`.
  void update(const std::filesystem::path& dir, const std::string& line, const std::vector<std::string>& apt,
              bool refresh, const std::string& what, const std::string& index);

  std::filesystem::path m_root;
  std::string m_mirror;
  process::CommandRunner& m_runner;
  std::filesystem::path m_etc_apt;
  std::set<std::filesystem::path> m_updated; // configurations updated by this process
};

} // namespace xstage::source
