#include "layer/deb_data.hpp"

#include <archive_entry.h>
#include <fmt/format.h>

#include "util/error.hpp"
#include "util/stop.hpp"

namespace fs = std::filesystem;

namespace xstage::layer::detail {

DebData::DebData(const fs::path& deb, const std::string& label)
    : m_name(fmt::format("package {} ({})", label, deb.filename().string())) {
  archive_read_support_format_ar(m_ar.get());
  if (archive_read_open_filename(m_ar.get(), deb.c_str(), 1 << 16) != ARCHIVE_OK) {
    fail("open", m_ar.get());
  }
  archive_entry* entry = nullptr;
  int status = ARCHIVE_OK;
  while ((status = archive_read_next_header(m_ar.get(), &entry)) == ARCHIVE_OK) {
    const char* member = archive_entry_pathname(entry);
    if (member != nullptr && std::string_view(member).starts_with("data.tar")) {
      return;
    }
  }
  if (status != ARCHIVE_EOF) {
    fail("read", m_ar.get());
  }
  throw Error(
      fmt::format("cannot read {}: it has no data.tar member, so it is not a Debian package", m_name));
}

la_ssize_t DebData::read_callback(archive*, void* client, const void** buffer) {
  auto* self = static_cast<DebData*>(client);
  if (int signal_number = util::stop_signal(); signal_number != 0) {
    self->m_failure = std::make_exception_ptr(
        Error(fmt::format("interrupted by signal {} while extracting {}", signal_number, self->m_name)));
    return -1;
  }
  la_ssize_t got = archive_read_data(self->m_ar.get(), self->m_buffer.data(), self->m_buffer.size());
  if (got < 0) {
    self->m_failure = std::make_exception_ptr(Error(
        fmt::format("cannot read {}: its data member: {}", self->m_name, archive_error(self->m_ar.get()))));
    return -1;
  }
  *buffer = self->m_buffer.data();
  return got;
}

ReadArchive DebData::open_tar() {
  ReadArchive tar(archive_read_new(), &archive_read_free);
  archive_read_support_format_tar(tar.get());
  archive_read_support_filter_xz(tar.get());
  archive_read_support_filter_zstd(tar.get());
  archive_read_support_filter_gzip(tar.get());
  archive_read_support_filter_bzip2(tar.get());
  if (archive_read_open(tar.get(), this, nullptr, &DebData::read_callback, nullptr) != ARCHIVE_OK) {
    fail("read", tar.get());
  }
  return tar;
}

void DebData::rethrow_failure() const {
  if (m_failure) {
    std::rethrow_exception(m_failure);
  }
}

void DebData::fail(std::string_view action, archive* handle) const {
  rethrow_failure();
  throw Error(fmt::format("cannot {} {}: {}", action, m_name, archive_error(handle)));
}

} // namespace xstage::layer::detail
