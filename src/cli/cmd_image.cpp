// xstage image [STAGE]: a thin runtime image of a stage (its layer over its
// [image] runtime stages' layers), as an OCI layout, a docker archive or a
// registry push.
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/build_setup.hpp"
#include "cli/commands.hpp"
#include "cli/console_status.hpp"
#include "cli/registry_connection.hpp"
#include "image/docker_archive.hpp"
#include "image/image_plan.hpp"
#include "image/oci_layout.hpp"
#include "image/sbom.hpp"
#include "package/layer_contents.hpp"
#include "remote/image_push.hpp"
#include "util/atomic_file.hpp"
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
  std::string sbom;
  RegistryFlags registry;
  std::string compression = "zstd";
  std::string tag = "latest";
  int jobs = 0;
  std::vector<std::string> sources;
};

void print_sizes(const recipe::Recipe& stage, const image::Image& image,
                 const image::SysrootComparison& sysroot, std::string_view compression) {
  fmt::print("image size {} ({} layers)", human_size(image.total_size()), compression);
  if (sysroot.sysroot_size > 0) {
    fmt::print("; {} was built against {} of layers ({}): {:.0f}%", stage.name,
               human_size(sysroot.sysroot_size), fmt::join(sysroot.ancestors, ", "), sysroot.image_percent);
  }
  fmt::print("\n");
}

void print_runtime_check(const recipe::Recipe& stage, const image::RuntimeReport& report) {
  std::string loaded =
      stage.image->dlopen.empty() ? "" : fmt::format(" and {} it loads at run time", report.loaded);
  std::size_t starts = report.programs + report.loaded;
  fmt::print("runtime check: {} of {}{} need{} {} libraries, all in the image\n",
             counted(report.programs, "ELF file"), stage.name, loaded, starts == 1 ? "s" : "",
             report.libraries);
}

void push(const std::string& reference, const RegistryFlags& flags, const image::Image& image,
          const image::Referrer& sbom, std::string_view compression) {
  remote::ImagePushTarget target = remote::image_push_target(reference);
  auto client = connect(reference, flags);
  remote::PushCounts outcome = remote::push_image(*client, target.tag, image, cache_home() / "staging");
  fmt::print("pushed {}:{} ({} layers): {} sent ({}), {}{} already there; manifest {}\n", target.repository,
             target.tag, compression, counted(outcome.blobs_sent, "blob"), human_size(outcome.bytes_sent),
             flags.mount_from.empty()
                 ? ""
                 : fmt::format("{} mounted from {}, ", outcome.blobs_mounted, flags.mount_from),
             outcome.blobs_present, image.manifest_digest);
  std::string tag = remote::push_referrer(*client, image, sbom, cache_home() / "staging");
  fmt::print("pushed its SBOM {} as a referrer, listed in {}:{}\n", sbom.manifest_digest, target.repository,
             tag);
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
  command->add_option("--sbom", args->sbom,
                      "Write the image's SPDX 2.3 SBOM (JSON) to this file too; an OCI layout always "
                      "holds it, as a referrer of the image");
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
  command->add_option("--sources", args->sources, "A local mirror directory of source archives (repeatable)")
      ->allow_extra_args(false);
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
    // Before any build: a device or link named as an output fails at once.
    for (const std::string& file : {args->docker_archive, args->sbom}) {
      if (!file.empty()) {
        util::refuse_special_target(file);
      }
    }
    for (const std::string& directory : {args->oci, args->context}) {
      std::error_code error;
      if (!directory.empty() && fs::exists(fs::symlink_status(directory, error)) &&
          !fs::is_directory(fs::symlink_status(directory, error))) {
        throw Error(fmt::format("refusing to write {}: it exists and is not a directory", directory));
      }
    }
    BuildSession session(options, args->jobs, args->sources);
    const recipe::Pipeline& pipeline = session.project.pipeline;
    image::ImagePlan plan = image::plan_image(pipeline, args->stage);
    const recipe::Recipe& stage = *plan.stage;
    session.build_and_report(plan.stages);

    std::vector<image::ImageLayer> layers = image::cached_layers(*session.cache, session.keys, plan.stages);
    fmt::print("image of {}: layers {}\n", stage.name, fmt::join(plan.stages, ", "));
    print_runtime_check(stage, image::check_image_runtime(plan, layers));
    fs::path transcodes = session.cache->transcoded_dir();
    auto compression = args->compression == "gzip" ? image::Compression::gzip : image::Compression::zstd;

    image::Image chosen = image::assemble_image(layers, plan.config, compression, transcodes);
    print_sizes(stage, chosen,
                image::compare_with_sysroot(pipeline, plan, *session.cache, session.keys, chosen),
                args->compression);
    // The SBOM lists what the layers hold, checked against the locked .debs:
    // made only for the outputs that carry it (a docker archive and a build
    // context do not), since it reads every file and every locked .deb.
    image::Referrer sbom;
    if (!args->sbom.empty() || !args->oci.empty() || !args->push.empty()) {
      std::map<std::string, image::LayerContents> contents = package::debian_layer_contents(
          pipeline, layers, package::PackageSources{session.project.root, session.options.fetch},
          session.runner);
      sbom =
          image::sbom_referrer(chosen, image::spdx_document(pipeline, plan, session.keys, chosen, args->tag,
                                                            "xstage-" XSTAGE_VERSION, contents));
    }
    if (!args->sbom.empty()) {
      if (fs::path parent = fs::path(args->sbom).parent_path(); !parent.empty()) {
        fs::create_directories(parent);
      }
      util::write_file_atomically(args->sbom, sbom.document);
      fmt::print("wrote SBOM {} (SPDX 2.3, {})\n", args->sbom, sbom.document_digest);
    }
    if (!args->oci.empty()) {
      image::write_oci_layout(args->oci, args->tag, chosen, {sbom});
      fmt::print("wrote OCI layout {} (tag {}, {} layers, {} transcoded), manifest {}, SBOM referrer {}\n",
                 args->oci, args->tag, args->compression, chosen.layers_transcoded, chosen.manifest_digest,
                 sbom.manifest_digest);
    }
    std::optional<image::Image> gzip;
    if (!args->docker_archive.empty() || !args->context.empty()) {
      gzip = image::gzip_variant(chosen, compression, layers, plan.config, transcodes);
    }
    if (!args->docker_archive.empty()) {
      std::string name = image::docker_archive_name(pipeline, args->tag);
      image::write_docker_archive(args->docker_archive, name, *gzip);
      fmt::print("wrote docker archive {} ({}, gzip layers, {}), manifest {}\n", args->docker_archive, name,
                 human_size(fs::file_size(args->docker_archive)), gzip->manifest_digest);
    }
    if (!args->push.empty()) {
      push(args->push, args->registry, chosen, sbom, args->compression);
    }
    if (!args->context.empty()) {
      std::vector<std::string> files = image::write_layer_files(args->context, *gzip);
      fmt::print("wrote build context {} ({}) for docker/{}.Dockerfile\n", args->context,
                 fmt::join(files, ", "), pipeline.name());
    }
  });
}

} // namespace xstage::cli
