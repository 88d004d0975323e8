#include "image/image_plan.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "util/error.hpp"

namespace xstage::image {

namespace {

const recipe::Recipe& requested_stage(const recipe::Pipeline& pipeline, const std::string& requested) {
  const recipe::Recipe& recipe = pipeline.stage(requested);
  if (!recipe.image) {
    throw Error(fmt::format("stage '{}' has no [image] section in {}; it says what the image runs",
                            recipe.name, recipe.file.string()));
  }
  return recipe;
}

const recipe::Recipe& only_image_stage(const recipe::Pipeline& pipeline) {
  std::vector<const recipe::Recipe*> with_image;
  for (const recipe::Recipe& recipe : pipeline.stages()) {
    if (recipe.image) {
      with_image.push_back(&recipe);
    }
  }
  if (with_image.size() == 1) {
    return *with_image.front();
  }
  if (with_image.empty()) {
    throw Error(
        fmt::format("pipeline '{}' declares no image: add an [image] section (entrypoint, runtime) to "
                    "the recipe of the stage to ship",
                    pipeline.name()));
  }
  std::vector<std::string> names;
  for (const recipe::Recipe* recipe : with_image) {
    names.push_back(recipe->name);
  }
  throw Error(fmt::format("pipeline '{}' has several images ({}); name the stage: xstage image STAGE",
                          pipeline.name(), fmt::join(names, ", ")));
}

ImageLayer cached_layer(const cache::Cache& cache, const std::map<std::string, key::StageKey>& keys,
                        const std::string& stage) {
  const std::string& key = keys.at(stage).key;
  std::optional<cache::CacheEntry> entry = cache.find(key);
  if (!entry) {
    throw Error(
        fmt::format("stage '{}' ({}) is not in the cache after building it", stage, key.substr(0, 12)));
  }
  return {entry->layer, cache.blob_path(entry->layer.digest), stage};
}

} // namespace

ImagePlan plan_image(const recipe::Pipeline& pipeline, const std::string& requested) {
  const recipe::Recipe& stage =
      requested.empty() ? only_image_stage(pipeline) : requested_stage(pipeline, requested);
  ImagePlan plan;
  plan.stage = &stage;
  plan.stages = stage.image->runtime;
  plan.stages.push_back(stage.name);
  plan.config = {stage.image->entrypoint, stage.image->env, stage.image->working_dir, {}};
  return plan;
}

std::vector<ImageLayer> cached_layers(const cache::Cache& cache,
                                      const std::map<std::string, key::StageKey>& keys,
                                      const std::vector<std::string>& stages) {
  std::vector<ImageLayer> layers;
  for (const std::string& stage : stages) {
    layers.push_back(cached_layer(cache, keys, stage));
  }
  return layers;
}

SysrootComparison compare_with_sysroot(const recipe::Pipeline& pipeline, const ImagePlan& plan,
                                       const cache::Cache& cache,
                                       const std::map<std::string, key::StageKey>& keys, const Image& image) {
  SysrootComparison comparison;
  for (const recipe::Recipe* recipe : pipeline.closure({plan.stage->name})) {
    if (recipe->name != plan.stage->name) {
      comparison.sysroot_size += cached_layer(cache, keys, recipe->name).info.size;
      comparison.ancestors.push_back(recipe->name);
    }
  }
  if (comparison.sysroot_size > 0) {
    comparison.image_percent =
        100.0 * static_cast<double>(image.total_size()) / static_cast<double>(comparison.sysroot_size);
  }
  return comparison;
}

RuntimeReport check_image_runtime(const ImagePlan& plan, const std::vector<ImageLayer>& layers) {
  const recipe::Recipe& stage = *plan.stage;
  RuntimeReport report = check_runtime_closure(layers, stage.image->dlopen, plan.config);
  if (!report.problems.empty()) {
    throw Error(fmt::format(
        "the image of stage '{}' cannot start its programs:\n  {}\nadd the Debian packages "
        "that ship them to the runtime stage ({}), or link them into '{}'",
        stage.name, fmt::join(report.problems, "\n  "), fmt::join(stage.image->runtime, ", "), stage.name));
  }
  return report;
}

Image gzip_variant(const Image& image, Compression compression, const std::vector<ImageLayer>& layers,
                   const ImageConfig& config, const std::filesystem::path& transcode_cache) {
  return compression == Compression::gzip
             ? image
             : assemble_image(layers, config, Compression::gzip, transcode_cache);
}

std::string docker_archive_name(const recipe::Pipeline& pipeline, const std::string& tag) {
  return fmt::format("xstage/{}:{}", pipeline.name(), tag);
}

} // namespace xstage::image
