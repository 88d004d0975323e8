#pragma once

#include <filesystem>

namespace xstage::source {

// Unpacks a tar (plain, gzip, bzip2, xz or zstd) or zip archive into
// `destination`, which must not exist or be empty. When every entry lies in
// one top-level directory, that directory's content becomes `destination`'s
// (like tar --strip-components=1). Entries are written to a scratch directory
// beside `destination` that is renamed into place only once all is unpacked
// and checked, so a refused archive leaves nothing. Refused, with an error
// naming the archive and the entry: absolute paths, '..' components, writing
// through a symlink, symlinks and hard links that point outside the tree,
// device nodes, fifos and sockets. Modification times are kept, owners are
// not, and permissions pass through the umask.
void unpack_archive(const std::filesystem::path& archive, const std::filesystem::path& destination);

} // namespace xstage::source
