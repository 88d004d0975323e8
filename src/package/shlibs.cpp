#include "package/shlibs.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "util/error.hpp"

namespace xstage::package {

void SharedLibraryDependencies::add_shlibs(std::string_view text, const std::string& package) {
  std::istringstream in{std::string(text)};
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    std::istringstream words(line);
    std::string library;
    std::string version;
    words >> library;
    if (library.empty() || library.front() == '#') {
      continue;
    }
    if (library.back() == ':') {
      continue; // "udeb: libfoo 1 libfoo1-udeb": for the installer only
    }
    words >> version;
    std::string dependency;
    std::getline(words >> std::ws, dependency);
    if (version.empty() || dependency.empty()) {
      throw Error(
          fmt::format("shlibs file of package {}, line {}: expected 'LIBRARY VERSION DEPENDENCY', got '{}'",
                      package, number, line));
    }
    // The first package to declare a soname keeps it, as the first one
    // found does for dpkg-shlibdeps.
    m_by_soname.emplace(library + ".so." + version, dependency);
    m_by_soname.emplace(library + "-" + version + ".so", dependency);
  }
}

std::string SharedLibraryDependencies::dependency_of(const std::string& soname) const {
  auto found = m_by_soname.find(soname);
  return found == m_by_soname.end() ? std::string() : found->second;
}

std::string depends_line(std::vector<std::string> dependencies) {
  // "libc6 (>= 2.34), libqt6core6 (>= 6.4.2) | libqt6core6t64": an entry
  // may list alternatives and be a list itself; split on commas.
  std::vector<std::string> entries;
  for (const std::string& dependency : dependencies) {
    std::istringstream in(dependency);
    for (std::string entry; std::getline(in, entry, ',');) {
      entry.erase(0, entry.find_first_not_of(' '));
      entry.erase(entry.find_last_not_of(' ') + 1);
      if (!entry.empty()) {
        entries.push_back(entry);
      }
    }
  }
  std::sort(entries.begin(), entries.end());
  entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
  return fmt::format("{}", fmt::join(entries, ", "));
}

} // namespace xstage::package
