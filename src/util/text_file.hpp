#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace xstage::util {

// The whole content of `path`. Throws xstage::Error "cannot read DISPLAY:
// REASON", with `display` naming the file as the user knows it (relative to
// the project root).
std::string read_text_file(const std::filesystem::path& path, std::string_view display);

} // namespace xstage::util
