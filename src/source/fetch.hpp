#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "process/spawn.hpp"
#include "recipe/recipe.hpp"
#include "source/download.hpp"

namespace xstage::source {

// Where fetch_archive and checkout_git may look for a source, and whom to tell.
struct FetchOptions {
  // The cache of verified files, <downloads>/<sha256>/<file name>, plus bare
  // git repositories under <downloads>/git/. Created when missing.
  std::filesystem::path downloads;
  // Local directories holding archives by their URL's base name.
  std::vector<std::filesystem::path> mirror_dirs;
  // Try the recipe's debian_source with `apt-get source --download-only`.
  bool use_debian = true;
  // The apt-get command line that reads a Debian suite's sources (a private
  // configuration, see DebianArchive), freshly updated when `refresh`. Empty:
  // the machine's own `apt-get`, whatever suites it lists.
  std::function<std::vector<std::string>(const std::string& suite, bool refresh)> debian_apt;
  // The machine's Debian archives (source::debian_archive_uris: the mirror,
  // then the security archive), where the .debs of a stage's lock are
  // fetched from, in order; empty: nowhere but the caches.
  std::vector<std::string> debian_archives;
  // The suite of a debian_source that names none.
  std::string default_debian_suite = "bookworm";
  // Try the URL, then the mirror URLs, with libcurl; and git remotes.
  bool use_network = true;
  // Told what is being fetched and how far along it is; may be empty.
  ProgressCallback progress;
};

// Returns the path of a file under `options.downloads` whose SHA-256 equals
// the archive source's pin, named after the URL's base name. Tries, in order:
// the downloads cache (an entry with another digest is removed), each mirror
// directory, the Debian source package (accepted only if apt offers and
// delivers a file with exactly the pinned digest, whatever Debian calls it),
// then the URL and the mirror URLs. Every candidate goes to a temporary file in
// `options.downloads` ("<name>.tmp.XXXXXX") and is moved into place with
// util::move_file_atomically only after its digest matched.
// A candidate with another digest throws "checksum mismatch for NAME from
// WHERE: expected PIN, got ACTUAL" and leaves nothing behind. When no place
// has the file, the error lists each place and why, one line each. apt-get
// runs through `runner`.
std::filesystem::path fetch_archive(const recipe::Source& source, const FetchOptions& options,
                                    process::CommandRunner& runner);

// Fetches a git source's pinned commit into the bare cache under
// <downloads>/git/<sha256 of the URL> unless it is there: from a repository
// in a mirror directory that holds it, else from the URL. Returns the cache.
// Throws listing every place tried.
std::filesystem::path fetch_git(const recipe::Source& source, const FetchOptions& options,
                                process::CommandRunner& runner);

// Checks out a git source's pinned commit into `destination` (which must not
// exist or be empty) from the cache fetch_git fills, and verifies that the
// destination's HEAD equals it. git runs through `runner`; a failing git
// command throws naming the command and its output.
void checkout_git(const recipe::Source& source, const FetchOptions& options,
                  const std::filesystem::path& destination, process::CommandRunner& runner);

// The regular file `path` of a git source's tree at its pinned commit,
// read from the cache fetch_git fills, without a checkout. A path that is
// missing, a symlink, a directory or a submodule, or a file over 4 MiB,
// throws xstage::Error naming the path, the repository and the commit.
std::string read_git_file(const recipe::Source& source, const FetchOptions& options, const std::string& path,
                          process::CommandRunner& runner);

// The committer time of a git source's pinned commit, in seconds since the
// epoch: a reproducible date for what is made from it.
std::int64_t git_commit_time(const recipe::Source& source, const FetchOptions& options,
                             process::CommandRunner& runner);

} // namespace xstage::source
