#include "recipe/debian_lock.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "recipe/recipe.hpp"
#include "util/error.hpp"
#include "util/inner_path.hpp"
#include "util/text_file.hpp"

namespace xstage::recipe {

namespace {

bool only_of(std::string_view text, std::string_view allowed) {
  return !text.empty() && text.find_first_not_of(allowed) == std::string_view::npos;
}

constexpr std::string_view k_lower_digits = "abcdefghijklmnopqrstuvwxyz0123456789";

bool is_architecture(std::string_view architecture) {
  return only_of(architecture, "abcdefghijklmnopqrstuvwxyz0123456789-");
}

bool is_sha256(std::string_view hex) {
  return hex.size() == 64 && only_of(hex, "0123456789abcdef");
}

class LockParser {
public:
  explicit LockParser(const std::string& display_path) { m_lock.display_path = display_path; }

  DebianLock parse(std::string_view text) {
    std::istringstream in{std::string(text)};
    int number = 0;
    for (std::string line; std::getline(in, line);) {
      ++number;
      std::vector<std::string> words = util::words_of(line);
      if (words.empty() || words[0].front() == '#') {
        continue;
      }
      record(number, words);
    }
    if (m_lock.suite.empty() || m_lock.architecture.empty()) {
      fail(number, "the lock names no suite or no architecture: re-lock it with `xstage lock`");
    }
    if (m_lock.packages.empty() || m_lock.request.empty()) {
      fail(number, "the lock has no packages or no request: re-lock it with `xstage lock`");
    }
    std::sort(m_lock.request.begin(), m_lock.request.end());
    sort_packages(m_lock.packages);
    return std::move(m_lock);
  }

private:
  [[noreturn]] void fail(int line, const std::string& message) const {
    throw Error(fmt::format("{}:{}: {}", m_lock.display_path, line, message));
  }

  void expect_fields(int line, const std::vector<std::string>& words, std::size_t count,
                     std::string_view form) const {
    if (words.size() != count) {
      fail(line, fmt::format("'{}' takes {} field{} ({}), not {}", words[0], count - 1, count == 2 ? "" : "s",
                             form, words.size() - 1));
    }
  }

  void set_once(int line, std::string& field, const std::vector<std::string>& words) const {
    expect_fields(line, words, 2, "a name");
    if (!field.empty()) {
      fail(line, fmt::format("a second '{}' record", words[0]));
    }
    if (!is_architecture(words[1])) {
      fail(line, fmt::format("'{}' is not a Debian {} name", words[1], words[0]));
    }
    field = words[1];
  }

  void record(int line, const std::vector<std::string>& words) {
    const std::string& kind = words[0];
    if (kind == "suite") {
      set_once(line, m_lock.suite, words);
    } else if (kind == "architecture") {
      set_once(line, m_lock.architecture, words);
    } else if (kind == "request") {
      expect_fields(line, words, 2, "a package name");
      if (!is_debian_package_name(words[1])) {
        fail(line, fmt::format("'{}' is not a Debian package name", words[1]));
      }
      m_lock.request.push_back(words[1]);
    } else if (kind == "package") {
      package(line, words);
    } else {
      fail(line,
           fmt::format("unknown record '{}' (a lock has suite, architecture, request and package lines)",
                       kind));
    }
  }

  void package(int line, const std::vector<std::string>& words) {
    expect_fields(line, words, 7, "name, version, architecture, size, SHA-256, file name");
    LockedPackage package{words[1], words[2], words[3], 0, words[5], words[6], line};
    if (!is_debian_package_name(package.name)) {
      fail(line, fmt::format("'{}' is not a Debian package name", package.name));
    }
    if (!is_debian_version(package.version)) {
      fail(line, fmt::format("'{}' is not a Debian version (package {})", package.version, package.name));
    }
    if (!is_architecture(package.architecture)) {
      fail(line,
           fmt::format("'{}' is not a Debian architecture (package {})", package.architecture, package.name));
    }
    const std::string& size = words[4];
    auto [end, error] = std::from_chars(size.data(), size.data() + size.size(), package.size);
    if (error != std::errc() || end != size.data() + size.size() || package.size <= 0) {
      fail(line, fmt::format("'{}' is not a size in bytes (package {})", size, package.name));
    }
    if (!is_sha256(package.sha256)) {
      fail(line, fmt::format("'{}' is not a SHA-256 of 64 lower-case hex digits (package {})", package.sha256,
                             package.name));
    }
    // The file name is joined to a mirror's URL and looked up in --sources
    // directories: it must stay in the archive's pool and be a .deb.
    const std::string& file = package.filename;
    if (!util::is_inner_path(file) || file.rfind("pool/", 0) != 0 || file.size() < 5 ||
        file.compare(file.size() - 4, 4, ".deb") != 0 || file.find_first_of("?#%\\ ") != std::string::npos) {
      fail(line,
           fmt::format("'{}' is not a .deb under the archive's pool/ (package {})", file, package.name));
    }
    for (const LockedPackage& other : m_lock.packages) {
      if (other.name == package.name && other.architecture == package.architecture) {
        fail(line, fmt::format("package {}:{} is locked twice (also on line {})", package.name,
                               package.architecture, other.line));
      }
    }
    m_lock.packages.push_back(std::move(package));
  }

  DebianLock m_lock;
};

// "a, b and 3 more": a short list for a message.
std::string some_of(const std::vector<std::string>& names) {
  constexpr std::size_t k_shown = 5;
  std::vector<std::string> shown(
      names.begin(), names.begin() + static_cast<std::ptrdiff_t>(std::min(names.size(), k_shown)));
  std::string text = fmt::format("{}", fmt::join(shown, ", "));
  return names.size() > k_shown ? fmt::format("{} and {} more", text, names.size() - k_shown) : text;
}

std::vector<std::string> missing_from(const std::set<std::string>& from, const std::set<std::string>& in) {
  std::vector<std::string> missing;
  std::set_difference(from.begin(), from.end(), in.begin(), in.end(), std::back_inserter(missing));
  return missing;
}

} // namespace

bool is_debian_version(std::string_view version) {
  return only_of(version, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.+~-:") &&
         std::isdigit(static_cast<unsigned char>(version.front())) != 0;
}

bool is_debian_package_name(std::string_view name) {
  return name.size() >= 2 && only_of(name, "abcdefghijklmnopqrstuvwxyz0123456789+-.") &&
         k_lower_digits.find(name.front()) != std::string_view::npos;
}

void sort_packages(std::vector<LockedPackage>& packages) {
  std::sort(packages.begin(), packages.end(), [](const LockedPackage& a, const LockedPackage& b) {
    return std::tie(a.name, a.architecture) < std::tie(b.name, b.architecture);
  });
}

DebianLock parse_debian_lock(std::string_view text, const std::string& display_path) {
  return LockParser(display_path).parse(text);
}

std::string format_debian_lock(const DebianLock& lock, const std::string& stage) {
  std::string text =
      fmt::format("# The Debian packages of stage '{}', resolved by `xstage lock {}`. A build\n"
                  "# installs exactly these .debs, each checked by its SHA-256; re-lock to update.\n"
                  "suite {}\narchitecture {}\n",
                  stage, stage, lock.suite, lock.architecture);
  std::vector<std::string> request = lock.request;
  std::sort(request.begin(), request.end());
  for (const std::string& name : request) {
    text += "request " + name + "\n";
  }
  std::vector<LockedPackage> packages = lock.packages;
  sort_packages(packages);
  text += "# package name version architecture size sha256 file\n";
  for (const LockedPackage& package : packages) {
    text += fmt::format("package {} {} {} {} {} {}\n", package.name, package.version, package.architecture,
                        package.size, package.sha256, package.filename);
  }
  return text;
}

std::optional<std::string> stale_lock_reason(const DebianLock& lock, const Recipe& recipe) {
  std::vector<std::string> asked_list = recipe.string_list("packages");
  std::set<std::string> asked(asked_list.begin(), asked_list.end());
  std::set<std::string> locked(lock.request.begin(), lock.request.end());
  if (asked != locked) {
    std::vector<std::string> parts;
    if (auto added = missing_from(asked, locked); !added.empty()) {
      parts.push_back("it now also asks for " + some_of(added));
    }
    if (auto dropped = missing_from(locked, asked); !dropped.empty()) {
      parts.push_back("it no longer asks for " + some_of(dropped));
    }
    return fmt::format("{} locks other packages than {} asks for: {}", lock.display_path,
                       recipe.file.filename().string(), fmt::join(parts, "; "));
  }
  std::string suite = "bookworm";
  if (auto found = recipe.options.find("suite"); found != recipe.options.end()) {
    suite = found->second.as_string();
  }
  if (suite != lock.suite) {
    return fmt::format("{} locks suite {}, but the recipe asks for {}", lock.display_path, lock.suite, suite);
  }
  std::string architecture = recipe.is_native() ? lock.architecture : "arm64";
  if (auto found = recipe.options.find("architecture"); found != recipe.options.end()) {
    architecture = found->second.as_string();
  }
  if (architecture != lock.architecture) {
    return fmt::format("{} locks architecture {}, but the recipe asks for {}", lock.display_path,
                       lock.architecture, architecture);
  }
  return std::nullopt;
}

} // namespace xstage::recipe
