#include "crafted_archive.hpp"

#include <fstream>
#include <iterator>
#include <stdexcept>

#include <archive.h>
#include <sys/sysmacros.h>

namespace xstage::test {

CraftedEntry crafted_file(std::string path, std::string data, unsigned perm) {
  return {std::move(path), AE_IFREG, perm, std::move(data), "", ""};
}
CraftedEntry crafted_dir(std::string path) {
  return {std::move(path), AE_IFDIR, 0755, "", "", ""};
}
CraftedEntry crafted_symlink(std::string path, std::string target) {
  return {std::move(path), AE_IFLNK, 0777, "", std::move(target), ""};
}
CraftedEntry crafted_hardlink(std::string path, std::string target) {
  return {std::move(path), AE_IFREG, 0644, "", "", std::move(target)};
}
CraftedEntry crafted_node(std::string path, unsigned type) {
  return {std::move(path), type, 0600, "", "", ""};
}

void write_crafted_archive(const std::filesystem::path& file, const std::vector<CraftedEntry>& entries,
                           ArchiveFormat format) {
  archive* writer = archive_write_new();
  auto check = [&](int status, const char* what) {
    if (status != ARCHIVE_OK) {
      std::string why = archive_error_string(writer) != nullptr ? archive_error_string(writer) : "?";
      archive_write_free(writer);
      throw std::runtime_error(std::string("crafting ") + file.string() + ": " + what + ": " + why);
    }
  };
  check(format == ArchiveFormat::zip ? archive_write_set_format_zip(writer)
                                     : archive_write_set_format_pax_restricted(writer),
        "format");
  switch (format) {
  case ArchiveFormat::tar_zst: check(archive_write_add_filter_zstd(writer), "zstd"); break;
  case ArchiveFormat::tar_xz: check(archive_write_add_filter_xz(writer), "xz"); break;
  case ArchiveFormat::tar_gz: check(archive_write_add_filter_gzip(writer), "gzip"); break;
  case ArchiveFormat::tar_bz2: check(archive_write_add_filter_bzip2(writer), "bzip2"); break;
  case ArchiveFormat::zip: break;
  }
  check(archive_write_open_filename(writer, file.c_str()), "open");
  for (const CraftedEntry& item : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_copy_pathname(entry, item.path.c_str());
    archive_entry_set_filetype(entry, item.type);
    archive_entry_set_perm(entry, item.perm);
    archive_entry_set_mtime(entry, item.mtime, 0);
    if (item.type == AE_IFCHR || item.type == AE_IFBLK) {
      archive_entry_set_rdev(entry, makedev(1, 3));
    }
    if (!item.symlink.empty()) {
      archive_entry_copy_symlink(entry, item.symlink.c_str());
    }
    if (!item.hardlink.empty()) {
      archive_entry_copy_hardlink(entry, item.hardlink.c_str());
    } else if (item.type == AE_IFREG) {
      archive_entry_set_size(entry, static_cast<la_int64_t>(item.data.size()));
    }
    int status = archive_write_header(writer, entry);
    archive_entry_free(entry);
    check(status, "header");
    if (!item.data.empty()) {
      archive_write_data(writer, item.data.data(), item.data.size());
    }
  }
  check(archive_write_close(writer), "close");
  archive_write_free(writer);
}

void write_crafted_deb(const std::filesystem::path& file, const std::string& package,
                       const std::vector<CraftedEntry>& entries) {
  const std::filesystem::path data = file.string() + ".data.tar.xz";
  const std::filesystem::path control = file.string() + ".control.tar.xz";
  write_crafted_archive(data, entries, ArchiveFormat::tar_xz);
  write_crafted_archive(control,
                        {crafted_file("./control", "Package: " + package +
                                                       "\nVersion: 1.0\nArchitecture: arm64\n"
                                                       "Maintainer: x <x@example.org>\nDescription: x\n")},
                        ArchiveFormat::tar_xz);
  auto slurp = [](const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  archive* writer = archive_write_new();
  archive_write_set_format_ar_svr4(writer);
  archive_write_open_filename(writer, file.c_str());
  for (const auto& [name, bytes] : std::vector<std::pair<std::string, std::string>>{
           {"debian-binary", "2.0\n"}, {"control.tar.xz", slurp(control)}, {"data.tar.xz", slurp(data)}}) {
    archive_entry* entry = archive_entry_new();
    archive_entry_copy_pathname(entry, name.c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_size(entry, static_cast<la_int64_t>(bytes.size()));
    if (archive_write_header(writer, entry) != ARCHIVE_OK) {
      throw std::runtime_error("crafting " + file.string() + ": " + archive_error_string(writer));
    }
    archive_entry_free(entry);
    archive_write_data(writer, bytes.data(), bytes.size());
  }
  archive_write_close(writer);
  archive_write_free(writer);
  std::filesystem::remove(data);
  std::filesystem::remove(control);
}

} // namespace xstage::test
