#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace xstage::test {

// A server process that lives as long as this object: started with
// posix_spawnp (stdin from /dev/null, stdout and stderr appended to `log`),
// killed and reaped by the destructor.
class ChildProcess {
public:
  ChildProcess(const std::vector<std::string>& argv, std::filesystem::path log);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // False once the child has exited (it is then reaped).
  bool running();

  // Polls GET `url` until the child answers with any HTTP status. Throws
  // std::runtime_error, quoting the log, when the child exits or `timeout`
  // passes first.
  void wait_for_http(const std::string& url, std::chrono::seconds timeout = std::chrono::seconds(20));

  const std::filesystem::path& log() const { return m_log; }

private:
  pid_t m_pid = -1;
  std::filesystem::path m_log;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0 and
// released), for a server to listen on.
int free_port();

// A user for a registry with htpasswd authentication.
struct HtpasswdUser {
  std::string username;
  std::string password;
};

// Debian's docker-registry (distribution 2.8) serving a fresh filesystem
// storage in a temp dir on 127.0.0.1, with deletes enabled and, given a
// user, htpasswd (Basic) authentication from a file made by `htpasswd -Bbn`.
// The constructor returns once GET /v2/ answers; the destructor stops it.
class LocalRegistry {
public:
  explicit LocalRegistry(std::optional<HtpasswdUser> user = std::nullopt);

  // "127.0.0.1:<port>"
  const std::string& host() const { return m_host; }
  // Where the registry keeps a blob's (or a manifest's) bytes, so that a
  // test can damage them: docker/registry/v2/blobs/sha256/<2 hex>/<hex>/data.
  std::filesystem::path blob_data(const std::string& digest) const;
  const std::filesystem::path& dir() const { return m_dir; }

private:
  std::filesystem::path m_dir;
  std::string m_host;
  std::unique_ptr<ChildProcess> m_server;
};

} // namespace xstage::test
