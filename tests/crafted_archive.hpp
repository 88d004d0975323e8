#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <archive_entry.h>

namespace xstage::test {

// One entry of an archive made by hand, as an attacker could make it: any
// path, type, mode, link target or device number, unchecked.
struct CraftedEntry {
  std::string path;
  unsigned type = AE_IFREG; // AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFCHR, ...
  unsigned perm = 0644;
  std::string data;        // a file's content
  std::string symlink;     // a symlink's target
  std::string hardlink;    // for a hard link: the path it links to
  long mtime = 1700000000; // fixed, so that tests can check times are kept
};

CraftedEntry crafted_file(std::string path, std::string data, unsigned perm = 0644);
CraftedEntry crafted_dir(std::string path);
CraftedEntry crafted_symlink(std::string path, std::string target);
CraftedEntry crafted_hardlink(std::string path, std::string target);
// A device node, fifo or socket of `type` (AE_IFCHR, AE_IFIFO, ...).
CraftedEntry crafted_node(std::string path, unsigned type);

enum class ArchiveFormat { tar_zst, tar_xz, tar_gz, tar_bz2, zip };

// Writes `entries` in order with libarchive's write API (pax tar, or zip).
void write_crafted_archive(const std::filesystem::path& file, const std::vector<CraftedEntry>& entries,
                           ArchiveFormat format = ArchiveFormat::tar_zst);

// Writes a Debian package (ar: debian-binary, control.tar.xz naming
// `package`, data.tar.xz of `entries`), as dpkg-deb would lay it out.
void write_crafted_deb(const std::filesystem::path& file, const std::string& package,
                       const std::vector<CraftedEntry>& entries);

} // namespace xstage::test
