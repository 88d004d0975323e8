#pragma once

// What the libFuzzer harnesses share.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <regex>
#include <string>
#include <string_view>

namespace xstage::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Aborts (a finding) unless `message` starts "FILE:LINE:COL: " for `file`:
// every error of the machine-file and recipe layers is located.
inline void require_located(const std::string& message, const std::string& file) {
  static const std::regex k_located(R"(^[^:]+:[0-9]+:[0-9]+: .+)");
  if (!message.starts_with(file + ":") || !std::regex_search(message, k_located)) {
    std::fprintf(stderr, "unlocated error: %s\n", message.c_str());
    std::abort();
  }
}

} // namespace xstage::fuzz
