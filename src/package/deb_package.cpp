#include "package/deb_package.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <zlib.h>

#include "util/atomic_file.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"
#include "util/scratch.hpp"
#include "util/text_file.hpp"

namespace fs = std::filesystem;

namespace xstage::package {

namespace {

// Raise when write_deb lays out a package differently, so that packages
// cached by an older xstage are written again.
constexpr int k_deb_format = 1;

nlohmann::json files_json(const std::vector<recipe::PackageFile>& files) {
  nlohmann::json list = nlohmann::json::array();
  for (const recipe::PackageFile& file : files) {
    list.push_back({file.destination, file.source, file.path});
  }
  return list;
}

// A stripped program read back for md5sums: a static Qt app is tens of MB.
constexpr std::uintmax_t k_max_elf = std::uintmax_t{1} << 31;

// Debian's md5sums control file needs MD5, the one use of it here: it
// lists what `debsums` checks, not what anything trusts.
std::string md5_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr) != 1) {
    throw Error("cannot compute an MD5 sum for md5sums (OpenSSL)");
  }
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += fmt::format("{:02x}", digest[i]);
  }
  return hex;
}

// gzip -9n: no name and no time in the header, so the bytes depend only on
// the text (Debian policy 12.7 compresses changelogs with gzip -9n).
std::string gzip(std::string_view text) {
  z_stream stream{};
  if (deflateInit2(&stream, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw Error("cannot compress the changelog (zlib)");
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(text.size())) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) {
    throw Error("cannot compress the changelog (zlib)");
  }
  return out;
}

std::string rfc2822_date(std::int64_t epoch) {
  std::time_t time = static_cast<std::time_t>(epoch);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return text;
}

// The package tree being staged; every path is checked to stay inside it,
// through no symlink of its own. It counts Installed-Size as
// dpkg-gencontrol does (each file rounded up to KiB, one KiB per directory
// and symlink) and keeps the md5sums of the files outside DEBIAN/.
class Tree {
public:
  explicit Tree(fs::path root) : m_root(std::move(root)) {}

  std::uint64_t installed_kib() const { return m_installed_kib; }

  // "MD5  PATH" lines, sorted by path.
  std::string md5sums() const {
    std::string text;
    for (const auto& [path, md5] : m_md5) {
      text += fmt::format("{}  {}\n", md5, path);
    }
    return text;
  }

  fs::path place(const std::string& relative, const std::string& why) const {
    fs::path path = m_root;
    for (const fs::path& part : fs::path(relative).lexically_normal()) {
      if (part == ".." || part.is_absolute()) {
        throw Error(fmt::format("refusing {} '{}': it leaves the package", why, relative));
      }
      if (fs::is_symlink(path)) {
        throw Error(fmt::format("refusing {} '{}': {} is a symlink", why, relative, path.string()));
      }
      path /= part;
    }
    return path;
  }

  void directory(const std::string& relative, const std::string& why) {
    fs::path path = place(relative, why);
    if (!fs::is_directory(path) && !is_control(relative + "/")) {
      m_installed_kib += 1;
    }
    fs::create_directories(path);
    fs::permissions(path, fs::perms(0755));
  }

  // Strips the ELF file at `relative` with `strip` (dh_strip's options:
  // debugging symbols, .comment and .note go), then records it anew.
  void strip(const std::string& relative, const std::string& strip, process::CommandRunner& runner) {
    fs::path path = place(relative, "stripping");
    process::CommandResult result = runner.run(
        {{strip, "--remove-section=.comment", "--remove-section=.note", "--strip-unneeded", path.string()},
         {},
         {},
         {}});
    if (result.exit_code != 0) {
      throw Error(fmt::format("{} could not strip {}: {}", strip, relative, result.output));
    }
    std::string content = util::read_text_file(path, relative, k_max_elf);
    m_installed_kib -= (m_sizes[relative] + 1023) / 1024;
    m_sizes[relative] = content.size();
    m_installed_kib += (content.size() + 1023) / 1024;
    m_md5[relative] = md5_hex(content);
  }

  void file(const std::string& relative, std::string_view content, bool executable, const std::string& why) {
    fs::path path = place(relative, why);
    parent(path, why);
    util::write_file_atomically(path, content, executable ? 0755 : 0644);
    fs::permissions(path, fs::perms(executable ? 0755 : 0644));
    if (!is_control(relative)) {
      m_installed_kib += (content.size() + 1023) / 1024;
      m_sizes[relative] = content.size();
      m_md5[relative] = md5_hex(content);
    }
  }

  void symlink(const std::string& relative, const std::string& target, const std::string& why) {
    fs::path path = place(relative, why);
    parent(path, why);
    fs::create_symlink(target, path);
    m_installed_kib += 1;
  }

  void hard_link(const std::string& relative, const std::string& target, const std::string& why) {
    fs::path path = place(relative, why);
    auto found = m_md5.find(target);
    if (found == m_md5.end()) {
      throw Error(fmt::format("refusing {}: it links to '{}', which is not a file before it", why, target));
    }
    parent(path, why);
    fs::create_hard_link(place(target, why), path);
    m_md5[relative] = found->second;
  }

  const fs::path& root() const { return m_root; }

private:
  static bool is_control(const std::string& relative) { return relative.rfind("DEBIAN/", 0) == 0; }

  // Missing parent directories, created and counted as the package's.
  void parent(const fs::path& path, const std::string& why) {
    std::string relative = path.parent_path().lexically_relative(m_root).string();
    if (relative != "." && !fs::is_directory(path.parent_path())) {
      fs::path partial;
      for (const fs::path& part : fs::path(relative)) {
        partial /= part;
        directory(partial.string(), why);
      }
    }
  }

  fs::path m_root;
  std::uint64_t m_installed_kib = 0;
  std::map<std::string, std::string> m_md5;
  std::map<std::string, std::uint64_t> m_sizes;
};

// A layer path under the stage's prefix moved under the package's:
// opt/framegrab/bin/x -> usr/bin/x. "" for the prefix's own ancestors (opt),
// which the package does not ship.
std::string package_path(const std::string& path, const std::string& from, const std::string& to) {
  if (path == from) {
    return to;
  }
  if (path.rfind(from + "/", 0) == 0) {
    return to + path.substr(from.size());
  }
  if (from.rfind(path + "/", 0) == 0) {
    return "";
  }
  return path;
}

void set_times(const fs::path& root, std::int64_t epoch) {
  timespec times[2] = {{static_cast<time_t>(epoch), 0}, {static_cast<time_t>(epoch), 0}};
  auto touch = [&](const fs::path& path) {
    if (::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
      throw Error(fmt::format("cannot set the time of {}", path.string()));
    }
  };
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root)) {
    touch(entry.path());
  }
  touch(root);
}

} // namespace

std::string control_text(const DebInputs& inputs, std::uint64_t installed_kib) {
  const recipe::PackageSpec& spec = *inputs.spec;
  std::string text =
      fmt::format("Package: {}\nVersion: {}\nArchitecture: {}\nMaintainer: {}\nInstalled-Size: {}\n",
                  spec.name, spec.version, inputs.architecture, spec.maintainer, installed_kib);
  if (!inputs.depends.empty()) {
    text += fmt::format("Depends: {}\n", inputs.depends);
  }
  text += fmt::format("Section: {}\nPriority: optional\n", spec.section);
  if (!spec.homepage.empty()) {
    text += fmt::format("Homepage: {}\n", spec.homepage);
  }
  text += fmt::format("Description: {}\n", spec.summary);
  if (!spec.description.empty()) {
    text += fmt::format(" {}\n", spec.description);
  }
  return text;
}

void write_deb(const DebInputs& inputs, const fs::path& work, const fs::path& output,
               process::CommandRunner& runner) {
  const recipe::PackageSpec& spec = *inputs.spec;
  fs::create_directories(work);
  util::Scratch scratch(work / "deb-tree", util::Scratch::Kind::directory);
  Tree tree(scratch.path());
  std::string from = fs::path(inputs.stage_prefix).relative_path().string();
  std::vector<std::string> elf_files;
  std::string to = fs::path(spec.prefix).relative_path().string();

  layer::read_layer(
      inputs.layer, inputs.layer_info, [&](const layer::LayerEntry& entry, const layer::ReadEntryData& data) {
        std::string path = package_path(entry.path, from, to);
        std::string why = fmt::format("layer entry {} of stage {}", entry.path, inputs.stage);
        if (path.empty()) {
          return;
        }
        switch (entry.type) {
        case layer::LayerEntry::Type::directory: tree.directory(path, why); break;
        case layer::LayerEntry::Type::file: {
          std::string content = data();
          if (content.rfind("\x7f"
                            "ELF",
                            0) == 0) {
            elf_files.push_back(path);
          }
          tree.file(path, content, (entry.mode & 0111) != 0, why);
          break;
        }
        case layer::LayerEntry::Type::symlink: {
          std::string target = entry.link_target;
          if (!target.empty() && target.front() == '/') {
            target = "/" + package_path(target.substr(1), from, to);
          }
          tree.symlink(path, target, why);
          break;
        }
        case layer::LayerEntry::Type::hardlink:
          tree.hard_link(path, package_path(entry.link_target, from, to), why);
          break;
        case layer::LayerEntry::Type::other:
          throw Error(fmt::format("refusing {}: a package holds files, directories and links only", why));
        }
      });
  for (const std::string& path : elf_files) {
    tree.strip(path, inputs.strip, runner);
  }
  for (const auto& [path, content] : inputs.source_files) {
    tree.file(path, content, false, "package file");
  }
  if (!spec.lintian_overrides.empty()) {
    std::string overrides = "# Declared in the [package] section of stage " + inputs.stage + "'s recipe.\n";
    for (const std::string& tag : spec.lintian_overrides) {
      overrides += spec.name + ": " + tag + "\n";
    }
    tree.file("usr/share/lintian/overrides/" + spec.name, overrides, false, "lintian overrides");
  }
  std::string doc = "usr/share/doc/" + spec.name;
  // A version without a Debian revision is a native package's: its
  // changelog is changelog.gz (policy 12.7).
  std::string changelog_name =
      spec.version.find('-') == std::string::npos ? "changelog.gz" : "changelog.Debian.gz";
  std::string changelog = fmt::format("{} ({}) unstable; urgency=medium\n\n"
                                      "  * Built by xstage from stage {}, key {}.\n\n"
                                      " -- {}  {}\n",
                                      spec.name, spec.version, inputs.stage, inputs.key.substr(0, 12),
                                      spec.maintainer, rfc2822_date(inputs.source_date));
  tree.file(doc + "/" + changelog_name, gzip(changelog), false, "changelog");

  tree.file("DEBIAN/control", control_text(inputs, tree.installed_kib()), false, "control file");
  tree.file("DEBIAN/md5sums", tree.md5sums(), false, "md5sums");
  for (const auto& [name, content] : inputs.scripts) {
    tree.file("DEBIAN/" + name, content, true, "maintainer script");
  }
  set_times(tree.root(), inputs.source_date);

  fs::path built = work / (spec.name + ".deb.tmp");
  fs::remove(built);
  process::CommandResult result =
      runner.run({{"dpkg-deb", "--root-owner-group", "-Zxz", "--build", tree.root().string(), built.string()},
                  {},
                  {{"SOURCE_DATE_EPOCH", std::to_string(inputs.source_date)}},
                  {}});
  if (result.exit_code != 0) {
    fs::remove(built);
    throw Error(
        fmt::format("dpkg-deb could not build the package of stage {}: {}", inputs.stage, result.output));
  }
  util::move_file_atomically(built, output);
}

std::string package_spec_digest(const recipe::PackageSpec& spec, const std::string& dpkg_version) {
  nlohmann::json identity = {
      {"format", k_deb_format},
      {"dpkg", dpkg_version},
      {"name", spec.name},
      {"version", spec.version},
      {"maintainer", spec.maintainer},
      {"summary", spec.summary},
      {"description", spec.description},
      {"section", spec.section},
      {"homepage", spec.homepage},
      {"prefix", spec.prefix},
      {"depends", spec.depends},
      {"files", files_json(spec.files)},
      {"scripts", files_json(spec.scripts)},
      {"copyright", files_json({spec.copyright})},
      {"date", spec.date},
      {"lintian_overrides", spec.lintian_overrides},
  };
  return util::Digest::of(identity.dump()).hex();
}

} // namespace xstage::package
