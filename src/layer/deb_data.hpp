#pragma once

// The data of a Debian package read as a tar; internal to src/layer/.

#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <archive.h>

#include "layer/archive_support.hpp"

namespace xstage::layer::detail {

// A .deb is an ar archive whose data.tar.{xz,zst,gz,bz2} member holds the
// files it installs. This reads that member in place, through libarchive
// twice (the ar outside, the tar inside), without dpkg-deb, tar or a copy.
class DebData {
public:
  // Opens `deb` and finds its data member; `label` names the package in
  // messages ("libfoo 1.0 arm64").
  DebData(const std::filesystem::path& deb, const std::string& label);
  DebData(const DebData&) = delete;
  DebData& operator=(const DebData&) = delete;

  // A libarchive reader of the data tar, valid while this lives.
  ReadArchive open_tar();

  // Throws the failure of a read of the ar member, if there was one.
  void rethrow_failure() const;

  // Throws the failure of a read, else "cannot ACTION package NAME: ...".
  [[noreturn]] void fail(std::string_view action, archive* handle) const;

  // What the package is called in messages: "package NAME (FILE)".
  const std::string& name() const { return m_name; }

private:
  static la_ssize_t read_callback(archive*, void* client, const void** buffer);

  std::string m_name;
  ReadArchive m_ar{archive_read_new(), &archive_read_free};
  std::vector<char> m_buffer = std::vector<char>(1 << 16);
  std::exception_ptr m_failure;
};

} // namespace xstage::layer::detail
