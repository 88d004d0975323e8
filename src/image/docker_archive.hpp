#pragma once

#include <filesystem>
#include <string>

#include "image/image.hpp"

namespace xstage::image {

// Writes `image` to `file` as a tar that `docker load` reads: the OCI image
// layout of `image` plus the manifest.json Docker has always read (Docker 25
// writes the same shape with `docker save`):
//
//   oci-layout, index.json, blobs/sha256/<hex>   as in write_oci_layout
//   manifest.json  [{"Config": "blobs/sha256/<config hex>",
//                    "RepoTags": [`repo_tag`],
//                    "Layers": ["blobs/sha256/<layer hex>", ...]}]
//
// Docker decompresses layers on load; engines before 23 know gzip but not
// zstd, so callers pass a gzip image. `repo_tag` is "name:tag"
// (e.g. "xstage/demo:latest"). The tar is deterministic (a fixed entry order,
// mtime 0, uid/gid 0, mode 0644) and written through util::AtomicFile; each
// layer is checked against its digest while it is copied in. Throws
// xstage::Error naming the file or the stage of a bad layer.
void write_docker_archive(const std::filesystem::path& file, const std::string& repo_tag, const Image& image);

// Why `repo_tag` cannot be a Docker image name ("repository:tag", lower-case
// repository components), or "" when it can.
std::string check_repo_tag(const std::string& repo_tag);

} // namespace xstage::image
