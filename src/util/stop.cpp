#include "util/stop.hpp"

#include <atomic>

#include <fmt/format.h>

#include "util/error.hpp"

namespace xstage::util {

namespace {

std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

} // namespace

void request_stop(int signal_number) {
  g_signal.store(signal_number);
}

int stop_signal() {
  return g_signal.load();
}

void throw_if_stopped(std::string_view what) {
  if (int signal_number = g_signal.load(); signal_number != 0) {
    throw Error(fmt::format("interrupted by signal {} while {}", signal_number, what));
  }
}

} // namespace xstage::util
