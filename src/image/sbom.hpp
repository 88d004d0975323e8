#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "image/image.hpp"
#include "image/image_plan.hpp"
#include "key/stage_key.hpp"
#include "recipe/pipeline.hpp"

namespace xstage::image {

inline constexpr std::string_view k_spdx_type = "application/spdx+json";

// What the layer of a locked debian stage holds, file by file, and which of
// the stage's locked packages installs each (package::debian_layer_contents
// reads both): so the SBOM describes the image, not only its lockfile.
struct LayerFile {
  std::string path;         // "usr/lib/x.so"
  std::string sha256;       // hex, of the file's content in the layer
  std::string sha1;         // hex (SPDX 2.3 requires it for files)
  std::string package;      // the locked package that installs it; empty: none
  std::string architecture; // that package's
  bool modified = false;    // the package installs it with other content
};
using LayerContents = std::vector<LayerFile>; // sorted by path

// An SPDX 2.3 JSON document of `image`, the image of `plan` assembled from
// the stages `keys` names:
//
//   the image                    DESCRIBES; manifest digest, tag
//     CONTAINS each layer stage  key as version, layer blob digest
//       CONTAINS its Debian packages (from the lock: name, version,
//                architecture, .deb SHA-256, a pkg:deb purl); an unlocked
//                stage lists what its recipe asks for, version NOASSERTION
//   every stage of the closure   GENERATED_FROM its sources (archive URL
//                                and pinned SHA-256, git URL and commit, a
//                                recipe directory's tree digest), and
//                                BUILD_DEPENDENCY_OF its children
//
// With `contents` for a debian stage, each regular file of its layer is a
// SPDX file (SHA-256 and SHA-1), CONTAINed by the package that installs it,
// or by the stage, with a comment, when no locked package installs it or one
// installs other content there: a file added to the layer is named.
//
// Nothing in it depends on the time or the machine (created is
// k_image_created), so the same image always has the same document. `tool`
// names the creator, "xstage-0.1.0".
std::string spdx_document(const recipe::Pipeline& pipeline, const ImagePlan& plan,
                          const std::map<std::string, key::StageKey>& keys, const Image& image,
                          const std::string& tag, const std::string& tool,
                          const std::map<std::string, LayerContents>& contents = {});

// `document` as a referrer of `image` (artifactType k_spdx_type), which
// OCI 1.1 tools find by the image's manifest digest.
Referrer sbom_referrer(const Image& image, std::string document);

} // namespace xstage::image
