#pragma once

#include <string_view>

namespace xstage::util {

// True for a name xstage joins into paths (stages, pipelines, steps,
// sources): letters, digits, '_' and '-', not starting with '-'. So "." and
// ".." (a recipe file named "...ini") never become a directory to delete.
inline bool is_name(std::string_view text) {
  if (text.empty() || text.front() == '-') {
    return false;
  }
  for (char c : text) {
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!letter && !(c >= '0' && c <= '9') && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

} // namespace xstage::util
