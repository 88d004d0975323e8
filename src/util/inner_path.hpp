#pragma once

#include <filesystem>
#include <string_view>
#include <system_error>

namespace xstage::util {

// True for a non-empty relative path with no ".." component: one that names
// something inside whatever tree it is joined to ("usr/share/doc", not
// "/etc" or "usr/../../etc"). Recipes use such paths for trees they build.
inline bool is_inner_path(std::string_view text) {
  std::filesystem::path path(text);
  if (text.empty() || path.is_absolute()) {
    return false;
  }
  for (const std::filesystem::path& part : path) {
    if (part == "..") {
      return false;
    }
  }
  return true;
}

// True when `path`, with every symlink in it followed, is `root` or inside
// it (both resolved the same way): a checkout's file that is a link out of
// the checkout is not. A path that cannot be resolved is not inside.
inline bool resolves_inside(const std::filesystem::path& root, const std::filesystem::path& path) {
  std::error_code error;
  const std::filesystem::path real_root = std::filesystem::weakly_canonical(root, error);
  if (error) {
    return false;
  }
  const std::filesystem::path real = std::filesystem::weakly_canonical(path, error);
  if (error) {
    return false;
  }
  auto part = real.begin();
  for (const std::filesystem::path& root_part : real_root) {
    if (part == real.end() || *part != root_part) {
      return false;
    }
    ++part;
  }
  return true;
}

} // namespace xstage::util
