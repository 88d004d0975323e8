#pragma once

#include <sys/types.h>

namespace xstage::process {

// Clean interruption. Every command SpawnRunner starts runs in a process
// group of its own, registered here while it runs. On SIGINT, SIGTERM or
// SIGHUP to xstage, the handler installed by install_interrupt_handler()
// forwards SIGTERM to every registered group (a terminal's Ctrl-C reaches only
// xstage's own group), and SpawnRunner then stops what is left of the group
// (SIGKILL after a grace period), waits for it and throws
// xstage::Error("interrupted by signal N"): nothing keeps running, and the
// build's own error handling reports the stage and step.
void install_interrupt_handler();

// The signal that interrupted xstage, or 0.
int interrupted_by();

// Registers a running process group with the handler, and forgets it.
void register_group(pid_t group);
void forget_group(pid_t group);

// Sends SIGTERM to `group`, waits up to `grace_ms` for it to be gone, then
// sends SIGKILL.
void stop_group(pid_t group, int grace_ms);

} // namespace xstage::process
