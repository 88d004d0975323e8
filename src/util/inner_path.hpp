#pragma once

#include <filesystem>
#include <string_view>

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

} // namespace xstage::util
