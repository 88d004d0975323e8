#include "http/session.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>

#include <curl/curl.h>
#include <fmt/format.h>

#include "util/error.hpp"
#include "util/stop.hpp"

namespace xstage::http {

namespace {

// Error bodies are read only far enough to quote them: an endless one ends
// the transfer there.
constexpr std::size_t k_max_error_body = 64 << 10;

// Every transfer's limits, in one place. A server gets 15 s to accept a
// connection. A transfer slower than 1 KiB/s over 30 s is given up: a
// registry that drips bytes or stalls fails in half a minute, while any real
// link is far faster. The deadline for a whole request is 2 minutes for one
// whose body is kept in memory (manifests, tokens, indexes: small by their
// limit), and an hour for a streamed download or an upload (a 46 MB tarball
// would need a link under 13 KiB/s to reach it).
constexpr long k_connect_seconds = 15;
constexpr long k_low_speed_bytes = 1024;
constexpr long k_low_speed_seconds = 30;
constexpr long k_small_request_seconds = 120;
constexpr long k_streamed_request_seconds = 3600;

// curl_global_init is not thread-safe; do it once, before any handle exists.
void init_curl_once() {
  static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (result != CURLE_OK) {
    throw Error(fmt::format("cannot initialise libcurl: {}", curl_easy_strerror(result)));
  }
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return text;
}

// The state of one transfer, shared by libcurl's callbacks. Exceptions must
// not cross libcurl, so they are parked in `failure` and rethrown after.
struct Transfer {
  const Request& request;
  Response response;
  std::size_t offset = 0; // into request.body
  std::exception_ptr failure;
  bool error_body_cut = false; // an error body reached k_max_error_body
};

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  Response& response = static_cast<Transfer*>(user)->response;
  std::string_view line(data, size * count);
  line = line.substr(0, line.find_last_not_of("\r\n") + 1);
  if (line.substr(0, 5) == "HTTP/") { // a new response (100, a redirect, the final one)
    std::string_view code = line.substr(std::min(line.find(' ') + 1, line.size()));
    response.status = 0;
    std::from_chars(code.data(), code.data() + code.size(), response.status);
    response.headers.clear();
    response.body.clear();
  } else if (std::size_t colon = line.find(':'); colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    value.remove_prefix(std::min(value.find_first_not_of(" \t"), value.size()));
    response.headers.emplace(lower(std::string(line.substr(0, colon))), std::string(value));
  }
  return size * count;
}

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  Response& response = transfer->response;
  const Request& request = transfer->request;
  std::string_view chunk(data, size * count);
  if (!response.success()) {
    response.body.append(
        chunk.substr(0, k_max_error_body - std::min(response.body.size(), k_max_error_body)));
    if (response.body.size() >= k_max_error_body) {
      transfer->error_body_cut = true;
      return 0; // aborts the transfer: the status and a quote are all we need
    }
    return chunk.size();
  }
  std::uint64_t had = request.sink ? response.streamed : response.body.size();
  if (had + chunk.size() > request.limit) {
    response.oversized = true;
    return 0; // aborts the transfer
  }
  if (!request.sink) {
    response.body.append(chunk);
    return chunk.size();
  }
  try {
    request.sink(chunk);
  } catch (...) {
    transfer->failure = std::current_exception();
    return 0;
  }
  response.streamed += chunk.size();
  return chunk.size();
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const Request& request = transfer->request;
  if (request.upload != nullptr) {
    std::size_t got = std::fread(buffer, 1, size * count, request.upload);
    transfer->response.uploaded += got;
    return got == 0 && std::ferror(request.upload) ? CURL_READFUNC_ABORT : got;
  }
  std::size_t got = std::min(size * count, request.body.size() - transfer->offset);
  std::memcpy(buffer, request.body.data() + transfer->offset, got);
  transfer->offset += got;
  return got;
}

// libcurl rewinds when it resends on a kept-alive connection the server had
// closed meanwhile.
int on_seek(void* user, curl_off_t offset, int origin) {
  auto* transfer = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset != 0) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  transfer->offset = 0;
  transfer->response.uploaded = 0;
  std::FILE* upload = transfer->request.upload;
  return upload == nullptr || std::fseek(upload, 0, SEEK_SET) == 0 ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL;
}

// Called at least once a second, even while nothing moves: a stop request
// (Ctrl-C) ends the transfer here.
int on_progress(void* user, curl_off_t down_total, curl_off_t down, curl_off_t up_total, curl_off_t up) {
  auto* transfer = static_cast<Transfer*>(user);
  bool uploading = transfer->request.upload != nullptr;
  try {
    util::throw_if_stopped(fmt::format("{} {}", transfer->request.method, url_path(transfer->request.url)));
    if (!transfer->request.progress) {
      return 0;
    }
    transfer->request.progress(static_cast<std::uint64_t>(uploading ? up : down),
                               static_cast<std::uint64_t>(uploading ? up_total : down_total));
    return 0;
  } catch (...) {
    transfer->failure = std::current_exception();
    return 1; // aborts the transfer
  }
}

} // namespace

std::string Response::header(const std::string& name) const {
  auto found = headers.find(name);
  return found == headers.end() ? std::string() : found->second;
}

Session::Session(std::string context) : m_context(std::move(context)) {
  init_curl_once();
  m_handle = curl_easy_init();
  if (m_handle == nullptr) {
    throw Error(fmt::format("{}: cannot create a libcurl handle", m_context));
  }
}

Session::~Session() {
  curl_easy_cleanup(m_handle);
}

Outcome Session::attempt(const Request& request) {
  Transfer transfer{request, {}, 0, nullptr};
  if (request.upload != nullptr && std::fseek(request.upload, 0, SEEK_SET) != 0) {
    throw Error(fmt::format("{}: {} {}: cannot rewind the upload: {}", m_context, request.method,
                            url_path(request.url), std::strerror(errno)));
  }
  CURL* handle = m_handle;
  curl_easy_reset(handle); // keeps the open connection
  char error_text[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "xstage");
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, request.protocols.c_str());
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, k_connect_seconds);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, k_low_speed_bytes);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, k_low_speed_seconds);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT,
                   request.sink || request.upload != nullptr ? k_streamed_request_seconds
                                                             : k_small_request_seconds);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  if (request.method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else if (request.method == "GET") {
    curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(handle, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(handle, CURLOPT_READDATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, on_seek);
    curl_easy_setopt(handle, CURLOPT_SEEKDATA, &transfer);
    std::uint64_t size = request.upload != nullptr ? request.upload_size : request.body.size();
    curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
  }
  if (request.follow_redirects) {
    curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(handle, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, request.redirect_protocols.c_str());
  }
  if (request.basic != nullptr) {
    curl_easy_setopt(handle, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(handle, CURLOPT_USERNAME, request.basic->username.c_str());
    curl_easy_setopt(handle, CURLOPT_PASSWORD, request.basic->password.c_str());
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  for (const std::string& header : request.headers) {
    curl_slist* longer = curl_slist_append(headers.get(), header.c_str());
    if (longer == nullptr) {
      throw std::bad_alloc();
    }
    headers.release();
    headers.reset(longer);
  }
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);

  CURLcode result = curl_easy_perform(handle);
  if (transfer.failure) {
    std::rethrow_exception(transfer.failure);
  }
  if (result != CURLE_OK && !transfer.response.oversized && !transfer.error_body_cut) {
    return {std::nullopt, error_text[0] != '\0' ? error_text : curl_easy_strerror(result)};
  }
  return {std::move(transfer.response), ""};
}

Response Session::perform(const Request& request) {
  Outcome outcome = attempt(request);
  if (!outcome.response) {
    throw TransferError(fmt::format("{}: {} {} failed: {}", m_context, request.method, url_path(request.url),
                                    outcome.failure));
  }
  return std::move(*outcome.response);
}

std::string url_authority(const std::string& url) {
  std::size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  return url.substr(start, url.find_first_of("/?", start) - start);
}

std::string url_path(const std::string& url) {
  std::size_t start = url.find("://");
  start = url.find('/', start == std::string::npos ? 0 : start + 3);
  return start == std::string::npos ? "/" : url.substr(start, url.find('?', start) - start);
}

std::string url_escape(const std::string& text) {
  char* escaped = curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size()));
  std::string result(escaped != nullptr ? escaped : "");
  curl_free(escaped);
  return result;
}

} // namespace xstage::http
