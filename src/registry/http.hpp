#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "registry/credentials.hpp"

namespace xstage::registry {

// One HTTP request for HttpSession::perform.
struct HttpRequest {
  std::string method; // GET, HEAD, PUT, POST
  std::string url;    // absolute
  std::vector<std::string> headers;
  std::string_view body;         // sent by PUT and POST unless `upload` is set
  std::FILE* upload = nullptr;   // sent by PUT from its start, `upload_size` bytes
  std::uint64_t upload_size = 0; //
  // Sent as Basic authentication when set. libcurl never forwards it (nor an
  // Authorization header) to another host on a redirect.
  const Credentials* basic = nullptr;
  bool follow_redirects = false;
  std::string redirect_protocols = "https"; // e.g. "http,https"
  // A 2xx body goes here, chunk by chunk, instead of into the response.
  std::function<void(std::string_view chunk)> sink;
  // A 2xx body longer than this is cut short and flagged `oversized`.
  std::uint64_t limit = 4 << 20;
  // Called with bytes done and the total (0 when unknown) of the upload, or
  // else of the download.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers; // the final response's, names in lower case
  std::string body;           // unless it went to HttpRequest::sink; error bodies cut at 64 KiB
  std::uint64_t streamed = 0; // bytes given to HttpRequest::sink
  std::uint64_t uploaded = 0; // bytes of `upload` read and sent
  bool oversized = false;     // the body passed HttpRequest::limit and was cut short

  // The value of a header (`name` in lower case), empty when absent.
  std::string header(const std::string& name) const;
};

// A libcurl easy handle reused for every request, so requests to one server
// share a keep-alive connection. Not thread-safe.
class HttpSession {
public:
  // `context` starts every message: "registry 127.0.0.1:5000/team/demo".
  explicit HttpSession(std::string context);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // Sends `request` and returns the response, whatever its status. Throws
  // xstage::Error "<context>: GET /v2/x failed: <reason>" when no response
  // arrives (connection refused, timeout, TLS), and rethrows an exception
  // from `sink` or `progress`. Transfers that stall for a minute fail.
  HttpResponse perform(const HttpRequest& request);

private:
  std::string m_context;
  void* m_handle; // CURL*
};

// "https://h:1/v2/x?q" -> "h:1"
std::string url_authority(const std::string& url);
// "https://h:1/v2/x?q" -> "/v2/x": the query (upload state) is noise in messages.
std::string url_path(const std::string& url);
// Percent-encodes a query parameter value.
std::string url_escape(const std::string& text);

// A WWW-Authenticate challenge: `Bearer realm="https://x/token",service="x"`.
struct Challenge {
  std::string scheme;                        // lower case: "basic", "bearer"
  std::map<std::string, std::string> params; // names in lower case, values unquoted
};
Challenge parse_challenge(const std::string& header);

} // namespace xstage::registry
