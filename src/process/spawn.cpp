#include "process/spawn.hpp"

#include <cerrno>
#include <cstring>
#include <mutex>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "process/interrupt.hpp"
#include "util/error.hpp"
#include "util/umask.hpp"

extern char** environ;

namespace xstage::process {

namespace {

// Closes a file descriptor when it goes out of scope.
class FileDescriptor {
public:
  explicit FileDescriptor(int fd = -1) : m_fd(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
      reset();
      m_fd = other.m_fd;
      other.m_fd = -1;
    }
    return *this;
  }

  int get() const { return m_fd; }
  void reset() {
    if (m_fd >= 0) {
      ::close(m_fd);
      m_fd = -1;
    }
  }

private:
  int m_fd;
};

std::string read_all(int fd) {
  std::string output;
  char buffer[8192];
  for (;;) {
    ssize_t count = ::read(fd, buffer, sizeof buffer);
    if (count > 0) {
      output.append(buffer, static_cast<std::size_t>(count));
    } else if (count == 0) {
      return output;
    } else if (errno != EINTR) {
      throw Error(fmt::format("cannot read child output: {}", std::strerror(errno)));
    }
  }
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      throw Error(fmt::format("waitpid failed: {}", std::strerror(errno)));
    }
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return WEXITSTATUS(status);
}

// The environment of the child: ours, with `overrides` replacing or adding.
std::vector<std::string> child_environment(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    std::string name(text.substr(0, text.find('=')));
    if (overrides.count(name) == 0) {
      entries.emplace_back(text);
    }
  }
  for (const auto& [name, value] : overrides) {
    entries.push_back(name + "=" + value);
  }
  return entries;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& text : strings) {
    pointers.push_back(text.data());
  }
  pointers.push_back(nullptr);
  return pointers;
}

} // namespace

CommandResult SpawnRunner::run(const Invocation& invocation) {
  if (invocation.argv.empty()) {
    throw Error("cannot run an empty command");
  }
  FileDescriptor read_end;
  FileDescriptor write_end;
  if (invocation.log.empty()) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
      throw Error(fmt::format("cannot create a pipe: {}", std::strerror(errno)));
    }
    read_end = FileDescriptor(pipe_fds[0]);
    write_end = FileDescriptor(pipe_fds[1]);
  } else {
    write_end =
        FileDescriptor(::open(invocation.log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (write_end.get() < 0) {
      throw Error(fmt::format("cannot open log {}: {}", invocation.log.string(), std::strerror(errno)));
    }
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (!invocation.cwd.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, invocation.cwd.c_str());
  }

  std::vector<std::string> argv = invocation.argv;
  std::vector<std::string> environment = child_environment(invocation.env);
  std::vector<char*> args = c_strings(argv);
  std::vector<char*> envp = c_strings(environment);

  // A process group of its own, so an interruption stops the whole tree
  // (cmake, ninja, the compilers, qemu) and nothing else.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);

  pid_t pid = 0;
  int spawn_error = 0;
  {
    // The child inherits the umask of this instant; see util/umask.hpp.
    std::unique_lock<std::mutex> umask_held = util::hold_umask();
    spawn_error = ::posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), envp.data());
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawn_error != 0) {
    throw Error(fmt::format("cannot run {}: {}", argv[0], std::strerror(spawn_error)));
  }
  register_group(pid);
  write_end.reset();

  CommandResult result;
  try {
    if (read_end.get() >= 0) {
      result.output = read_all(read_end.get());
    }
    result.exit_code = wait_for(pid);
  } catch (...) {
    stop_group(pid, 0);
    forget_group(pid);
    throw;
  }
  if (int signal_number = interrupted_by(); signal_number != 0) {
    stop_group(pid, 2000);
    forget_group(pid);
    throw Error(
        fmt::format("interrupted by signal {} while running `{}`", signal_number, quote_command(argv)));
  }
  forget_group(pid);
  return result;
}

std::string quote_command(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& arg : argv) {
    if (!line.empty()) {
      line += ' ';
    }
    bool plain =
        !arg.empty() &&
        arg.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") ==
            std::string::npos;
    line += plain ? arg : shell_quote(arg);
  }
  return line;
}

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return quoted + "'";
}

} // namespace xstage::process
