// xstage image [STAGE]: a thin runtime image of a stage (its layer over its
// [image] runtime stages' layers), as an OCI layout, a docker archive or a
// registry push.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/build_setup.hpp"
#include "cli/commands.hpp"
#include "cli/console_status.hpp"
#include "cli/registry_connection.hpp"
#include "image/docker_archive.hpp"
#include "image/oci_layout.hpp"
#include "image/runtime_check.hpp"
#include "remote/image_push.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::cli {

namespace {

struct ImageArguments {
  std::string stage;
  std::string oci;
  std::string docker_archive;
  std::string context;
  std::string push;
  RegistryFlags registry;
  std::string compression = "zstd";
  std::string tag = "latest";
  int jobs = 0;
  std::vector<std::string> sources;
};

// The stage to make an image of: the one asked for, or the pipeline's only
// stage with an [image] section.
const recipe::Recipe& image_stage(const recipe::Pipeline& pipeline, const std::string& requested) {
  if (!requested.empty()) {
    const recipe::Recipe& recipe = pipeline.stage(requested);
    if (!recipe.image) {
      throw Error(fmt::format("stage '{}' has no [image] section in {}; it says what the image runs",
                              recipe.name, recipe.file.string()));
    }
    return recipe;
  }
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

image::ImageLayer cached_layer(const BuildSession& session, const std::string& stage) {
  const std::string& key = session.keys.at(stage).key;
  std::optional<cache::CacheEntry> entry = session.cache->find(key);
  if (!entry) {
    throw Error(
        fmt::format("stage '{}' ({}) is not in the cache after building it", stage, key.substr(0, 12)));
  }
  return {entry->layer, session.cache->blob_path(entry->layer.digest), stage};
}

// The runtime image must not drag the build sysroot along; say how it
// compares with the layers the stage was built against.
void report_sizes(const BuildSession& session, const recipe::Recipe& stage, const image::Image& image,
                  std::string_view compression) {
  std::uint64_t sysroot = 0;
  std::vector<std::string> ancestors;
  for (const recipe::Recipe* recipe : session.project.pipeline.closure({stage.name})) {
    if (recipe->name != stage.name) {
      sysroot += cached_layer(session, recipe->name).info.size;
      ancestors.push_back(recipe->name);
    }
  }
  fmt::print("image size {} ({} layers)", human_size(image.total_size()), compression);
  if (sysroot > 0) {
    fmt::print("; {} was built against {} of layers ({}): {:.0f}%", stage.name, human_size(sysroot),
               fmt::join(ancestors, ", "),
               100.0 * static_cast<double>(image.total_size()) / static_cast<double>(sysroot));
  }
  fmt::print("\n");
}

void check_runtime(const std::vector<image::ImageLayer>& layers, const recipe::Recipe& stage) {
  image::RuntimeReport report = image::check_runtime_closure(layers, stage.image->dlopen);
  if (!report.problems.empty()) {
    std::vector<std::string> runtime = stage.image->runtime;
    throw Error(
        fmt::format("the image of stage '{}' cannot start its programs:\n  {}\nadd the Debian packages "
                    "that ship them to the runtime stage ({}), or link them into '{}'",
                    stage.name, fmt::join(report.problems, "\n  "), fmt::join(runtime, ", "), stage.name));
  }
  std::string loaded =
      stage.image->dlopen.empty() ? "" : fmt::format(" and {} it loads at run time", report.loaded);
  std::size_t starts = report.programs + report.loaded;
  fmt::print("runtime check: {} of {}{} need{} {} libraries, all in the image\n",
             counted(report.programs, "ELF file"), stage.name, loaded, starts == 1 ? "s" : "",
             report.libraries);
}

void push(const std::string& reference, const RegistryFlags& flags, const image::Image& image,
          std::string_view compression) {
  registry::Reference parsed = registry::parse_reference(reference);
  if (!parsed.digest.empty()) {
    throw Error(
        fmt::format("--push '{}': push to a tag, not a digest (the digest is the manifest's)", reference));
  }
  std::string tag = parsed.tag.empty() ? "latest" : parsed.tag;
  auto client = connect(reference, flags);
  remote::PushCounts outcome = remote::push_image(*client, tag, image, cache_home() / "staging");
  fmt::print("pushed {}:{} ({} layers): {} sent ({}), {}{} already there; manifest {}\n",
             parsed.host + "/" + parsed.repository, tag, compression, counted(outcome.blobs_sent, "blob"),
             human_size(outcome.bytes_sent),
             flags.mount_from.empty()
                 ? ""
                 : fmt::format("{} mounted from {}, ", outcome.blobs_mounted, flags.mount_from),
             outcome.blobs_present, image.manifest_digest);
}

} // namespace

void add_image_command(CLI::App& app, const GlobalOptions& options) {
  auto* command = app.add_subcommand(
      "image", "Assemble a thin linux/arm64 runtime image of a stage from cached layers, without a daemon");
  auto args = std::make_shared<ImageArguments>();
  command->add_option("stage", args->stage,
                      "Stage with an [image] section (default: the pipeline's only one)");
  command->add_option("--oci", args->oci, "Write an OCI image layout to this directory");
  command->add_option("--docker-archive", args->docker_archive,
                      "Write a `docker load` archive (gzip layers) to this file");
  command->add_option("--push", args->push,
                      "Push the image (--compression's layers) to a registry, e.g. 127.0.0.1:5000/demo:v1");
  add_insecure_flag(command, args->registry);
  command->add_option("--mount-from", args->registry.mount_from,
                      "A repository of the same registry to mount layers from instead of uploading "
                      "them, e.g. the stage cache's 127.0.0.1:5000/xstage-cache");
  command->add_option(
      "--context", args->context,
      "Write the layers as <stage>.tar.gz: the build context of docker/<pipeline>.Dockerfile");
  command
      ->add_option("--compression", args->compression,
                   "Layer compression of --oci and --push: zstd (as cached) or gzip")
      ->check(CLI::IsMember({"zstd", "gzip"}))
      ->capture_default_str();
  command->add_option("--tag", args->tag, "Tag of the image")->capture_default_str();
  command->add_option("-j,--jobs", args->jobs, "Parallel jobs per stage when a stage must be built");
  command->add_option("--sources", args->sources, "A local mirror directory of source archives (repeatable)");
  command->callback([&options, args] {
    if (args->oci.empty() && args->docker_archive.empty() && args->context.empty() && args->push.empty()) {
      throw Error("xstage image needs somewhere to put the image: --oci DIR, --docker-archive FILE, "
                  "--context DIR or --push REF");
    }
    if (!args->registry.mount_from.empty()) {
      if (args->push.empty()) {
        throw Error("--mount-from only applies to --push");
      }
      mount_repository(args->push, args->registry); // before building: a bad flag fails at once
    }
    BuildSession session(options, args->jobs, args->sources);
    const recipe::Recipe& stage = image_stage(session.project.pipeline, args->stage);
    std::vector<std::string> stages = stage.image->runtime;
    stages.push_back(stage.name);
    session.build_and_report(stages);

    std::vector<image::ImageLayer> layers;
    for (const std::string& name : stages) {
      layers.push_back(cached_layer(session, name));
    }
    fmt::print("image of {}: layers {}\n", stage.name, fmt::join(stages, ", "));
    check_runtime(layers, stage);
    image::ImageConfig config{stage.image->entrypoint, stage.image->env, stage.image->working_dir, {}};
    fs::path transcodes = session.cache->transcoded_dir();
    auto compression = args->compression == "gzip" ? image::Compression::gzip : image::Compression::zstd;

    image::Image chosen = image::assemble_image(layers, config, compression, transcodes);
    report_sizes(session, stage, chosen, args->compression);
    if (!args->oci.empty()) {
      image::write_oci_layout(args->oci, args->tag, chosen);
      fmt::print("wrote OCI layout {} (tag {}, {} layers, {} transcoded), manifest {}\n", args->oci,
                 args->tag, args->compression, chosen.layers_transcoded, chosen.manifest_digest);
    }
    // Docker engines before 23 read gzip layers only.
    image::Image gzip =
        compression == image::Compression::gzip || (args->docker_archive.empty() && args->context.empty())
            ? chosen
            : image::assemble_image(layers, config, image::Compression::gzip, transcodes);
    if (!args->docker_archive.empty()) {
      std::string name = fmt::format("xstage/{}:{}", session.project.pipeline.name(), args->tag);
      image::write_docker_archive(args->docker_archive, name, gzip);
      fmt::print("wrote docker archive {} ({}, gzip layers, {}), manifest {}\n", args->docker_archive, name,
                 human_size(fs::file_size(args->docker_archive)), gzip.manifest_digest);
    }
    if (!args->push.empty()) {
      push(args->push, args->registry, chosen, args->compression);
    }
    if (!args->context.empty()) {
      std::vector<std::string> files = image::write_layer_files(args->context, gzip);
      fmt::print("wrote build context {} ({}) for docker/{}.Dockerfile\n", args->context,
                 fmt::join(files, ", "), session.project.pipeline.name());
    }
  });
}

} // namespace xstage::cli
