#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace xstage::http {

// A login for Basic authentication. Never put in a message, a log or an
// exception: only the username may be named.
struct Credentials {
  std::string username;
  std::string password;
};

// One request for Session::perform.
struct Request {
  std::string method; // GET, HEAD, PUT, POST
  std::string url;    // absolute
  std::vector<std::string> headers;
  std::string_view body;         // sent by PUT and POST unless `upload` is set
  std::FILE* upload = nullptr;   // sent by PUT from its start, `upload_size` bytes
  std::uint64_t upload_size = 0; //
  // Sent as Basic authentication when set. libcurl never forwards it (nor an
  // Authorization header) to another host on a redirect.
  const Credentials* basic = nullptr;
  std::string protocols = "http,https"; // what `url` may use, e.g. "http,https,ftp,file"
  bool follow_redirects = false;
  std::string redirect_protocols = "https"; // e.g. "http,https"
  // A successful body goes here, chunk by chunk, instead of into the response.
  std::function<void(std::string_view chunk)> sink;
  // A successful body longer than this is cut short and flagged `oversized`.
  std::uint64_t limit = 4 << 20;
  // Called with bytes done and the total (0 when unknown) of the upload, or
  // else of the download.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

struct Response {
  // The final HTTP status; 0 for a protocol without one (file:, ftp:), whose
  // body is always the content.
  long status = 0;
  std::map<std::string, std::string> headers; // the final response's, names in lower case
  std::string body;                           // unless it went to Request::sink; error bodies cut at 64 KiB
  std::uint64_t streamed = 0;                 // bytes given to Request::sink
  std::uint64_t uploaded = 0;                 // bytes of `upload` read and sent
  bool oversized = false;                     // the body passed Request::limit and was cut short

  // True for a 2xx status, or for a protocol without statuses.
  bool success() const { return status == 0 || (status >= 200 && status < 300); }

  // The value of a header (`name` in lower case), empty when absent.
  std::string header(const std::string& name) const;
};

// The server did not serve: no response arrived (it could not be reached,
// stalled, dripped below the low-speed limit or passed the deadline), or a
// caller found it failing (HTTP 5xx). Callers that ask one server for many
// things stop at the first (the next would wait as long, or fail the same).
class TransferError : public Error {
public:
  using Error::Error;
};

// What became of a request: a response, whatever its status, or why none
// arrived (libcurl's reason: "Could not resolve host: x").
struct Outcome {
  std::optional<Response> response;
  std::string failure;
};

// The one libcurl wrapper: an easy handle reused for every request, so that
// requests to one server share a keep-alive connection. Every request gives
// up on a connection after 15 seconds, on a transfer slower than 1 KiB/s
// over 30 seconds (a server that drips or stalls), and at a deadline: 2
// minutes for a body kept in memory, an hour for a streamed body or an
// upload. An error body is read up to 64 KiB, then the transfer ends. A stop
// request (util/stop.hpp: Ctrl-C) ends a transfer within a second, with
// "interrupted by signal N". Not thread-safe.
class Session {
public:
  // `context` starts every message: "registry 127.0.0.1:5000/team/demo".
  explicit Session(std::string context);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Sends `request`. Rethrows an exception from `sink` or `progress`; throws
  // xstage::Error naming the context for a local failure.
  Outcome attempt(const Request& request);

  // The same, but throws TransferError "<context>: GET /v2/x failed:
  // <reason>" when no response arrives (connection refused, timeout, TLS).
  Response perform(const Request& request);

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

} // namespace xstage::http
