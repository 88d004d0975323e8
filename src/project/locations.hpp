#pragma once

#include <filesystem>
#include <string>

namespace xstage::project {

// The project root: `explicit_root` (--root; relative to `start`) when it is
// not empty, else the nearest directory at or above `start` (an absolute
// path, the current directory of a command) holding cross/aarch64.ini and
// recipes/. Throws xstage::Error naming `explicit_root` as given when it
// lacks them, or naming `start` and the files looked for when no directory
// at or above it has them.
std::filesystem::path find_project_root(const std::filesystem::path& start, const std::string& explicit_root);

// Where xstage keeps the cache, work and download directories, outside any
// checkout: $XDG_CACHE_HOME/xstage, else $HOME/.cache/xstage. The values are
// passed as getenv() returns them (nullptr when unset); an empty one counts
// as unset, as the XDG base directory specification says. Throws
// xstage::Error when neither is set.
std::filesystem::path cache_home(const char* xdg_cache_home, const char* home);

} // namespace xstage::project
