#include "local_registry.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <curl/curl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process/spawn.hpp"
#include "test_support.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace xstage::test {

ChildProcess::ChildProcess(const std::vector<std::string>& argv, fs::path log) : m_log(std::move(log)) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, m_log.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<std::string> args = argv;
  std::vector<char*> pointers;
  for (std::string& arg : args) {
    pointers.push_back(arg.data());
  }
  pointers.push_back(nullptr);
  int error = ::posix_spawnp(&m_pid, pointers[0], &actions, nullptr, pointers.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    throw std::runtime_error(fmt::format("cannot start {}: {}", argv[0], std::strerror(error)));
  }
}

ChildProcess::~ChildProcess() {
  if (running()) {
    // Test servers hold nothing worth a graceful shutdown.
    ::kill(m_pid, SIGKILL);
    while (::waitpid(m_pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

bool ChildProcess::running() {
  if (m_pid <= 0) {
    return false;
  }
  int status = 0;
  pid_t done = ::waitpid(m_pid, &status, WNOHANG);
  if (done == m_pid) {
    m_pid = -1;
  }
  return done == 0;
}

void ChildProcess::wait_for_http(const std::string& url, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 2000L);
  curl_easy_setopt(
      curl.get(), CURLOPT_WRITEFUNCTION,
      +[](char*, std::size_t size, std::size_t count, void*) { return size * count; });
  for (;;) {
    if (curl_easy_perform(curl.get()) == CURLE_OK) {
      return; // any status: the server is up
    }
    bool alive = running();
    if (!alive || std::chrono::steady_clock::now() > deadline) {
      throw std::runtime_error(fmt::format(
          "{} {}; its log {}:\n{}", alive ? "timed out waiting for" : "the server exited without answering",
          url, m_log.string(), read_file(m_log)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  sockaddr* generic = reinterpret_cast<sockaddr*>(&address);
  if (fd < 0 || ::bind(fd, generic, length) != 0 || ::getsockname(fd, generic, &length) != 0) {
    throw std::runtime_error(fmt::format("cannot find a free port: {}", std::strerror(errno)));
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

LocalRegistry::LocalRegistry(std::optional<HtpasswdUser> user)
    : m_dir(make_temp_dir("registry")), m_host(fmt::format("127.0.0.1:{}", free_port())) {
  std::string config = fmt::format(R"(version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: {}
  delete:
    enabled: true
http:
  addr: {}
  secret: xstage-test-secret
)",
                                   (m_dir / "storage").string(), m_host);
  if (user) {
    process::SpawnRunner runner;
    process::CommandResult made = runner.run({"htpasswd", "-Bbn", user->username, user->password});
    if (made.exit_code != 0) {
      throw std::runtime_error("htpasswd failed: " + made.output);
    }
    write_file(m_dir / "htpasswd", made.output);
    config += fmt::format("auth:\n  htpasswd:\n    realm: xstage-test\n    path: {}\n",
                          (m_dir / "htpasswd").string());
  }
  write_file(m_dir / "config.yml", config);
  m_server = std::make_unique<ChildProcess>(
      std::vector<std::string>{"docker-registry", "serve", (m_dir / "config.yml").string()},
      m_dir / "registry.log");
  m_server->wait_for_http("http://" + m_host + "/v2/");
}

fs::path LocalRegistry::blob_data(const std::string& digest) const {
  std::string hex = digest.substr(digest.find(':') + 1);
  return m_dir / "storage/docker/registry/v2/blobs/sha256" / hex.substr(0, 2) / hex / "data";
}

} // namespace xstage::test
