#include "image/docker_archive.hpp"

#include <memory>
#include <regex>
#include <set>

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "util/atomic_file.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace xstage::image {

namespace {

class TarWriter {
public:
  explicit TarWriter(util::AtomicFile& file) : m_file(file), m_tar(archive_write_new(), &archive_write_free) {
    if (archive_write_set_format_pax_restricted(m_tar.get()) != ARCHIVE_OK ||
        archive_write_add_filter_none(m_tar.get()) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(m_tar.get(), 1) != ARCHIVE_OK ||
        archive_write_open(m_tar.get(), this, nullptr, &TarWriter::write_callback, nullptr) != ARCHIVE_OK) {
      fail("open");
    }
  }

  void add_text(const std::string& path, const std::string& text) {
    header(path, text.size());
    data(text);
  }

  // Copies a blob in, hashing it on the way: a layer is never passed on
  // unless it is the one its digest names.
  void add_blob(const Blob& blob) {
    header("blobs/sha256/" + digest_hex(blob.digest, "digest", blob.stage), blob.size);
    stream_verified_blob(blob, [this](std::string_view chunk) { data(chunk); });
  }

  void close() {
    if (archive_write_close(m_tar.get()) != ARCHIVE_OK) {
      fail("finish");
    }
  }

private:
  static la_ssize_t write_callback(archive*, void* self, const void* buffer, size_t length) {
    auto* writer = static_cast<TarWriter*>(self);
    try {
      writer->m_file.write(std::string_view(static_cast<const char*>(buffer), length));
    } catch (const Error& error) {
      writer->m_failure = error.what();
      return -1;
    }
    return static_cast<la_ssize_t>(length);
  }

  void header(const std::string& path, std::uint64_t size) {
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                        &archive_entry_free);
    archive_entry_copy_pathname(entry.get(), path.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_mtime(entry.get(), 0, 0);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(size));
    if (archive_write_header(m_tar.get(), entry.get()) != ARCHIVE_OK) {
      fail("write " + path + " to");
    }
  }

  void data(std::string_view bytes) {
    if (archive_write_data(m_tar.get(), bytes.data(), bytes.size()) !=
        static_cast<la_ssize_t>(bytes.size())) {
      fail("write");
    }
  }

  [[noreturn]] void fail(const std::string& what) {
    const char* why = archive_error_string(m_tar.get());
    throw Error(fmt::format("cannot {} {}: {}", what, m_file.target().string(),
                            !m_failure.empty() ? m_failure
                            : why != nullptr   ? why
                                               : "unknown libarchive error"));
  }

  util::AtomicFile& m_file;
  std::unique_ptr<archive, decltype(&archive_write_free)> m_tar;
  std::string m_failure;
};

} // namespace

std::string check_repo_tag(const std::string& repo_tag) {
  // Docker's reference grammar, without a registry host or digest.
  static const std::regex grammar(R"([a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)"
                                  R"((?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
                                  R"(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})");
  if (!std::regex_match(repo_tag, grammar)) {
    return "write it as name:tag, e.g. xstage/demo:latest (lower-case name)";
  }
  return "";
}

void write_docker_archive(const fs::path& file, const std::string& repo_tag, const Image& image) {
  if (std::string why = check_repo_tag(repo_tag); !why.empty()) {
    throw Error(fmt::format("invalid image name '{}': {}", repo_tag, why));
  }
  auto blob_path = [](const std::string& digest) {
    return "blobs/sha256/" + util::Digest::parse(digest).hex();
  };
  json layers = json::array();
  for (const Blob& layer : image.layers) {
    layers.push_back(blob_path(layer.digest));
  }
  json docker_manifest = json::array(
      {{{"Config", blob_path(image.config_digest)}, {"RepoTags", {repo_tag}}, {"Layers", layers}}});
  json index_entry = {{"mediaType", k_manifest_type},
                      {"digest", image.manifest_digest},
                      {"size", image.manifest.size()},
                      {"annotations",
                       {{"io.containerd.image.name", repo_tag},
                        {"org.opencontainers.image.ref.name", repo_tag.substr(repo_tag.rfind(':') + 1)}}}};
  json index = {{"schemaVersion", 2}, {"mediaType", k_index_type}, {"manifests", json::array({index_entry})}};

  util::AtomicFile out(file);
  TarWriter tar(out);
  // Blobs first, as in a layout; the small files that name them after.
  std::set<std::string> written;
  for (const Blob& layer : image.layers) {
    if (written.insert(layer.digest).second) {
      tar.add_blob(layer);
    }
  }
  tar.add_text(blob_path(image.config_digest), image.config);
  tar.add_text(blob_path(image.manifest_digest), image.manifest);
  tar.add_text("index.json", index.dump());
  tar.add_text("manifest.json", docker_manifest.dump());
  tar.add_text("oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  tar.close();
  out.commit();
}

} // namespace xstage::image
