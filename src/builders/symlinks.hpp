#pragma once

#include <cstddef>
#include <filesystem>

namespace xstage::builders {

// Rewrites every absolute symlink under `root` to the equivalent relative
// one, as if `root` were "/": root/usr/lib/x/libm.so -> /lib/x/libm.so.6
// becomes ../../../lib/x/libm.so.6. Debian packages ship such links; seen
// from the build machine they point at its own files, and links against a
// sysroot then fail in odd ways. Returns how many links were rewritten.
std::size_t make_symlinks_relative(const std::filesystem::path& root);

} // namespace xstage::builders
