#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace xstage::process {

// The environment variable that tags every command of one stage's build
// with its holder's token (see orchestrator::StageLock): how a later run
// finds what a killed xstage left running, whatever process group or parent
// those processes ended up with.
inline constexpr std::string_view k_token_variable = "XSTAGE_STAGE_TOKEN";

// Stops every process whose environment holds k_token_variable=`token`
// (SIGKILL: their xstage is gone, nothing will read their output), and waits
// up to `grace_ms` for them to be gone. Returns how many there were. Reads
// /proc/<pid>/environ, so only processes this user may inspect are found.
std::size_t stop_tagged_processes(const std::string& token, int grace_ms);

} // namespace xstage::process
