#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace xstage::util {

// The candidate closest to `word` by edit distance, if it is close enough to
// be a likely typo (at most a third of the word's length, and at least 1),
// else an empty string. Used for "did you mean" hints.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// "; did you mean 'x'?" when a close candidate exists, else "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

} // namespace xstage::util
