#include "source/unpack.hpp"

#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include "util/error.hpp"
#include "util/scratch.hpp"
#include "util/umask.hpp"

namespace fs = std::filesystem;

namespace xstage::source {

namespace {

struct ReaderDeleter {
  void operator()(archive* reader) const { archive_read_free(reader); }
};

struct WriterDeleter {
  void operator()(archive* writer) const { archive_write_free(writer); }
};

std::string archive_message(archive* handle) {
  const char* text = archive_error_string(handle);
  return text != nullptr ? text : "unknown error";
}

// Unpacks one archive into a fresh scratch directory, checking each entry.
class Unpacker {
public:
  Unpacker(const fs::path& archive_path, const fs::path& root) : m_archive(archive_path), m_root(root) {}

  void run() {
    std::unique_ptr<archive, ReaderDeleter> reader(archive_read_new());
    std::unique_ptr<archive, WriterDeleter> writer(util::under_umask_lock(archive_write_disk_new));
    if (!reader || !writer) {
      fail("cannot create libarchive handles");
    }
    archive_read_support_filter_all(reader.get());
    archive_read_support_format_tar(reader.get());
    archive_read_support_format_zip(reader.get());
    // Owners and permission bits beyond the umask are not restored.
    archive_write_disk_set_options(writer.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                     ARCHIVE_EXTRACT_SECURE_NODOTDOT);
    if (archive_read_open_filename(reader.get(), m_archive.c_str(), 1 << 16) != ARCHIVE_OK) {
      fail(archive_message(reader.get()));
    }
    for (;;) {
      archive_entry* entry = nullptr;
      int status = archive_read_next_header(reader.get(), &entry);
      if (status == ARCHIVE_EOF) {
        break;
      }
      if (status < ARCHIVE_WARN) {
        fail(archive_message(reader.get()));
      }
      unpack_entry(reader.get(), writer.get(), entry);
    }
    // Directory times are set on close, after their content was written.
    if (archive_write_close(writer.get()) < ARCHIVE_WARN) {
      fail(archive_message(writer.get()));
    }
    check_symlinks();
  }

private:
  [[noreturn]] void fail(const std::string& why) const {
    throw Error(fmt::format("cannot unpack {}: {}", m_archive.string(), why));
  }

  [[noreturn]] void refuse(const std::string& name, const std::string& why) const {
    fail(fmt::format("entry '{}' {}", name, why));
  }

  // The entry's path inside the tree, without "." parts; refuses absolute
  // paths, '..' and paths through a symlink already unpacked.
  fs::path inside(const std::string& entry_name, const std::string& path_text, const char* what) const {
    fs::path path(path_text);
    if (path.is_absolute()) {
      refuse(entry_name, fmt::format("{} an absolute path", what));
    }
    fs::path clean;
    for (const fs::path& part : path) {
      if (part == "..") {
        refuse(entry_name, fmt::format("{} a path with '..'", what));
      }
      if (part.empty() || part == ".") {
        continue;
      }
      std::error_code ignored;
      if (!clean.empty() && fs::is_symlink(m_root / clean, ignored)) {
        refuse(entry_name, fmt::format("{} a path through the symlink '{}'", what, clean.string()));
      }
      clean /= part;
    }
    return clean;
  }

  void unpack_entry(archive* reader, archive* writer, archive_entry* entry) {
    const char* raw_name = archive_entry_pathname(entry);
    if (raw_name == nullptr) {
      fail("an entry has no name");
    }
    std::string name = raw_name;
    fs::path path = inside(name, name, "has");
    const char* link = archive_entry_hardlink(entry);
    mode_t type = archive_entry_filetype(entry);
    if (link == nullptr && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
      refuse(name, "is a device node, fifo or socket");
    }
    if (path.empty()) {
      archive_read_data_skip(reader); // the root itself, "./"
      return;
    }
    archive_entry_set_pathname(entry, (m_root / path).c_str());
    if (link != nullptr) {
      fs::path target = inside(name, link, "links to");
      if (target.empty()) {
        refuse(name, "links to the root directory");
      }
      archive_entry_set_hardlink(entry, (m_root / target).c_str());
    }
    // libarchive sets the umask to 0 and back for every header (util/umask.hpp).
    if (util::under_umask_lock([&] { return archive_write_header(writer, entry); }) < ARCHIVE_WARN) {
      refuse(name, archive_message(writer));
    }
    const void* block = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    for (;;) {
      int status = archive_read_data_block(reader, &block, &size, &offset);
      if (status == ARCHIVE_EOF) {
        break;
      }
      if (status < ARCHIVE_WARN) {
        refuse(name, archive_message(reader));
      }
      if (archive_write_data_block(writer, block, size, offset) < ARCHIVE_WARN) {
        refuse(name, archive_message(writer));
      }
    }
    if (archive_write_finish_entry(writer) < ARCHIVE_WARN) {
      refuse(name, archive_message(writer));
    }
  }

  // Every symlink in the finished tree (hard links to symlinks included) must
  // resolve inside it; what a target's missing tail would add is judged lexically.
  void check_symlinks() const {
    for (const fs::directory_entry& item : fs::recursive_directory_iterator(m_root)) {
      if (!item.is_symlink()) {
        continue;
      }
      fs::path target = fs::read_symlink(item.path());
      std::string name = item.path().lexically_relative(m_root).string();
      if (target.is_absolute()) {
        refuse(name, fmt::format("is a symlink to the absolute path '{}'", target.string()));
      }
      fs::path resolved = fs::weakly_canonical(item.path().parent_path() / target);
      fs::path relative = resolved.lexically_relative(m_root);
      if (relative.empty() || *relative.begin() == "..") {
        refuse(name, fmt::format("is a symlink to '{}', outside the tree", target.string()));
      }
    }
  }

  fs::path m_archive;
  fs::path m_root;
};

// The directory whose content becomes the destination: the single top-level
// directory if there is one and nothing else, else the scratch root.
fs::path content_root(const fs::path& root) {
  std::optional<fs::path> only;
  for (const fs::directory_entry& item : fs::directory_iterator(root)) {
    if (only || item.is_symlink() || !item.is_directory()) {
      return root;
    }
    only = item.path();
  }
  return only.value_or(root);
}

} // namespace

void unpack_archive(const fs::path& archive_path, const fs::path& destination) {
  fs::path target = fs::absolute(destination).lexically_normal();
  if (target.filename().empty()) {
    target = target.parent_path();
  }
  if (fs::exists(target) && !(fs::is_directory(target) && fs::is_empty(target))) {
    throw Error(fmt::format("cannot unpack {} into {}: it exists and is not an empty directory",
                            archive_path.string(), target.string()));
  }
  fs::create_directories(target.parent_path());
  // Beside the target, so the final rename stays on one filesystem.
  util::Scratch scratch(target.parent_path() / ("." + target.filename().string()),
                        util::Scratch::Kind::directory);
  // libarchive's symlink check walks the whole absolute path: it must have no symlinks of its own.
  const fs::path root = fs::canonical(scratch.path());
  Unpacker(archive_path, root).run();

  fs::path content = content_root(root);
  if (fs::exists(target)) {
    fs::remove(target);
  }
  fs::rename(content, target);
}

} // namespace xstage::source
