#include "layer/layer_stream.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/stop.hpp"

namespace fs = std::filesystem;

namespace xstage::layer::detail {

LayerStream::LayerStream(const fs::path& archive, const LayerInfo* expected)
    : m_name(archive.string()), m_expected(expected), m_in(archive, std::ios::binary),
      m_input(ZSTD_DStreamInSize()), m_output(ZSTD_DStreamOutSize()) {
  if (!m_in) {
    throw Error(fmt::format("cannot read layer {}: {}", m_name, std::strerror(errno)));
  }
  if (m_context == nullptr) {
    throw Error(fmt::format("cannot read layer {}: zstd could not allocate a decoder", m_name));
  }
}

std::string_view LayerStream::next() {
  for (;;) {
    // zstd may hold output back when the last call filled the buffer, so a
    // full buffer is drained before more input is read.
    if (m_source.pos == m_source.size && !m_output_full) {
      util::throw_if_stopped("reading layer " + m_name);
      m_in.read(m_input.data(), static_cast<std::streamsize>(m_input.size()));
      if (m_in.bad()) {
        throw Error(fmt::format("cannot read layer {}: {}", m_name, std::strerror(errno)));
      }
      auto got = static_cast<std::size_t>(m_in.gcount());
      if (got == 0) {
        return {};
      }
      std::string_view chunk(m_input.data(), got);
      m_zst_hash.update(chunk);
      m_info.size += got;
      if (m_expected != nullptr && m_info.size > m_expected->size) {
        throw Error(
            fmt::format("layer {} is larger than the {} bytes recorded for it", m_name, m_expected->size));
      }
      m_source = {m_input.data(), got, 0};
    }
    ZSTD_outBuffer sink{m_output.data(), m_output.size(), 0};
    m_pending = ZSTD_decompressStream(m_context.get(), &sink, &m_source);
    if (ZSTD_isError(m_pending)) {
      throw Error(fmt::format("layer {} is not valid zstd: {}", m_name, ZSTD_getErrorName(m_pending)));
    }
    m_output_full = sink.pos == sink.size;
    if (sink.pos > 0) {
      std::string_view tar(m_output.data(), sink.pos);
      m_tar_hash.update(tar);
      m_info.uncompressed_size += tar.size();
      if (m_expected != nullptr && m_info.uncompressed_size > m_expected->uncompressed_size) {
        throw Error(fmt::format("layer {} unpacks to more than the {} bytes recorded for it; reading stopped "
                                "there",
                                m_name, m_expected->uncompressed_size));
      }
      return tar;
    }
  }
}

la_ssize_t LayerStream::read_callback(archive*, void* client, const void** buffer) {
  auto* stream = static_cast<LayerStream*>(client);
  try {
    std::string_view tar = stream->next();
    *buffer = tar.data();
    return static_cast<la_ssize_t>(tar.size());
  } catch (...) {
    // libarchive is C: the failure is parked and rethrown by fail().
    stream->m_failure = std::current_exception();
    return ARCHIVE_FATAL;
  }
}

ReadArchive LayerStream::open_tar() {
  ReadArchive in(archive_read_new(), &archive_read_free);
  archive_read_support_format_tar(in.get());
  if (archive_read_open(in.get(), this, nullptr, &LayerStream::read_callback, nullptr) != ARCHIVE_OK) {
    fail("read", in.get());
  }
  return in;
}

void LayerStream::rethrow_failure() const {
  if (m_failure) {
    std::rethrow_exception(m_failure);
  }
}

void LayerStream::fail(std::string_view action, archive* handle) const {
  rethrow_failure();
  throw Error(fmt::format("cannot {} layer {}: {}", action, m_name, archive_error(handle)));
}

LayerInfo LayerStream::finish() {
  rethrow_failure();
  while (!next().empty()) {
    // what the tar reader did not need still counts for the digests
  }
  if (m_pending != 0) {
    throw Error(fmt::format("layer {} is truncated", m_name));
  }
  m_info.digest = m_zst_hash.finish().str();
  m_info.diff_id = m_tar_hash.finish().str();
  if (m_expected == nullptr) {
    return m_info;
  }
  const LayerInfo& recorded = *m_expected;
  if (m_info.digest != recorded.digest || m_info.size != recorded.size) {
    throw Error(fmt::format("layer {} is corrupt: its {} bytes hash to {}, not the recorded {} ({} bytes)",
                            m_name, m_info.size, m_info.digest, recorded.digest, recorded.size));
  }
  if (m_info.diff_id != recorded.diff_id || m_info.uncompressed_size != recorded.uncompressed_size) {
    throw Error(fmt::format("layer {} unpacks to {} ({} bytes), not the recorded diff_id {} ({} bytes)",
                            m_name, m_info.diff_id, m_info.uncompressed_size, recorded.diff_id,
                            recorded.uncompressed_size));
  }
  return m_info;
}

} // namespace xstage::layer::detail
