#include "package/deb_control.hpp"

#include <algorithm>
#include <memory>

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::package {

namespace {

using ReadArchive = std::unique_ptr<archive, decltype(&archive_read_free)>;

constexpr la_int64_t k_control_member_limit = 64 << 20;
constexpr la_int64_t k_control_file_limit = 4 << 20;

[[noreturn]] void fail(const fs::path& deb, archive* handle, const std::string& what) {
  const char* text = archive_error_string(handle);
  throw Error(
      fmt::format("cannot read {}: {}: {}", deb.string(), what, text != nullptr ? text : "not an archive"));
}

// Reads the current entry of `handle` whole, refusing more than `limit` bytes.
std::string read_entry(archive* handle, archive_entry* entry, la_int64_t limit, const fs::path& deb,
                       const std::string& name) {
  if (archive_entry_size_is_set(entry) != 0 && archive_entry_size(entry) > limit) {
    throw Error(fmt::format("cannot read {}: {} is larger than {} MiB", deb.string(), name, limit >> 20));
  }
  std::string data;
  char buffer[1 << 16];
  for (;;) {
    la_ssize_t got = archive_read_data(handle, buffer, sizeof buffer);
    if (got < 0) {
      fail(deb, handle, name);
    }
    if (got == 0) {
      return data;
    }
    data.append(buffer, static_cast<std::size_t>(got));
    if (static_cast<la_int64_t>(data.size()) > limit) {
      throw Error(fmt::format("cannot read {}: {} is larger than {} MiB", deb.string(), name, limit >> 20));
    }
  }
}

std::string control_member(const fs::path& deb) {
  ReadArchive ar(archive_read_new(), archive_read_free);
  archive_read_support_format_ar(ar.get());
  if (archive_read_open_filename(ar.get(), deb.c_str(), 1 << 16) != ARCHIVE_OK) {
    fail(deb, ar.get(), "not an ar archive");
  }
  archive_entry* entry = nullptr;
  while (archive_read_next_header(ar.get(), &entry) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(entry);
    if (name.rfind("control.tar", 0) == 0) {
      return read_entry(ar.get(), entry, k_control_member_limit, deb, name);
    }
  }
  throw Error(fmt::format("cannot read {}: it has no control.tar member, so it is not a Debian package",
                          deb.string()));
}

} // namespace

std::map<std::string, std::string> read_control_files(const fs::path& deb,
                                                      const std::vector<std::string>& names) {
  std::string member = control_member(deb);
  ReadArchive tar(archive_read_new(), archive_read_free);
  archive_read_support_format_tar(tar.get());
  archive_read_support_filter_gzip(tar.get());
  archive_read_support_filter_xz(tar.get());
  archive_read_support_filter_zstd(tar.get());
  if (archive_read_open_memory(tar.get(), member.data(), member.size()) != ARCHIVE_OK) {
    fail(deb, tar.get(), "control.tar");
  }
  std::map<std::string, std::string> files;
  archive_entry* entry = nullptr;
  int status = ARCHIVE_OK;
  while ((status = archive_read_next_header(tar.get(), &entry)) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(entry);
    if (name.rfind("./", 0) == 0) {
      name.erase(0, 2);
    }
    if (archive_entry_filetype(entry) == AE_IFREG &&
        std::find(names.begin(), names.end(), name) != names.end()) {
      files[name] = read_entry(tar.get(), entry, k_control_file_limit, deb, "control file " + name);
    }
  }
  if (status != ARCHIVE_EOF) {
    fail(deb, tar.get(), "control.tar");
  }
  return files;
}

std::map<std::string, std::string> control_fields(const fs::path& deb) {
  std::map<std::string, std::string> fields;
  std::string text = read_control_files(deb, {"control"})["control"];
  std::string* last = nullptr;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (last != nullptr) {
        *last += "\n" + std::string(line.substr(1));
      }
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      last = nullptr;
      continue;
    }
    std::string_view value = line.substr(colon + 1);
    value.remove_prefix(std::min(value.find_first_not_of(' '), value.size()));
    last = &(fields[std::string(line.substr(0, colon))] = std::string(value));
  }
  return fields;
}

} // namespace xstage::package
