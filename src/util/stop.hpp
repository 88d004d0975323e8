#pragma once

#include <string_view>

namespace xstage::util {

// A request to stop: set by process/'s signal handler (SIGINT, SIGTERM,
// SIGHUP), read by the long loops that run no command of their own (a
// download, a layer read, hashing a file), so that Ctrl-C ends them within a
// second as it ends a command. Lock-free, so a signal handler may set it.
void request_stop(int signal_number);

// The signal that asked to stop, or 0.
int stop_signal();

// Throws xstage::Error "interrupted by signal N while WHAT" once a stop was
// requested.
void throw_if_stopped(std::string_view what);

} // namespace xstage::util
