#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace xstage::source {

// Reports progress: what is being fetched (a URL, a package), bytes done and
// the expected total (0 when unknown).
using ProgressCallback =
    std::function<void(const std::string& what, std::uint64_t done, std::uint64_t total)>;

// Downloads `url` through an http::Session into `file` (created or
// truncated), following redirects (to http, https or ftp only) and failing on
// HTTP errors.
// `progress` may be empty. Returns nothing on success, or why the network or
// the server failed ("HTTP 404", "Could not resolve host: x"), so that the
// caller can try the next place; local failures (cannot write `file`) and
// exceptions from `progress` are thrown. Whatever was written to `file` stays
// for the caller to remove.
std::optional<std::string> download(const std::string& url, const std::filesystem::path& file,
                                    const ProgressCallback& progress);

} // namespace xstage::source
