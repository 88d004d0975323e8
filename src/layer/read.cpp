// Reading a layer's entries in place, for inspection (see layer.hpp).
#include <fmt/format.h>

#include <archive_entry.h>

#include "layer/archive_support.hpp"
#include "layer/layer.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::layer {

namespace {

using detail::archive_error;
using detail::ReadArchive;

std::string relative_path(const char* name) {
  std::string path = name != nullptr ? name : "";
  if (path.starts_with("./")) {
    path.erase(0, 2);
  }
  while (!path.empty() && path.back() == '/') {
    path.pop_back();
  }
  return path;
}

LayerEntry describe_entry(archive_entry* entry) {
  LayerEntry described;
  described.path = relative_path(archive_entry_pathname(entry));
  if (const char* hardlink = archive_entry_hardlink(entry)) {
    described.type = LayerEntry::Type::hardlink;
    described.link_target = relative_path(hardlink);
    return described;
  }
  switch (archive_entry_filetype(entry)) {
  case AE_IFREG:
    described.type = LayerEntry::Type::file;
    described.size = static_cast<std::uint64_t>(archive_entry_size(entry));
    break;
  case AE_IFDIR: described.type = LayerEntry::Type::directory; break;
  case AE_IFLNK:
    described.type = LayerEntry::Type::symlink;
    described.link_target = archive_entry_symlink(entry) != nullptr ? archive_entry_symlink(entry) : "";
    break;
  default: described.type = LayerEntry::Type::other; break;
  }
  return described;
}

} // namespace

void read_layer(const fs::path& archive_path,
                const std::function<void(const LayerEntry&, const ReadEntryData&)>& visit) {
  detail::ScopedUtf8Locale locale; // decode pax names as they were encoded
  int opened = ARCHIVE_OK;
  ReadArchive in = detail::open_layer_reader(archive_path.c_str(), opened);
  auto fail = [&] {
    throw Error(fmt::format("cannot read layer {}: {}", archive_path.string(), archive_error(in.get())));
  };
  if (opened != ARCHIVE_OK) {
    fail();
  }
  archive_entry* entry = nullptr;
  for (;;) {
    int status = archive_read_next_header(in.get(), &entry);
    if (status == ARCHIVE_EOF) {
      return;
    }
    if (status < ARCHIVE_WARN) {
      fail();
    }
    LayerEntry described = describe_entry(entry);
    ReadEntryData read_data = [&]() {
      // archive_read_data returns what one block holds, not all at once.
      std::string data(described.size, '\0');
      std::size_t done = 0;
      while (done < data.size()) {
        la_ssize_t got = archive_read_data(in.get(), data.data() + done, data.size() - done);
        if (got <= 0) {
          fail();
        }
        done += static_cast<std::size_t>(got);
      }
      return data;
    };
    visit(described, read_data);
  }
}

} // namespace xstage::layer
