#include "source/fetch.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <sstream>
#include <system_error>

#include <fmt/format.h>

#include "recipe/debian_lock.hpp"
#include "util/atomic_file.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"
#include "util/scratch.hpp"

namespace fs = std::filesystem;

namespace xstage::source {

namespace {

// The last path component of a URL, without query or fragment.
std::string url_file_name(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  std::string name(url.substr(url.rfind('/') + 1));
  return name.empty() || name == "." || name == ".." ? std::string("download") : name;
}

// What an archive source's file is called in the downloads cache and in
// mirror directories: its `file`, else its URL's base name, else (a file only
// Debian ships) the source package's name.
std::string archive_file_name(const recipe::Source& source) {
  if (!source.file.empty()) {
    return url_file_name(source.file);
  }
  return source.url.empty() ? source.debian_source + ".orig.tar" : url_file_name(source.url);
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string text;
  for (const std::string& part : parts) {
    text += (text.empty() ? "" : std::string(separator)) + part;
  }
  return text;
}

// The line of a command's output that says why it failed: apt's "E: ..." or
// git's "fatal: ..." if there is one, else the last non-empty line.
std::string failure_line(const std::string& output) {
  std::istringstream lines(output);
  std::string line;
  std::string last;
  std::string marked;
  while (std::getline(lines, line)) {
    if (line.rfind("E: ", 0) == 0 || line.rfind("fatal: ", 0) == 0 || line.rfind("error: ", 0) == 0) {
      marked = marked.empty() ? line : marked;
    }
    if (line.find_first_not_of(" \t\r") != std::string::npos) {
      last = line;
    }
  }
  return !marked.empty() ? marked : !last.empty() ? last : std::string("no output");
}

std::string command_failure(const process::Invocation& invocation, const process::CommandResult& result) {
  return fmt::format("`{}` exited with {}: {}", process::quote_command(invocation.argv), result.exit_code,
                     failure_line(result.output));
}

// One fetch_archive call: the places, in order, and what each said.
class Fetcher {
public:
  Fetcher(const recipe::Source& source, const FetchOptions& options, process::CommandRunner& runner)
      : m_source(source), m_options(options), m_runner(runner), m_name(archive_file_name(source)),
        m_target(options.downloads / source.sha256 / m_name) {
    if (!source.file.empty()) {
      m_names.push_back(source.file);
    }
    if (!source.url.empty()) {
      m_urls.push_back(source.url);
    }
    m_urls.insert(m_urls.end(), source.mirrors.begin(), source.mirrors.end());
    for (const std::string& url : m_urls) {
      std::string name = url_file_name(url);
      if (std::find(m_names.begin(), m_names.end(), name) == m_names.end()) {
        m_names.push_back(name);
      }
    }
  }

  fs::path fetch() {
    fs::create_directories(m_options.downloads);
    if (auto found = from_cache()) {
      return *found;
    }
    for (const fs::path& directory : m_options.mirror_dirs) {
      if (auto found = from_mirror_dir(directory)) {
        return *found;
      }
    }
    if (!m_source.debian_source.empty()) {
      if (!m_options.use_debian) {
        failed("debian source package " + m_source.debian_source, "not tried (debian sources are off)");
      } else if (auto found = from_debian()) {
        return *found;
      }
    }
    for (const std::string& url : m_urls) {
      if (!m_options.use_network) {
        failed(url, "not tried (the network is off)");
      } else if (auto found = from_url(url)) {
        return *found;
      }
    }
    std::string origin = m_source.location.file.empty()
                             ? ""
                             : fmt::format(" of {}:{}", m_source.location.file, m_source.location.line);
    throw Error(fmt::format("cannot fetch {} (sha256 {}) for source '{}'{}; tried:\n  {}", m_name,
                            m_source.sha256, m_source.name, origin, join(m_tried, "\n  ")));
  }

private:
  std::optional<fs::path> from_cache() {
    std::string place = "downloads cache " + m_target.string();
    if (!fs::is_regular_file(m_target)) {
      failed(place, "not there");
      return std::nullopt;
    }
    std::string actual = util::Digest::of_file(m_target).hex();
    if (actual == m_source.sha256) {
      return m_target;
    }
    // A corrupt entry is evicted and fetched again, never used.
    fs::remove(m_target);
    failed(place, fmt::format("had sha256 {}; removed", actual));
    return std::nullopt;
  }

  std::optional<fs::path> from_mirror_dir(const fs::path& directory) {
    for (const std::string& name : m_names) {
      fs::path file = directory / name;
      if (fs::is_regular_file(file)) {
        report(file.string());
        util::Scratch temp(m_options.downloads / m_name, util::Scratch::Kind::file);
        std::error_code error;
        fs::copy_file(file, temp.path(), fs::copy_options::overwrite_existing, error);
        if (error) {
          failed(file.string(), "cannot copy: " + error.message());
          return std::nullopt;
        }
        return keep(temp, file.string());
      }
    }
    failed("mirror directory " + directory.string(), "no " + join(m_names, " or "));
    return std::nullopt;
  }

  // apt is asked first which files it would fetch and their SHA-256, so that a
  // package of another version is not downloaded for nothing.
  std::optional<fs::path> from_debian() {
    const std::string& package = m_source.debian_source;
    std::string place = "debian source package " + package;
    // Debian policy's package names; anything else could pass apt an option or a path.
    if (!recipe::is_debian_package_name(package)) {
      failed(place, "not a debian package name");
      return std::nullopt;
    }
    std::string suite =
        m_source.debian_suite.empty() ? m_options.default_debian_suite : m_source.debian_suite;
    if (m_options.debian_apt) {
      place += " (" + suite + ")";
    }
    report(place);
    std::vector<std::string> apt = {"apt-get"};
    std::string match;
    std::vector<std::string> offered;
    // A stale index may not offer the pin yet: ask once more after an update.
    for (bool refresh : {false, true}) {
      if (m_options.debian_apt) {
        try {
          apt = m_options.debian_apt(suite, refresh);
        } catch (const Error& error) {
          failed(place, error.what());
          return std::nullopt;
        }
      }
      std::vector<std::string> argv = apt;
      argv.insert(argv.end(), {"source", "--print-uris", package});
      process::Invocation listing{argv, {}, {}, {}};
      process::CommandResult listed = m_runner.run(listing);
      if (listed.exit_code != 0) {
        failed(place, command_failure(listing, listed));
        return std::nullopt;
      }
      offered.clear();
      match = find_pinned(listed.output, offered);
      if (!match.empty() || !m_options.debian_apt) {
        break;
      }
    }
    if (match.empty()) {
      failed(place, fmt::format("checksum mismatch: no file with sha256 {} (apt offers {})", m_source.sha256,
                                offered.empty() ? std::string("no upstream tarball") : join(offered, ", ")));
      return std::nullopt;
    }
    util::Scratch scratch(m_options.downloads / ("debian-" + package), util::Scratch::Kind::directory);
    std::vector<std::string> download = apt;
    download.insert(download.end(), {"source", "--download-only", package});
    process::Invocation fetching{download, scratch.path(), {}, {}};
    process::CommandResult fetched = m_runner.run(fetching);
    if (fetched.exit_code != 0) {
      failed(place, command_failure(fetching, fetched));
      return std::nullopt;
    }
    if (!fs::is_regular_file(scratch.path() / match)) {
      failed(place, fmt::format("apt-get did not deliver {}", match));
      return std::nullopt;
    }
    return keep(scratch.path() / match, fmt::format("{} ({})", place, match));
  }

  // The file of `apt-get source --print-uris` output ('URI' NAME SIZE
  // SHA256:DIGEST lines) with the pinned digest, or ""; the upstream
  // tarballs offered go to `offered`.
  std::string find_pinned(const std::string& output, std::vector<std::string>& offered) const {
    std::string match;
    std::istringstream lines(output);
    std::string line;
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string uri, name, size, digest;
      if (line.rfind('\'', 0) == 0 && fields >> uri >> name >> size >> digest) {
        if (digest == "SHA256:" + m_source.sha256) {
          match = name;
        }
        if (name.find(".orig") != std::string::npos && name.find(".asc") == std::string::npos) {
          offered.push_back(
              fmt::format("{} with sha256 {}", name, digest.substr(std::string("SHA256:").size())));
        }
      }
    }
    return match;
  }

  std::optional<fs::path> from_url(const std::string& url) {
    util::Scratch temp(m_options.downloads / m_name, util::Scratch::Kind::file);
    report(url);
    if (auto failure = download(url, temp.path(), m_options.progress)) {
      failed(url, *failure);
      return std::nullopt;
    }
    return keep(temp, url);
  }

  // Moves a candidate into the cache if its digest is the pin; otherwise
  // removes it and throws.
  fs::path keep(const fs::path& candidate, const std::string& where) {
    std::string actual = util::Digest::of_file(candidate).hex();
    if (actual != m_source.sha256) {
      fs::remove(candidate);
      throw Error(fmt::format("checksum mismatch for {} from {}: expected {}, got {}", m_name, where,
                              m_source.sha256, actual));
    }
    // mkstemp made it private; the cache may be shared, and the file is public anyway.
    fs::permissions(candidate, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                   fs::perms::others_read);
    fs::create_directories(m_target.parent_path());
    util::move_file_atomically(candidate, m_target);
    return m_target;
  }

  fs::path keep(util::Scratch& temp, const std::string& where) {
    fs::path kept = keep(temp.path(), where);
    temp.release();
    return kept;
  }

  void report(const std::string& what) {
    if (m_options.progress) {
      m_options.progress(what, 0, 0);
    }
  }

  void failed(const std::string& place, const std::string& why) { m_tried.push_back(place + ": " + why); }

  const recipe::Source& m_source;
  const FetchOptions& m_options;
  process::CommandRunner& m_runner;
  std::string m_name; // the cached file's name: the URL's base name
  fs::path m_target;  // <downloads>/<sha256>/<name>
  std::vector<std::string> m_urls;
  std::vector<std::string> m_names; // base names of all URLs, for mirror directories
  std::vector<std::string> m_tried;
};

// Runs git; a failure throws naming the command and git's own complaint.
std::string run_git(process::CommandRunner& runner, std::vector<std::string> argv) {
  // Without a terminal prompt, a remote that wants credentials fails instead of hanging.
  process::Invocation invocation{std::move(argv), {}, {{"GIT_TERMINAL_PROMPT", "0"}}, {}};
  process::CommandResult result = runner.run(invocation);
  if (result.exit_code != 0) {
    throw Error(command_failure(invocation, result));
  }
  return result.output;
}

bool has_commit(process::CommandRunner& runner, const fs::path& repository, const std::string& commit) {
  process::Invocation probe{
      {"git", "-C", repository.string(), "cat-file", "-e", commit + "^{commit}"}, {}, {}, {}};
  return runner.run(probe).exit_code == 0;
}

// The git repositories a mirror directory offers: the directory itself, or
// its children, each a bare repository (HEAD and objects/) or a clone (.git).
std::vector<fs::path> git_repositories_in(const fs::path& directory) {
  auto is_repository = [](const fs::path& dir) {
    std::error_code error;
    return (fs::is_regular_file(dir / "HEAD", error) && fs::is_directory(dir / "objects", error)) ||
           fs::exists(dir / ".git", error);
  };
  std::vector<fs::path> found;
  std::error_code error;
  if (is_repository(directory)) {
    found.push_back(directory);
    return found;
  }
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
    if (it->is_directory(error) && is_repository(it->path())) {
      found.push_back(it->path());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

bool is_full_commit(std::string_view commit) {
  return commit.size() == 40 && commit.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

} // namespace

fs::path fetch_archive(const recipe::Source& source, const FetchOptions& options,
                       process::CommandRunner& runner) {
  if (source.kind != recipe::SourceKind::archive) {
    throw Error(fmt::format("source '{}' is not an archive (url and sha256)", source.name));
  }
  if (!util::is_sha256_hex(source.sha256)) {
    throw Error(fmt::format("source '{}' has no valid sha256 pin: '{}'", source.name, source.sha256));
  }
  return Fetcher(source, options, runner).fetch();
}

fs::path fetch_git(const recipe::Source& source, const FetchOptions& options,
                   process::CommandRunner& runner) {
  if (source.kind != recipe::SourceKind::git) {
    throw Error(fmt::format("source '{}' is not a git source (git and commit)", source.name));
  }
  if (!is_full_commit(source.commit)) {
    throw Error(fmt::format("source '{}': '{}' is not a full 40-hex commit id", source.name, source.commit));
  }
  const std::string& commit = source.commit;
  fs::path cache = options.downloads / "git" / (util::Digest::of(source.git).hex() + ".git");
  if (!fs::exists(cache / "HEAD")) {
    fs::create_directories(cache.parent_path());
    run_git(runner, {"git", "init", "--quiet", "--bare", cache.string()});
  }
  // Mirror directories first: a local repository that holds the commit is as
  // good as the remote, since the commit id pins the whole tree.
  std::vector<std::string> tried = {"git cache " + cache.string() + ": no such commit"};
  for (const fs::path& directory : options.mirror_dirs) {
    if (has_commit(runner, cache, commit)) {
      break;
    }
    std::vector<fs::path> repositories = git_repositories_in(directory);
    if (repositories.empty()) {
      tried.push_back("mirror directory " + directory.string() + ": no git repository");
    }
    for (const fs::path& repository : repositories) {
      if (!has_commit(runner, repository, commit)) {
        tried.push_back("mirror repository " + repository.string() + ": no such commit");
        continue;
      }
      if (options.progress) {
        options.progress("git fetch " + repository.string(), 0, 0);
      }
      // Only the pinned tree: a mirror may lack objects of older history
      // (a partial copy), and a build needs none of it.
      run_git(runner, {"git", "-C", cache.string(), "fetch", "--quiet", "--depth=1", "--no-tags", "--",
                       fs::absolute(repository).string(), commit});
      break;
    }
  }
  if (!has_commit(runner, cache, commit)) {
    if (!options.use_network) {
      throw Error(fmt::format("commit {} of {} is not in the git cache or a mirror, and the network is "
                              "off; tried:\n  {}",
                              commit, source.git, join(tried, "\n  ")));
    }
    if (options.progress) {
      options.progress("git fetch " + source.git, 0, 0);
    }
    // Most servers hand out a commit by id; for the others, fetch every branch and tag.
    process::Invocation by_id{
        {"git", "-C", cache.string(), "fetch", "--quiet", "--no-tags", "--", source.git, commit},
        {},
        {{"GIT_TERMINAL_PROMPT", "0"}},
        {}};
    std::string failure = "no such commit (fetched by id and with all branches and tags)";
    if (runner.run(by_id).exit_code != 0 || !has_commit(runner, cache, commit)) {
      try {
        run_git(runner, {"git", "-C", cache.string(), "fetch", "--quiet", "--", source.git,
                         "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"});
      } catch (const Error& error) {
        failure = error.what();
      }
    }
    if (!has_commit(runner, cache, commit)) {
      tried.push_back(source.git + ": " + failure);
      throw Error(fmt::format("commit {} of {} for source '{}' was found nowhere; tried:\n  {}", commit,
                              source.git, source.name, join(tried, "\n  ")));
    }
  }
  // A ref keeps the commit from garbage collection and lets the checkout ask for it.
  run_git(runner, {"git", "-C", cache.string(), "update-ref", "refs/xstage/" + commit, commit});
  return cache;
}

void checkout_git(const recipe::Source& source, const FetchOptions& options, const fs::path& destination,
                  process::CommandRunner& runner) {
  if (fs::exists(destination) && !fs::is_empty(destination)) {
    throw Error(fmt::format("cannot check out {} into {}: the directory is not empty", source.git,
                            destination.string()));
  }
  fs::path cache = fetch_git(source, options, runner);
  const std::string& commit = source.commit;
  std::string ref = "refs/xstage/" + commit;
  fs::create_directories(destination);
  run_git(runner, {"git", "init", "--quiet", destination.string()});
  run_git(runner, {"git", "-C", destination.string(), "fetch", "--quiet", "--depth=1", "--no-tags",
                   cache.string(), ref});
  run_git(runner, {"git", "-C", destination.string(), "checkout", "--quiet", "--detach", commit});
  std::string head = run_git(runner, {"git", "-C", destination.string(), "rev-parse", "HEAD"});
  head = head.substr(0, head.find('\n'));
  if (head != commit) {
    throw Error(fmt::format("checked out {} into {}, but HEAD is {}", commit, destination.string(), head));
  }
}

// As util::read_text_file's limit for recipe input files.
constexpr unsigned long long k_max_git_file = 4 << 20;

std::string read_git_file(const recipe::Source& source, const FetchOptions& options, const std::string& path,
                          process::CommandRunner& runner) {
  fs::path cache = fetch_git(source, options, runner);
  std::string git_dir = cache.string();
  // "100644 blob SHA<tab>PATH": a regular file (100644 or 100755), not a
  // symlink (120000), a directory or a submodule.
  std::string entry = run_git(runner, {"git", "-C", git_dir, "ls-tree", source.commit, "--", path});
  std::istringstream words(entry);
  std::string mode;
  std::string type;
  std::string object;
  words >> mode >> type >> object;
  if (mode.rfind("100", 0) != 0 || type != "blob") {
    throw Error(fmt::format("{} at {} has no regular file '{}'{}", source.git, source.commit, path,
                            entry.empty() ? "" : " (it is " + entry.substr(0, entry.find('\t')) + ")"));
  }
  std::string size = run_git(runner, {"git", "-C", git_dir, "cat-file", "-s", object});
  if (std::stoull(size) > k_max_git_file) {
    throw Error(fmt::format("'{}' of {} at {} is larger than {} MiB", path, source.git, source.commit,
                            k_max_git_file >> 20));
  }
  return run_git(runner, {"git", "-C", git_dir, "cat-file", "blob", object});
}

std::int64_t git_commit_time(const recipe::Source& source, const FetchOptions& options,
                             process::CommandRunner& runner) {
  fs::path cache = fetch_git(source, options, runner);
  std::string time =
      run_git(runner, {"git", "-C", cache.string(), "show", "-s", "--format=%ct", source.commit});
  return std::stoll(time);
}

} // namespace xstage::source
