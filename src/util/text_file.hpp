#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace xstage::util {

// What a cross file, recipe or option table may weigh: a hundred times the
// largest shipped one, so a mistaken path (a tarball, /dev/zero) is refused
// at once instead of read.
inline constexpr std::size_t k_max_input_file_size = std::size_t{4} << 20;

// The whole content of `path`, which must be a regular file (or a link to
// one) of at most `limit` bytes. Throws xstage::Error "cannot read DISPLAY:
// REASON", with `display` naming the file as the user knows it (relative to
// the project root).
std::string read_text_file(const std::filesystem::path& path, std::string_view display,
                           std::size_t limit = k_max_input_file_size);

// The whitespace-separated words of `text`, as a shell or Debian's
// one-line formats split them.
std::vector<std::string> words_of(std::string_view text);

} // namespace xstage::util
