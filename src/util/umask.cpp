#include "util/umask.hpp"

#include <sys/stat.h>

namespace xstage::util {

void set_build_umask() {
  ::umask(k_build_umask);
}

std::unique_lock<std::mutex> hold_umask() {
  static std::mutex mutex;
  return std::unique_lock<std::mutex>(mutex);
}

} // namespace xstage::util
