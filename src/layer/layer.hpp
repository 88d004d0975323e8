#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

namespace xstage::layer {

// The fixed modification time of every entry in a layer (the Unix epoch):
// layers depend on content only, never on when files were built.
inline constexpr std::int64_t k_layer_mtime = 0;

// The zstd level layers are compressed with: zstd's default, also what
// BuildKit and containerd use for zstd layers. On a 266 MB tree of libraries
// level 9 was 3x slower for a 10% smaller blob. A fixed level and
// single-threaded compression make the blob a function of the tar alone (for
// a given libzstd version; keys never depend on blob bytes).
inline constexpr int k_zstd_level = 3;

// What an OCI layer descriptor and an image config's rootfs.diff_ids need.
struct LayerInfo {
  std::string digest;                  // "sha256:<hex>" of the .tar.zst
  std::uint64_t size = 0;              // bytes of the .tar.zst
  std::string diff_id;                 // "sha256:<hex>" of the uncompressed tar
  std::uint64_t uncompressed_size = 0; // bytes of the uncompressed tar

  bool operator==(const LayerInfo&) const = default;
};

// Packs the contents of `directory` (not the directory itself) into a
// zstd-compressed tar at `output`, written through util::AtomicFile, and
// returns its digests, computed while streaming (memory use does not grow
// with the layer).
//
// The tar is deterministic: the same content gives byte-identical output
// whatever the directory's path, inode order, file times, owner or umask.
// - Format: pax ("restricted": plain ustar headers, a pax extended header
//   only where ustar cannot hold a value, e.g. paths over 100 bytes). Paths
//   are relative, without "./" or a leading "/"; directories end in "/".
// - Entries sorted by path bytes, so a directory precedes its contents;
//   directories are included.
// - mtime k_layer_mtime, uid/gid 0, empty uname/gname, no atime/ctime,
//   xattrs or ACLs.
// - Mode: permission bits (rwx for user/group/other) only; setuid, setgid
//   and sticky bits are dropped.
// - Symlinks are stored as symlinks with their target verbatim.
// - Files hard-linked within the tree are stored once, at the first path in
//   sorted order, and as hard links to it at the others.
// - Sockets, fifos and devices are refused.
// Throws xstage::Error naming the offending path.
LayerInfo write_layer(const std::filesystem::path& directory, const std::filesystem::path& output);

// Reads a .tar.zst and computes its LayerInfo, for a blob just made or
// received whose description is not known yet. Throws xstage::Error naming
// the file when it is unreadable, not zstd or truncated.
LayerInfo describe_layer(const std::filesystem::path& archive);

// Reads the layer `archive` once, as every reader of a cached layer does, and
// checks it against `expected` (what its cache entry or registry records):
// - the blob's digest and size;
// - the tar's digest (the diff_id) and size; reading stops as soon as the
//   tar grows past the recorded size, so a zstd bomb costs no more;
// - every entry against the layer policy (see extract_layer; the checks that
//   need a root to extract into are extract_layer's alone).
// Throws xstage::Error naming the archive, and the entry when one is refused.
void check_layer(const std::filesystem::path& archive, const LayerInfo& expected);

// Every non-directory path extracted so far ("usr/lib/x.so"), mapped to the
// stage whose layer wrote it.
using PathOwners = std::map<std::string, std::string>;

// Extracts the layer `archive`, written by `stage` and described by
// `expected`, into `root` (created if missing), recording each non-directory
// path in `owners`. The blob is checked as check_layer() does, in the same
// pass.
//
// Layers are untrusted input. An entry is refused (xstage::Error naming the
// archive and the entry) when its path is absolute or has a ".." component;
// when it is a device, fifo or socket, or has setuid or setgid bits; when it
// would be written through a symlink; when it is a hard link to anything but
// a file extracted earlier from the same layer; when its path is already in
// `owners` or exists on disk (only directories may be shared between
// layers); or when it is a symlink whose target leaves `root`. A symlink
// target is resolved lexically from the link's directory, an absolute target
// from `root`; a ".." may only lead the target ("../lib/x", not
// "lib/../x"), because the component it would cancel might itself be a
// symlink. Targets are stored verbatim (absolute ones stay absolute).
//
// Extracted files get the archive's permission bits exactly (no umask);
// directories additionally get u+rwx so later layers can write into them and
// the tree can be removed. File times are not restored. On error `root` may
// hold part of the layer; callers discard it.
void extract_layer(const std::filesystem::path& archive, const LayerInfo& expected,
                   const std::filesystem::path& root, const std::string& stage, PathOwners& owners);

// Extracts the files of the Debian package `deb` (its data.tar member, read
// in place) into `root` under extract_layer()'s policy, recording each
// non-directory path in `owners` as the package's (`package` names it:
// "libfoo 1.0 arm64"). dpkg-deb piped into tar would follow a directory
// symlink an earlier package left in the root, and write on the build
// machine; here a write through any symlink, a path leaving the root and a
// path two packages ship are refused, naming the package and the entry.
void extract_deb(const std::filesystem::path& deb, const std::string& package,
                 const std::filesystem::path& root, PathOwners& owners);

// One entry of a layer, as read_layer() reports it.
struct LayerEntry {
  enum class Type { file, directory, symlink, hardlink, other };
  std::string path; // "usr/lib/x.so": relative, no "./", no trailing "/"
  Type type = Type::other;
  std::string link_target; // a symlink's target verbatim; a hard link's path
  std::uint64_t size = 0;  // bytes of a file's content
  std::uint32_t mode = 0;  // permission bits (the policy refuses setuid and setgid)
};

// Reads a file entry's content; valid only during the visit of that entry.
using ReadEntryData = std::function<std::string()>;

// Calls `visit` for every entry of the layer `archive` in archive order,
// without extracting anything (for inspecting a layer: what it provides,
// what its programs need), checking it as check_layer() does. Throws
// xstage::Error naming the archive when it is unreadable, not zstd, not a
// tar, refused, or not what `expected` says.
void read_layer(const std::filesystem::path& archive, const LayerInfo& expected,
                const std::function<void(const LayerEntry&, const ReadEntryData&)>& visit);

// Calls `visit` for every entry of the Debian package `deb`'s files (its
// data.tar member), as read_layer() does for a layer, under the same policy
// (`package` names it in messages). For listing what a package installs.
void read_deb(const std::filesystem::path& deb, const std::string& package,
              const std::function<void(const LayerEntry&, const ReadEntryData&)>& visit);

} // namespace xstage::layer
