// The image of a pipeline's stage: which stage is shipped, which layers it
// stacks, how it compares with the sysroot, and the runtime check's verdict.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cache/cache.hpp"
#include "image/image_plan.hpp"
#include "layer/layer.hpp"
#include "recipe/pipeline.hpp"
#include "test_support.hpp"
#include "util/error.hpp"

using namespace xstage;
namespace fs = std::filesystem;

namespace {

recipe::Recipe stage(const std::string& name, const std::string& parents, const std::string& image = "") {
  return recipe::parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'debian'\nparents = [" + parents +
                                  "]\n[options]\npackages = ['" + name + "']\n" + image,
                              "recipes/t/" + name + ".ini");
}

const std::string k_app_image = "[image]\nruntime = ['runtime']\nentrypoint = ['/opt/app/bin/app']\n"
                                "env = ['LANG=C.UTF-8']\nworking_dir = '/srv'\n";

// base <- app (shipped over runtime), and runtime on its own.
recipe::Pipeline app_pipeline() {
  return recipe::Pipeline::from_recipes(
      "t", {stage("base", ""), stage("runtime", ""), stage("app", "'base'", k_app_image)});
}

// A cache holding a layer of `size` bytes of content for each of `stages`,
// keyed by `keys`.
struct CachedStages {
  fs::path dir;
  cache::Cache cache{dir / "cache"};
  std::map<std::string, key::StageKey> keys;

  explicit CachedStages(fs::path directory) : dir(std::move(directory)) {}

  void build(const std::string& name, std::size_t size) {
    keys[name] = {std::string(64, static_cast<char>('a' + keys.size())), {{"stage", name}}};
    test::write_file(dir / name / "tree/opt" / name, std::string(size, 'x'));
    layer::write_layer(dir / name / "tree", dir / name / "layer.tar.zst");
    cache.store(keys[name].key, name, keys[name].manifest, dir / name / "layer.tar.zst");
  }
};

} // namespace

TEST_CASE("the image of a pipeline's only [image] stage stacks its runtime stages under it", "[image]") {
  recipe::Pipeline pipeline = app_pipeline();
  image::ImagePlan plan = image::plan_image(pipeline, "");
  CHECK(plan.stage->name == "app");
  CHECK(plan.stages == std::vector<std::string>{"runtime", "app"});
  CHECK(plan.config.entrypoint == std::vector<std::string>{"/opt/app/bin/app"});
  CHECK(plan.config.env == std::vector<std::string>{"LANG=C.UTF-8"});
  CHECK(plan.config.working_dir == "/srv");
}

TEST_CASE("a requested stage is the image among several", "[image]") {
  recipe::Pipeline pipeline = recipe::Pipeline::from_recipes(
      "t", {stage("runtime", ""), stage("app", "", k_app_image), stage("tool", "", k_app_image)});
  CHECK(image::plan_image(pipeline, "tool").stage->name == "tool");
  CHECK_THROWS_WITH(image::plan_image(pipeline, ""),
                    "pipeline 't' has several images (app, tool); name the stage: xstage image STAGE");
}

TEST_CASE("a requested stage without an [image] section is refused, naming its recipe", "[image]") {
  CHECK_THROWS_WITH(image::plan_image(app_pipeline(), "base"),
                    "stage 'base' has no [image] section in recipes/t/base.ini; it says what the image runs");
}

TEST_CASE("a pipeline without an [image] section has no default image", "[image]") {
  recipe::Pipeline pipeline = recipe::Pipeline::from_recipes("t", {stage("base", "")});
  CHECK_THROWS_WITH(image::plan_image(pipeline, ""),
                    "pipeline 't' declares no image: add an [image] section (entrypoint, runtime) to the "
                    "recipe of the stage to ship");
}

TEST_CASE("an image's layers come from the cache, and a stage not in it is named", "[image]") {
  CachedStages cached(test::make_temp_dir("image-plan-layers"));
  cached.build("runtime", 10);
  cached.build("app", 20);
  std::vector<image::ImageLayer> layers = image::cached_layers(cached.cache, cached.keys, {"runtime", "app"});
  REQUIRE(layers.size() == 2);
  CHECK(layers[1].stage == "app");
  CHECK(layers[1].info == cached.cache.find(cached.keys["app"].key)->layer);
  CHECK(layers[1].blob == cached.cache.blob_path(layers[1].info.digest));

  cached.keys["base"] = {std::string(64, 'f'), {}};
  CHECK_THROWS_WITH(image::cached_layers(cached.cache, cached.keys, {"base"}),
                    "stage 'base' (ffffffffffff) is not in the cache after building it");
}

TEST_CASE("an image is compared with its stage's ancestors' layers, not its runtime's", "[image]") {
  recipe::Pipeline pipeline = app_pipeline();
  CachedStages cached(test::make_temp_dir("image-plan-sysroot"));
  cached.build("base", 100000);
  cached.build("runtime", 10);
  cached.build("app", 20);
  image::ImagePlan plan = image::plan_image(pipeline, "");
  image::Image image = image::assemble_image(image::cached_layers(cached.cache, cached.keys, plan.stages),
                                             plan.config, image::Compression::zstd, cached.dir / "tc");

  image::SysrootComparison sysroot =
      image::compare_with_sysroot(pipeline, plan, cached.cache, cached.keys, image);
  std::uint64_t base_size = cached.cache.find(cached.keys["base"].key)->layer.size;
  CHECK(sysroot.ancestors == std::vector<std::string>{"base"});
  CHECK(sysroot.sysroot_size == base_size);
  CHECK(sysroot.image_percent ==
        Approx(100.0 * static_cast<double>(image.total_size()) / static_cast<double>(base_size)));
}

TEST_CASE("an image whose programs cannot start is refused, naming the runtime stages", "[image]") {
  fs::path dir = test::make_temp_dir("image-plan-runtime");
  test::write_file(dir / "runtime/tree/usr/share/doc/readme", "no libraries here\n");
  test::write_file(dir / "app/tree/opt/app/bin/app", test::read_file("/proc/self/exe"));
  std::vector<image::ImageLayer> layers;
  for (const std::string name : {"runtime", "app"}) {
    fs::path blob = dir / name / "layer.tar.zst";
    layers.push_back({layer::write_layer(dir / name / "tree", blob), blob, name});
  }
  recipe::Pipeline pipeline = app_pipeline();
  image::ImagePlan plan = image::plan_image(pipeline, "app");

  CHECK_THROWS_WITH(
      image::check_image_runtime(plan, layers),
      Catch::StartsWith("the image of stage 'app' cannot start its programs:\n  opt/app/bin/app "
                        "(stage app) ") &&
          Catch::EndsWith("\nadd the Debian packages that ship them to the runtime stage "
                          "(runtime), or link them into 'app'"));
}

TEST_CASE("the gzip variant of a gzip image is that image", "[image]") {
  fs::path dir = test::make_temp_dir("image-plan-gzip");
  test::write_file(dir / "tree/opt/app/readme", "app\n");
  image::ImageLayer layer{layer::write_layer(dir / "tree", dir / "layer.tar.zst"), dir / "layer.tar.zst",
                          "app"};
  image::ImageConfig config{{"/opt/app/bin/app"}, {}, "", {}};
  image::Image zstd = image::assemble_image({layer}, config, image::Compression::zstd, dir / "tc");
  image::Image gzip = image::gzip_variant(zstd, image::Compression::zstd, {layer}, config, dir / "tc");
  CHECK(gzip.layers[0].media_type == image::k_gzip_layer_type);
  CHECK(gzip.layers[0].digest != zstd.layers[0].digest);
  CHECK(image::gzip_variant(gzip, image::Compression::gzip, {layer}, config, dir / "tc").manifest_digest ==
        gzip.manifest_digest);
}
