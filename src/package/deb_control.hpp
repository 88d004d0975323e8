#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace xstage::package {

// The files `names` (like "shlibs") of a .deb's control archive, read in
// memory with libarchive: the .deb is an ar archive whose control.tar(.gz,
// .xz, .zst) member holds them. Nothing is written and nothing runs, so a
// hostile package can at most be refused: a control member over 64 MiB, a
// file over 4 MiB, or an unreadable archive throws xstage::Error naming the
// .deb. Files the package does not have are absent from the result.
std::map<std::string, std::string> read_control_files(const std::filesystem::path& deb,
                                                      const std::vector<std::string>& names);

// The fields of a .deb's control file ("Depends" -> "libc6 (>= 2.36)"),
// read as read_control_files reads it; a continued field's lines joined.
std::map<std::string, std::string> control_fields(const std::filesystem::path& deb);

} // namespace xstage::package
