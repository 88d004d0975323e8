#include "source/debian_packages.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "util/error.hpp"

namespace xstage::source {

namespace {

// "Field: value" of one stanza line, or false.
bool split_field(const std::string& line, std::string& field, std::string& value) {
  auto colon = line.find(": ");
  if (colon == std::string::npos || line.empty() || line[0] == ' ') {
    return false;
  }
  field = line.substr(0, colon);
  value = line.substr(colon + 2);
  return true;
}

} // namespace

std::vector<recipe::LockedPackage> parse_simulated_installs(const std::string& output) {
  std::vector<recipe::LockedPackage> installs;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    // Inst libc6 (2.36-9+deb12u14 Debian:12.15/oldstable [arm64]) []
    // (the Conf lines that follow repeat each package)
    if (line.rfind("Inst ", 0) != 0) {
      continue;
    }
    auto name_end = line.find(' ', 5);
    auto open = line.find(" (", 5);
    auto close = line.find(')', open == std::string::npos ? line.size() : open);
    if (name_end == std::string::npos || open != name_end || close == std::string::npos) {
      continue;
    }
    std::string details = line.substr(open + 2, close - open - 2);
    auto arch_open = details.rfind('[');
    auto arch_close = details.rfind(']');
    if (arch_open == std::string::npos || arch_close == std::string::npos || arch_close < arch_open) {
      continue;
    }
    recipe::LockedPackage package;
    package.name = line.substr(5, name_end - 5);
    package.version = details.substr(0, details.find(' '));
    package.architecture = details.substr(arch_open + 1, arch_close - arch_open - 1);
    bool seen = std::any_of(installs.begin(), installs.end(), [&](const recipe::LockedPackage& earlier) {
      return earlier.name == package.name && earlier.architecture == package.architecture;
    });
    if (seen) {
      continue; // an Inst line per package, but be sure
    }
    installs.push_back(std::move(package));
  }
  return installs;
}

std::vector<recipe::LockedPackage> parse_package_stanzas(const std::string& output) {
  std::vector<recipe::LockedPackage> packages;
  recipe::LockedPackage current;
  auto finish = [&] {
    if (!current.name.empty()) {
      packages.push_back(current);
    }
    current = {};
  };
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) {
      finish();
      continue;
    }
    std::string field;
    std::string value;
    if (!split_field(line, field, value)) {
      continue;
    }
    if (field == "Package") {
      current.name = value;
    } else if (field == "Version") {
      current.version = value;
    } else if (field == "Architecture") {
      current.architecture = value;
    } else if (field == "Size") {
      current.size = std::atoll(value.c_str());
    } else if (field == "SHA256") {
      current.sha256 = value;
    } else if (field == "Filename") {
      current.filename = value;
    }
  }
  finish();
  return packages;
}

recipe::DebianLock resolve_packages(DebianArchive& archive, process::CommandRunner& runner,
                                    const std::string& suite, const std::string& architecture,
                                    const std::vector<std::string>& packages) {
  for (const std::string& package : packages) {
    // Anything else could pass apt an option or a path.
    if (!recipe::is_debian_package_name(package)) {
      throw Error(fmt::format("'{}' is not a Debian package name", package));
    }
  }
  DebianArchive::BinaryApt apt = archive.binary_apt(suite, architecture, true);
  std::string what = fmt::format("Debian {} {}", suite, architecture);

  std::vector<std::string> simulate = apt.apt_get;
  simulate.insert(simulate.end(), {"install", "--simulate", "--quiet", "--yes", "--no-install-recommends"});
  simulate.insert(simulate.end(), packages.begin(), packages.end());
  process::CommandResult simulated = runner.run(process::Invocation{simulate, {}, {}, {}});
  if (simulated.exit_code != 0) {
    throw Error(fmt::format("cannot resolve the packages in {}: {}", what, apt_complaint(simulated.output)));
  }
  std::vector<recipe::LockedPackage> installs = parse_simulated_installs(simulated.output);
  if (installs.empty()) {
    throw Error(fmt::format("apt would install nothing of {} for {}: {}", what, fmt::join(packages, ", "),
                            apt_complaint(simulated.output)));
  }

  std::vector<std::string> show = apt.apt_cache;
  show.insert(show.end(), {"show", "--no-all-versions"});
  for (const recipe::LockedPackage& install : installs) {
    show.push_back(install.name + "=" + install.version);
  }
  process::CommandResult shown = runner.run(process::Invocation{show, {}, {}, {}});
  if (shown.exit_code != 0) {
    throw Error(fmt::format("cannot read the index records of {}: {}", what, apt_complaint(shown.output)));
  }
  std::map<std::string, recipe::LockedPackage> records;
  for (recipe::LockedPackage& record : parse_package_stanzas(shown.output)) {
    records.emplace(record.name + "=" + record.version + ":" + record.architecture, std::move(record));
  }

  recipe::DebianLock lock;
  lock.suite = suite;
  lock.architecture = architecture;
  lock.request = packages;
  std::sort(lock.request.begin(), lock.request.end());
  lock.request.erase(std::unique(lock.request.begin(), lock.request.end()), lock.request.end());
  for (const recipe::LockedPackage& install : installs) {
    auto found = records.find(install.name + "=" + install.version + ":" + install.architecture);
    if (found == records.end() || found->second.sha256.empty() || found->second.filename.empty()) {
      throw Error(fmt::format("the index of {} has no SHA-256 and file name for {} {} ({})", what,
                              install.name, install.version, install.architecture));
    }
    lock.packages.push_back(found->second);
  }
  recipe::sort_packages(lock.packages);
  return lock;
}

LockCheck check_lock(DebianArchive& archive, process::CommandRunner& runner, const recipe::DebianLock& locked,
                     const std::vector<std::string>& packages) {
  LockCheck check;
  check.current = resolve_packages(archive, runner, locked.suite, locked.architecture, packages);
  auto key = [](const recipe::LockedPackage& package) { return package.name + ":" + package.architecture; };
  std::map<std::string, const recipe::LockedPackage*> now;
  for (const recipe::LockedPackage& package : check.current.packages) {
    now[key(package)] = &package;
  }
  std::vector<std::string> apt_cache = archive.binary_apt(locked.suite, locked.architecture, false).apt_cache;
  std::set<std::string> was;
  for (const recipe::LockedPackage& package : locked.packages) {
    was.insert(key(package));
    auto found = now.find(key(package));
    if (found == now.end()) {
      check.dropped.push_back(fmt::format("{} {} ({})", package.name, package.version, package.architecture));
    } else if (found->second->version != package.version) {
      check.newer.push_back(fmt::format("{} {} -> {} ({})", package.name, package.version,
                                        found->second->version, package.architecture));
    } else {
      continue; // the same version: still in the index
    }
    std::vector<std::string> show = apt_cache;
    show.insert(show.end(), {"show", "--no-all-versions", package.name + "=" + package.version});
    if (runner.run(process::Invocation{show, {}, {}, {}}).exit_code != 0) {
      check.gone.push_back(fmt::format("{} {} ({})", package.name, package.version, package.architecture));
    }
  }
  for (const recipe::LockedPackage& package : check.current.packages) {
    if (was.count(key(package)) == 0) {
      check.added.push_back(fmt::format("{} {} ({})", package.name, package.version, package.architecture));
    }
  }
  return check;
}

recipe::Source locked_deb_source(const recipe::LockedPackage& package, const recipe::DebianLock& lock,
                                 const std::vector<std::string>& archives) {
  recipe::Source source;
  source.name = fmt::format("{} {} ({})", package.name, package.version, package.architecture);
  source.kind = recipe::SourceKind::archive;
  source.sha256 = package.sha256;
  source.file = package.filename.substr(package.filename.rfind('/') + 1);
  for (std::string root : archives) {
    while (!root.empty() && root.back() == '/') {
      root.pop_back();
    }
    std::string url = root + "/" + package.filename;
    if (source.url.empty()) {
      source.url = url;
    } else {
      source.mirrors.push_back(url);
    }
  }
  source.location = {lock.display_path, package.line, 1};
  return source;
}

} // namespace xstage::source
