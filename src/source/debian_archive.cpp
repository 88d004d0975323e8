#include "source/debian_archive.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "util/atomic_file.hpp"
#include "util/error.hpp"
#include "util/text_file.hpp"

namespace fs = std::filesystem;

namespace xstage::source {

namespace {

// Debian's suite names, by codename and by alias; a suite of another
// distribution (a vendor's repository) never qualifies.
bool is_debian_suite(const std::string& suite) {
  static const std::vector<std::string> k_suites = {"buster",    "bullseye", "bookworm", "trixie",
                                                    "forky",     "duke",     "sid",      "oldoldstable",
                                                    "oldstable", "stable",   "testing",  "unstable"};
  return std::find(k_suites.begin(), k_suites.end(), suite) != k_suites.end();
}

// One-line format: "deb [options] URI SUITE COMPONENT...".
void from_list(std::istream& in, std::vector<AptEntry>& entries) {
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find('#'));
    std::vector<std::string> words = util::words_of(line);
    if (words.empty() || (words[0] != "deb" && words[0] != "deb-src")) {
      continue;
    }
    std::size_t at = 1;
    if (at < words.size() && words[at].front() == '[') {
      while (at < words.size() && words[at].back() != ']') {
        ++at;
      }
      ++at;
    }
    if (at + 1 < words.size()) {
      entries.push_back({words[at], words[at + 1]});
    }
  }
}

// deb822 format: stanzas of "Field: value" separated by blank lines.
void from_sources(std::istream& in, std::vector<AptEntry>& entries) {
  std::string uris;
  std::string suites;
  bool enabled = true;
  auto finish_stanza = [&] {
    std::vector<std::string> uri_list = util::words_of(uris);
    if (enabled && !uri_list.empty()) {
      for (const std::string& suite : util::words_of(suites)) {
        entries.push_back({uri_list.front(), suite});
      }
    }
    uris.clear();
    suites.clear();
    enabled = true;
  };
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      finish_stanza();
      continue;
    }
    if (line[0] == '#') {
      continue;
    }
    auto colon = line.find(':');
    std::string field = line.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    if (field == "URIs") {
      uris = value;
    } else if (field == "Suites") {
      suites = value;
    } else if (field == "Enabled") {
      enabled = util::words_of(value) != std::vector<std::string>{"no"};
    }
  }
  finish_stanza();
}

// Every entry of the machine's apt configuration, in apt's order.
std::vector<AptEntry> apt_entries(const fs::path& etc_apt) {
  std::vector<fs::path> files;
  if (fs::is_regular_file(etc_apt / "sources.list")) {
    files.push_back(etc_apt / "sources.list");
  }
  std::vector<fs::path> parts;
  std::error_code error;
  for (fs::directory_iterator it(etc_apt / "sources.list.d", error), end; !error && it != end;
       it.increment(error)) {
    parts.push_back(it->path());
  }
  std::sort(parts.begin(), parts.end());
  files.insert(files.end(), parts.begin(), parts.end());
  std::vector<AptEntry> entries;
  for (const fs::path& file : files) {
    std::ifstream in(file);
    if (file.extension() == ".list") {
      from_list(in, entries);
    } else if (file.extension() == ".sources") {
      from_sources(in, entries);
    }
  }
  return entries;
}

} // namespace

std::string apt_complaint(const std::string& output) {
  auto error_line = output.rfind("E: ", 0) == 0 ? 0 : output.find("\nE: ");
  if (error_line == std::string::npos) {
    return output.substr(0, 300);
  }
  if (output[error_line] == '\n') {
    ++error_line;
  }
  return output.substr(error_line, output.find('\n', error_line) - error_line);
}

std::optional<std::string> debian_mirror(const fs::path& etc_apt) {
  for (const AptEntry& entry : apt_entries(etc_apt)) {
    if (is_debian_suite(entry.suite)) {
      return entry.uri;
    }
  }
  return std::nullopt;
}

std::vector<std::string> debian_archive_uris(const fs::path& etc_apt) {
  std::vector<std::string> uris;
  if (auto mirror = debian_mirror(etc_apt)) {
    uris.push_back(*mirror);
  }
  for (const AptEntry& entry : apt_entries(etc_apt)) {
    auto dash = entry.suite.rfind('-');
    std::string pocket = dash == std::string::npos ? "" : entry.suite.substr(dash);
    bool debian = is_debian_suite(entry.suite) || ((pocket == "-updates" || pocket == "-security") &&
                                                   is_debian_suite(entry.suite.substr(0, dash)));
    if (debian && std::find(uris.begin(), uris.end(), entry.uri) == uris.end()) {
      uris.push_back(entry.uri);
    }
  }
  return uris;
}

std::vector<AptEntry> debian_pockets(const std::string& suite, const fs::path& etc_apt) {
  std::vector<AptEntry> pockets;
  for (const AptEntry& entry : apt_entries(etc_apt)) {
    bool pocket = entry.suite == suite + "-updates" || entry.suite == suite + "-security";
    bool seen = std::any_of(pockets.begin(), pockets.end(),
                            [&](const AptEntry& earlier) { return earlier.suite == entry.suite; });
    if (pocket && !seen) {
      pockets.push_back(entry);
    }
  }
  return pockets;
}

DebianArchive::DebianArchive(fs::path root, std::string mirror, process::CommandRunner& runner,
                             fs::path etc_apt)
    : m_root(std::move(root)), m_mirror(std::move(mirror)), m_runner(runner), m_etc_apt(std::move(etc_apt)) {}

std::vector<std::string> DebianArchive::command(const fs::path& dir) const {
  return {"apt-get",
          "-o",
          "Dir::Etc::sourcelist=" + (dir / "sources.list").string(),
          "-o",
          "Dir::Etc::sourceparts=-",
          "-o",
          "Dir::State::Lists=" + (dir / "lists").string(),
          "-o",
          "Dir::Cache=" + (dir / "cache").string(),
          "-o",
          "APT::Get::List-Cleanup=0"};
}

namespace {

// Suite and architecture names end up in paths and apt options.
void check_word(const std::string& word, const char* what) {
  if (word.empty() || word.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
    throw Error(fmt::format("'{}' is not a Debian {} name", word, what));
  }
}

} // namespace

void DebianArchive::update(const fs::path& dir, const std::string& line, const std::vector<std::string>& apt,
                           bool refresh, const std::string& what, const std::string& index) {
  bool indexed = fs::exists(dir / "lists") && !fs::is_empty(dir / "lists");
  if ((indexed && !refresh) || m_updated.count(dir) != 0) {
    return; // there, or already fresh from this run
  }
  fs::create_directories(dir / "lists" / "partial");
  fs::create_directories(dir / "cache" / "archives" / "partial");
  util::write_file_atomically(
      dir / "sources.list",
      fmt::format("# Written by xstage: {} at the machine's own mirror.\n{}\n", what, line));
  std::vector<std::string> argv = apt;
  argv.push_back("update");
  process::CommandResult result = m_runner.run(process::Invocation{argv, {}, {}, {}});
  if (result.exit_code != 0) {
    throw Error(fmt::format("cannot read {} from {}: {}", index, m_mirror, apt_complaint(result.output)));
  }
  m_updated.insert(dir);
}

std::vector<std::string> DebianArchive::apt_get(const std::string& suite, bool refresh) {
  check_word(suite, "suite");
  fs::path dir = m_root / suite;
  std::vector<std::string> apt = command(dir);
  // Only the index of sources; no binary package lists for this config.
  apt.insert(apt.end(), {"-o", "Acquire::IndexTargets::deb::Packages::DefaultEnabled=false"});
  update(dir,
         fmt::format("deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] {} {} main",
                     m_mirror, suite),
         apt, refresh, fmt::format("Debian {} sources", suite),
         fmt::format("Debian {}'s source index", suite));
  return apt;
}

DebianArchive::BinaryApt DebianArchive::binary_apt(const std::string& suite, const std::string& architecture,
                                                   bool refresh) {
  check_word(suite, "suite");
  check_word(architecture, "architecture");
  fs::path dir = m_root / (suite + "-" + architecture);
  fs::create_directories(dir / "preferences.d");
  util::write_file_atomically(dir / "status", "");
  std::vector<std::string> apt = command(dir);
  apt.insert(apt.end(), {"-o", "Dir::State::status=" + (dir / "status").string(), "-o",
                         "APT::Architecture=" + architecture, "-o", "APT::Architectures=" + architecture,
                         "-o", "Dir::Etc::preferences=" + (dir / "preferences").string(), "-o",
                         "Dir::Etc::preferencesparts=" + (dir / "preferences.d").string(), "-o",
                         "APT::Install-Recommends=false", "-o", "Debug::NoLocking=1"});
  // The suite and the pockets of it the machine's apt lists (updates,
  // security), as mmdebstrap adds them for a stable suite.
  std::string lines;
  auto add_line = [&](const std::string& uri, const std::string& pocket) {
    lines +=
        fmt::format("deb [arch={} signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] {} {} main\n",
                    architecture, uri, pocket);
  };
  add_line(m_mirror, suite);
  for (const AptEntry& pocket : debian_pockets(suite, m_etc_apt)) {
    check_word(pocket.suite, "suite");
    add_line(pocket.uri, pocket.suite);
  }
  lines.pop_back();
  update(dir, lines, apt, refresh, fmt::format("Debian {} {} packages", suite, architecture),
         fmt::format("Debian {}'s {} package index", suite, architecture));
  BinaryApt commands{apt, apt};
  commands.apt_cache[0] = "apt-cache";
  return commands;
}

fs::path DebianArchive::unpack_source(const std::string& suite, const std::string& package,
                                      const fs::path& into) {
  if (fs::exists(into) && !fs::is_empty(into)) {
    throw Error(
        fmt::format("{} is not empty; Debian sources are unpacked into an empty directory", into.string()));
  }
  fs::create_directories(into);
  process::CommandResult result;
  // A stale index may not offer the package yet: ask once more after an update.
  for (bool refresh : {false, true}) {
    std::vector<std::string> argv = apt_get(suite, refresh);
    argv.insert(argv.end(), {"source", package});
    result = m_runner.run(process::Invocation{argv, into, {}, {}});
    if (result.exit_code == 0) {
      break;
    }
  }
  if (result.exit_code != 0) {
    throw Error(fmt::format("cannot get the sources of Debian {} package {}: {}", suite, package,
                            apt_complaint(result.output)));
  }
  for (const fs::directory_entry& entry : fs::directory_iterator(into)) {
    if (entry.is_directory()) {
      return entry.path();
    }
  }
  throw Error(fmt::format("apt-get source {} unpacked nothing into {}", package, into.string()));
}

} // namespace xstage::source
