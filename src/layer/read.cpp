// Reading a layer in place: inspecting its entries, checking it, describing it (see layer.hpp).
#include <fmt/format.h>

#include <archive_entry.h>

#include "layer/archive_support.hpp"
#include "layer/deb_data.hpp"
#include "layer/entry_policy.hpp"
#include "layer/layer.hpp"
#include "layer/layer_stream.hpp"
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
  described.mode = static_cast<std::uint32_t>(archive_entry_perm(entry));
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

namespace {

// Visits every entry `in` reads from `source` (a LayerStream or DebData)
// that `policy` admits.
template <typename Source>
void visit_entries(Source& source, archive* in, detail::EntryPolicy& policy,
                   const std::function<void(const LayerEntry&, const ReadEntryData&)>& visit) {
  archive_entry* entry = nullptr;
  for (;;) {
    int status = archive_read_next_header(in, &entry);
    if (status == ARCHIVE_EOF) {
      break;
    }
    if (status < ARCHIVE_WARN) {
      source.fail("read", in);
    }
    if (!policy.admit(entry)) {
      continue;
    }
    LayerEntry described = describe_entry(entry);
    ReadEntryData read_data = [&]() {
      // archive_read_data returns what one block holds, not all at once.
      std::string data(described.size, '\0');
      std::size_t done = 0;
      while (done < data.size()) {
        la_ssize_t got = archive_read_data(in, data.data() + done, data.size() - done);
        if (got <= 0) {
          source.fail("read", in);
        }
        done += static_cast<std::size_t>(got);
      }
      return data;
    };
    visit(described, read_data);
  }
}

} // namespace

void read_layer(const fs::path& archive_path, const LayerInfo& expected,
                const std::function<void(const LayerEntry&, const ReadEntryData&)>& visit) {
  detail::ScopedUtf8Locale locale; // decode pax names as they were encoded
  detail::LayerStream stream(archive_path, &expected);
  detail::EntryPolicy policy("layer " + archive_path.string());
  ReadArchive in = stream.open_tar();
  visit_entries(stream, in.get(), policy, visit);
  stream.finish();
}

void read_deb(const fs::path& deb, const std::string& package,
              const std::function<void(const LayerEntry&, const ReadEntryData&)>& visit) {
  detail::ScopedUtf8Locale locale;
  detail::DebData data(deb, package);
  detail::EntryPolicy policy(data.name());
  ReadArchive in = data.open_tar();
  visit_entries(data, in.get(), policy, visit);
}

void check_layer(const fs::path& archive_path, const LayerInfo& expected) {
  read_layer(archive_path, expected, [](const LayerEntry&, const ReadEntryData&) {});
}

LayerInfo describe_layer(const fs::path& archive_path) {
  return detail::LayerStream(archive_path, nullptr).finish();
}

} // namespace xstage::layer
