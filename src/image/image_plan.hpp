#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cache/cache.hpp"
#include "image/image.hpp"
#include "image/runtime_check.hpp"
#include "key/stage_key.hpp"
#include "recipe/pipeline.hpp"

namespace xstage::image {

// The image of one stage of a pipeline, as the stage's [image] section
// describes it: which stages' layers it stacks and what it runs. It points
// into the pipeline it was planned from, which must outlive it.
struct ImagePlan {
  const recipe::Recipe* stage = nullptr; // the stage shipped; it has an [image] section
  std::vector<std::string> stages;       // whose layers, bottom first: the runtime stages, then `stage`
  ImageConfig config;                    // the section's entrypoint, env and working directory
};

// The image of the stage `requested`, or, when that is "", of the
// pipeline's only stage with an [image] section. Throws xstage::Error for an
// unknown stage (with a "did you mean" hint), a requested stage without an
// [image] section (naming it and its recipe file), and, when nothing is
// requested, a pipeline with no image or several (naming them).
ImagePlan plan_image(const recipe::Pipeline& pipeline, const std::string& requested);

// The cached layers of `stages` (keyed by `keys`), in the same order.
// Throws xstage::Error naming the stage and its key when one is not in
// `cache`: callers build the stages first.
std::vector<ImageLayer> cached_layers(const cache::Cache& cache,
                                      const std::map<std::string, key::StageKey>& keys,
                                      const std::vector<std::string>& stages);

// How an image compares with the layers its stage was built against, which
// a runtime image must not drag along.
struct SysrootComparison {
  std::vector<std::string> ancestors; // the stage's ancestors, in build order
  std::uint64_t sysroot_size = 0;     // bytes of their cached layers
  double image_percent = 0;           // the image's size in percent of sysroot_size; 0 without ancestors
};

// `image` (of plan.stage) against its stage's ancestors' cached layers,
// which must all be in `cache` (as cached_layers() requires).
SysrootComparison compare_with_sysroot(const recipe::Pipeline& pipeline, const ImagePlan& plan,
                                       const cache::Cache& cache,
                                       const std::map<std::string, key::StageKey>& keys, const Image& image);

// check_runtime_closure() of the plan's `layers`, from its stage's dlopen
// directories too. Throws xstage::Error listing every problem and what fixes
// them (the runtime stages to add packages to) when the image cannot start
// its programs, so such an image is never written.
RuntimeReport check_image_runtime(const ImagePlan& plan, const std::vector<ImageLayer>& layers);

// The gzip variant of `image`, which was assembled from `layers` and `config`
// with `compression`: Docker engines before 23 read gzip layers only. That is
// `image` itself when it is gzip already; otherwise its layers are
// transcoded through `transcode_cache` as assemble_image() does.
Image gzip_variant(const Image& image, Compression compression, const std::vector<ImageLayer>& layers,
                   const ImageConfig& config, const std::filesystem::path& transcode_cache);

// "xstage/<pipeline>:<tag>": the name `docker load` gives a docker archive
// of the pipeline's image.
std::string docker_archive_name(const recipe::Pipeline& pipeline, const std::string& tag);

} // namespace xstage::image
