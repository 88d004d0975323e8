#include "process/interrupt.hpp"

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>

#include <time.h>
#include <unistd.h>

#include "util/stop.hpp"

namespace xstage::process {

namespace {

// Lock-free slots, so the signal handler may read them.
std::array<std::atomic<pid_t>, 32> g_groups{};
static_assert(std::atomic<pid_t>::is_always_lock_free);

extern "C" void on_interrupt(int signal_number) {
  int saved_errno = errno;
  util::request_stop(signal_number);
  for (std::atomic<pid_t>& group : g_groups) {
    pid_t pid = group.load();
    if (pid > 0) {
      ::kill(-pid, SIGTERM);
    }
  }
  errno = saved_errno;
}

bool group_exists(pid_t group) {
  return ::kill(-group, 0) == 0 || errno == EPERM;
}

} // namespace

void install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0; // no SA_RESTART: a blocking wait returns EINTR and sees the flag
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
    ::sigaction(signal_number, &action, nullptr);
  }
}

int interrupted_by() {
  return util::stop_signal();
}

void register_group(pid_t group) {
  for (std::atomic<pid_t>& slot : g_groups) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, group)) {
      break;
    }
  }
  if (util::stop_signal() != 0) {
    ::kill(-group, SIGTERM); // the signal came while it was starting
  }
}

void forget_group(pid_t group) {
  for (std::atomic<pid_t>& slot : g_groups) {
    pid_t expected = group;
    slot.compare_exchange_strong(expected, 0);
  }
}

void stop_group(pid_t group, int grace_ms) {
  if (!group_exists(group)) {
    return;
  }
  ::kill(-group, SIGTERM);
  for (int waited = 0; waited < grace_ms && group_exists(group); waited += 50) {
    struct timespec pause {
      0, 50 * 1000 * 1000
    };
    ::nanosleep(&pause, nullptr);
  }
  if (group_exists(group)) {
    ::kill(-group, SIGKILL);
  }
}

} // namespace xstage::process
