#pragma once

#include <map>
#include <string>
#include <vector>

#include "image/image.hpp"
#include "image/sbom.hpp"
#include "package/package_plan.hpp"
#include "process/spawn.hpp"
#include "recipe/pipeline.hpp"

namespace xstage::package {

// What each layer of a locked debian stage among `layers` holds, file by
// file, against what the stage's locked packages install: every regular
// file of the layer with its digests, and the package whose .deb has it
// (with the same content, or flagged modified), or none. The .debs come
// from the downloads cache, --sources or the mirror, each checked by its
// SHA-256. For the image's SBOM, so that it lists what the image holds.
std::map<std::string, image::LayerContents>
debian_layer_contents(const recipe::Pipeline& pipeline, const std::vector<image::ImageLayer>& layers,
                      const PackageSources& sources, process::CommandRunner& runner);

} // namespace xstage::package
