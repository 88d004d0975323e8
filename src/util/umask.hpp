#pragma once

#include <mutex>

namespace xstage::util {

// The umask xstage runs and builds under, whatever the caller's: the modes of
// the directories a build makes (cmake --install, make install) end up in its
// layer, so a stage built under umask 077 or 0 would differ from the same
// stage built under 022, and a 077 one would ship directories nobody else can
// read.
inline constexpr unsigned k_build_umask = 022;

// Sets the process umask to k_build_umask. Called once, before any thread.
void set_build_umask();

// Held while the umask may be away from k_build_umask, and while starting a
// child. libarchive's disk writer reads the umask by setting it to 0 and
// back, in archive_write_disk_new() and again in archive_write_header() for
// every entry: two threads doing so at once can leave it at 0 for good, and
// a child started in between inherits 0. Either way the build's directories
// come out world-writable and its layer differs from a rebuild. So both
// calls are made holding this lock (never archive_read_extract2(), which
// writes the header inside).
std::unique_lock<std::mutex> hold_umask();

// Calls `make` (archive_write_disk_new, archive_write_header) holding the
// lock above, and returns what it returns.
template <typename Make> auto under_umask_lock(Make make) {
  std::unique_lock<std::mutex> held = hold_umask();
  return make();
}

} // namespace xstage::util
