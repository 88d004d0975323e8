#include "source/download.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include <fmt/format.h>

#include "http/session.hpp"
#include "util/error.hpp"

namespace xstage::source {

namespace {

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

} // namespace

std::optional<std::string> download(const std::string& url, const std::filesystem::path& file,
                                    const ProgressCallback& progress) {
  http::Session session(fmt::format("cannot download {}", url));
  std::unique_ptr<std::FILE, FileCloser> out(std::fopen(file.c_str(), "wb"));
  if (!out) {
    throw Error(fmt::format("cannot write {}: {}", file.string(), std::strerror(errno)));
  }

  http::Request request;
  request.method = "GET";
  request.url = url;
  // A recipe may name a file:// mirror; a server must not redirect there.
  request.protocols = "http,https,ftp,file";
  request.follow_redirects = true;
  request.redirect_protocols = "http,https,ftp";
  request.limit = std::numeric_limits<std::uint64_t>::max();
  request.sink = [&](std::string_view chunk) {
    if (std::fwrite(chunk.data(), 1, chunk.size(), out.get()) != chunk.size()) {
      throw Error(fmt::format("cannot write {}: {}", file.string(), std::strerror(errno)));
    }
  };
  if (progress) {
    request.progress = [&](std::uint64_t done, std::uint64_t total) { progress(url, done, total); };
  }

  http::Outcome outcome = session.attempt(request);
  if (!outcome.response) {
    return outcome.failure;
  }
  if (!outcome.response->success()) {
    return fmt::format("HTTP {}", outcome.response->status);
  }
  if (std::fclose(out.release()) != 0) {
    throw Error(fmt::format("cannot write {}: {}", file.string(), std::strerror(errno)));
  }
  return std::nullopt;
}

} // namespace xstage::source
