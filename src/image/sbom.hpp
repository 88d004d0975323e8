#pragma once

#include <map>
#include <string>
#include <string_view>

#include "image/image.hpp"
#include "image/image_plan.hpp"
#include "key/stage_key.hpp"
#include "recipe/pipeline.hpp"

namespace xstage::image {

inline constexpr std::string_view k_spdx_type = "application/spdx+json";

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
// Nothing in it depends on the time or the machine (created is
// k_image_created), so the same image always has the same document. `tool`
// names the creator, "xstage-0.1.0".
std::string spdx_document(const recipe::Pipeline& pipeline, const ImagePlan& plan,
                          const std::map<std::string, key::StageKey>& keys, const Image& image,
                          const std::string& tag, const std::string& tool);

// `document` as a referrer of `image` (artifactType k_spdx_type), which
// OCI 1.1 tools find by the image's manifest digest.
Referrer sbom_referrer(const Image& image, std::string document);

} // namespace xstage::image
