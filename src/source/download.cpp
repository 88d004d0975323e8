#include "source/download.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>

#include <curl/curl.h>
#include <fmt/format.h>

#include "util/error.hpp"

namespace xstage::source {

namespace {

// curl_global_init is not thread-safe; do it once, before any handle exists.
void init_curl_once() {
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (result != CURLE_OK) {
    throw Error(fmt::format("cannot initialise libcurl: {}", curl_easy_strerror(result)));
  }
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// What the C callbacks need; exceptions must not cross libcurl, so a throwing
// progress callback is parked here and rethrown after the transfer.
struct Transfer {
  const std::string* url = nullptr;
  std::FILE* file = nullptr;
  int write_errno = 0;
  const ProgressCallback* progress = nullptr;
  std::exception_ptr failure;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::size_t written = std::fwrite(data, size, count, transfer->file);
  if (written != count) {
    transfer->write_errno = errno;
  }
  return written * size;
}

int report_progress(void* user, curl_off_t total, curl_off_t done, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<Transfer*>(user);
  try {
    (*transfer->progress)(*transfer->url, static_cast<std::uint64_t>(done),
                          static_cast<std::uint64_t>(total));
    return 0;
  } catch (...) {
    transfer->failure = std::current_exception();
    return 1; // aborts the transfer
  }
}

} // namespace

std::optional<std::string> download(const std::string& url, const std::filesystem::path& file,
                                    const ProgressCallback& progress) {
  init_curl_once();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) {
    throw Error(fmt::format("cannot download {}: cannot create a libcurl handle", url));
  }
  std::unique_ptr<std::FILE, FileCloser> out(std::fopen(file.c_str(), "wb"));
  if (!out) {
    throw Error(fmt::format("cannot write {}: {}", file.string(), std::strerror(errno)));
  }

  Transfer transfer;
  transfer.url = &url;
  transfer.file = out.get();
  transfer.progress = &progress;
  char error_text[CURL_ERROR_SIZE] = {};

  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(handle, CURLOPT_MAXREDIRS, 10L);
  // A recipe may name a file:// mirror; a server must not redirect there.
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https,ftp,file");
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp");
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 15L);
  // No overall timeout (large archives on slow links are fine), but a
  // transfer that moves nothing for a minute is dead.
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "xstage");
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  if (progress) {
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, report_progress);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  }

  CURLcode result = curl_easy_perform(handle);
  if (transfer.failure) {
    std::rethrow_exception(transfer.failure);
  }
  if (transfer.write_errno != 0) {
    throw Error(fmt::format("cannot write {}: {}", file.string(), std::strerror(transfer.write_errno)));
  }
  if (result == CURLE_HTTP_RETURNED_ERROR) {
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    return fmt::format("HTTP {}", status);
  }
  if (result != CURLE_OK) {
    return std::string(error_text[0] != '\0' ? error_text : curl_easy_strerror(result));
  }
  if (std::fclose(out.release()) != 0) {
    throw Error(fmt::format("cannot write {}: {}", file.string(), std::strerror(errno)));
  }
  return std::nullopt;
}

} // namespace xstage::source
