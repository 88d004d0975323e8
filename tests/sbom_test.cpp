// The SPDX document of an image and its attachment as a referrer.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "image/oci_layout.hpp"
#include "image/sbom.hpp"
#include "recipe/debian_lock.hpp"
#include "recipe/pipeline.hpp"
#include "test_support.hpp"
#include "util/digest.hpp"

using namespace xstage;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string k_deb_sha(64, 'd');
const std::string k_source_sha = "d9b593bb2ba93d4b50f74177e0cdcd41747e708596367deed0c30348a71dd176";

recipe::Recipe runtime_stage(bool locked) {
  recipe::Recipe recipe = recipe::parse_recipe(
      "[stage]\ndescription = 'x'\nbuilder = 'debian'\n[options]\npackages = ['zlib1g']\n",
      "recipes/t/runtime.ini");
  if (locked) {
    recipe.lock = recipe::parse_debian_lock(
        "suite bookworm\narchitecture arm64\nrequest zlib1g\npackage zlib1g 1:1.2.13.dfsg-1 arm64 82744 " +
            k_deb_sha + " pool/main/z/zlib/zlib1g_1.2.13.dfsg-1_arm64.deb\n",
        "recipes/t/runtime.lock");
  }
  return recipe;
}

recipe::Pipeline pipeline(bool locked) {
  recipe::Recipe app = recipe::parse_recipe(
      "[stage]\ndescription = 'x'\nbuilder = 'cmake'\nparents = ['lib']\n[source]\n"
      "url = 'https://example.org/app-1.0.tar.xz'\nsha256 = '" +
          k_source_sha + "'\n[image]\nruntime = ['runtime']\nentrypoint = ['/opt/app/bin/app']\n",
      "recipes/t/app.ini");
  recipe::Recipe lib = recipe::parse_recipe("[stage]\ndescription = 'x'\nbuilder = 'meson'\n[source]\n"
                                            "git = 'https://example.org/lib.git'\ncommit = '" +
                                                std::string(40, 'c') + "'\ntag = 'v2.0'\n",
                                            "recipes/t/lib.ini");
  return recipe::Pipeline::from_recipes("t", {runtime_stage(locked), lib, app});
}

std::map<std::string, key::StageKey> keys_of(const recipe::Pipeline& pipeline) {
  std::map<std::string, key::StageKey> keys;
  for (const recipe::Recipe& stage : pipeline.stages()) {
    keys[stage.name] = {std::string(64, stage.name[0]), json::object()};
  }
  return keys;
}

image::Image an_image(const std::string& manifest) {
  image::Image image;
  image.layers.push_back(
      {std::string(image::k_zstd_layer_type), "sha256:" + std::string(64, '1'), 10, {}, "runtime"});
  image.layers.push_back(
      {std::string(image::k_zstd_layer_type), "sha256:" + std::string(64, '2'), 10, {}, "app"});
  image.config = "{}";
  image.config_digest = util::Digest::of(image.config).str();
  image.manifest = manifest;
  image.manifest_digest = util::Digest::of(manifest).str();
  return image;
}

json document_of(const recipe::Pipeline& pipeline, const image::Image& image) {
  image::ImagePlan plan = image::plan_image(pipeline, "");
  return json::parse(image::spdx_document(pipeline, plan, keys_of(pipeline), image, "v1", "xstage-test"));
}

const json* package_named(const json& document, const std::string& name) {
  for (const json& package : document["packages"]) {
    if (package["name"] == name) {
      return &package;
    }
  }
  return nullptr;
}

bool has_relationship(const json& document, const std::string& from, const std::string& type,
                      const std::string& to) {
  for (const json& relationship : document["relationships"]) {
    if (relationship["spdxElementId"] == from && relationship["relationshipType"] == type &&
        relationship["relatedSpdxElement"] == to) {
      return true;
    }
  }
  return false;
}

} // namespace

TEST_CASE("an image's SPDX lists its layers' locked Debian packages and its stages' sources", "[image]") {
  recipe::Pipeline locked = pipeline(true);
  image::Image image = an_image("{\"m\":1}");
  json document = document_of(locked, image);
  CHECK(document["spdxVersion"] == "SPDX-2.3");
  CHECK(document["name"] == "t/app:v1");
  CHECK(has_relationship(document, "SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image"));
  CHECK(has_relationship(document, "SPDXRef-Image", "CONTAINS", "SPDXRef-Stage-runtime"));
  CHECK(has_relationship(document, "SPDXRef-Image", "CONTAINS", "SPDXRef-Stage-app"));
  CHECK_FALSE(has_relationship(document, "SPDXRef-Image", "CONTAINS", "SPDXRef-Stage-lib"));
  CHECK(has_relationship(document, "SPDXRef-Stage-lib", "BUILD_DEPENDENCY_OF", "SPDXRef-Stage-app"));

  const json* zlib = package_named(document, "zlib1g");
  REQUIRE(zlib);
  CHECK((*zlib)["versionInfo"] == "1:1.2.13.dfsg-1");
  CHECK((*zlib)["checksums"][0]["checksumValue"] == k_deb_sha);
  CHECK((*zlib)["externalRefs"][0]["referenceLocator"] ==
        "pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=arm64&distro=bookworm");
  CHECK(has_relationship(document, "SPDXRef-Stage-runtime", "CONTAINS", (*zlib)["SPDXID"]));

  const json* source = package_named(document, "app-source");
  REQUIRE(source);
  CHECK((*source)["downloadLocation"] == "https://example.org/app-1.0.tar.xz");
  CHECK((*source)["checksums"][0]["checksumValue"] == k_source_sha);
  CHECK(has_relationship(document, "SPDXRef-Stage-app", "GENERATED_FROM", (*source)["SPDXID"]));
  const json* git = package_named(document, "lib-source");
  REQUIRE(git);
  CHECK((*git)["downloadLocation"] == "git+https://example.org/lib.git@" + std::string(40, 'c'));
  CHECK((*git)["versionInfo"] == "v2.0");

  const json* app = package_named(document, "app");
  REQUIRE(app);
  CHECK((*app)["checksums"][0]["checksumValue"] == std::string(64, '2'));
}

TEST_CASE("an image's SPDX is the same for the same image and names it by its manifest", "[image]") {
  recipe::Pipeline locked = pipeline(true);
  json first = document_of(locked, an_image("{\"m\":1}"));
  CHECK(first == document_of(locked, an_image("{\"m\":1}")));
  json other = document_of(locked, an_image("{\"m\":2}"));
  CHECK(first["documentNamespace"] != other["documentNamespace"]);
  CHECK(first["creationInfo"]["created"] == "1970-01-01T00:00:00Z");
}

TEST_CASE("an unlocked stage's packages are listed without a version", "[image]") {
  json document = document_of(pipeline(false), an_image("{}"));
  const json* zlib = package_named(document, "zlib1g");
  REQUIRE(zlib);
  CHECK((*zlib)["versionInfo"] == "NOASSERTION");
  CHECK((*zlib)["comment"].get<std::string>().find("not locked") != std::string::npos);
}

TEST_CASE("an SBOM is a referrer of its image in an OCI layout", "[image]") {
  fs::path dir = test::make_temp_dir("sbom-referrer");
  image::Image image = an_image("{\"m\":1}");
  image.layers.clear();
  image::Referrer sbom = image::sbom_referrer(image, "{\"spdxVersion\":\"SPDX-2.3\"}\n");
  json manifest = json::parse(sbom.manifest);
  CHECK(manifest["artifactType"] == "application/spdx+json");
  CHECK(manifest["subject"]["digest"] == image.manifest_digest);
  CHECK(manifest["layers"][0]["digest"] == util::Digest::of(sbom.document).str());

  image::write_oci_layout(dir, "v1", image, {sbom});
  json index = json::parse(test::read_file(dir / "index.json"));
  REQUIRE(index["manifests"].size() == 2);
  CHECK(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] == "v1");
  CHECK(index["manifests"][1]["digest"] == sbom.manifest_digest);
  CHECK(index["manifests"][1]["artifactType"] == "application/spdx+json");
  CHECK_FALSE(index["manifests"][1].contains("annotations"));
  fs::path blobs = dir / "blobs" / "sha256";
  CHECK(test::read_file(blobs / util::Digest::parse(sbom.document_digest).hex()) == sbom.document);
  CHECK(fs::exists(blobs / util::Digest::parse(sbom.manifest_digest).hex()));
  CHECK(fs::exists(blobs / util::Digest::of("{}").hex()));
}

// The layer's own files are listed, so a file that no locked package
// installs (a backdoor in a forged layer) is named, as is one a package
// installs with other content.
TEST_CASE("an image's SPDX lists each file of a debian layer with the package that installs it", "[image]") {
  recipe::Pipeline locked = pipeline(true);
  image::Image image = an_image("{\"m\":1}");
  image::ImagePlan plan = image::plan_image(locked, "");
  std::map<std::string, image::LayerContents> contents = {
      {"runtime",
       {{"usr/bin/backdoor", std::string(64, 'b'), std::string(40, 'b'), "", "", false},
        {"usr/lib/aarch64-linux-gnu/libz.so.1.2.13", std::string(64, 'a'), std::string(40, 'a'), "zlib1g",
         "arm64", false},
        {"usr/share/doc/zlib1g/copyright", std::string(64, 'c'), std::string(40, 'c'), "zlib1g", "arm64",
         true}}}};
  json document =
      json::parse(image::spdx_document(locked, plan, keys_of(locked), image, "v1", "xstage-test", contents));
  REQUIRE(document["files"].size() == 3);
  std::map<std::string, json> files;
  for (const json& file : document["files"]) {
    files[file["fileName"]] = file;
  }
  const json& backdoor = files.at("./usr/bin/backdoor");
  CHECK(backdoor["comment"] == "in the layer of stage 'runtime', installed by none of its locked packages");
  CHECK(backdoor["checksums"][1] == json{{"algorithm", "SHA256"}, {"checksumValue", std::string(64, 'b')}});
  CHECK(has_relationship(document, "SPDXRef-Stage-runtime", "CONTAINS", backdoor["SPDXID"]));
  const json& library = files.at("./usr/lib/aarch64-linux-gnu/libz.so.1.2.13");
  CHECK_FALSE(library.contains("comment"));
  CHECK(has_relationship(document, "SPDXRef-Deb-runtime-zlib1g-arm64", "CONTAINS", library["SPDXID"]));
  const json& changed = files.at("./usr/share/doc/zlib1g/copyright");
  CHECK(changed["comment"] ==
        "in the layer of stage 'runtime', with other content than package zlib1g installs");
  CHECK(has_relationship(document, "SPDXRef-Stage-runtime", "CONTAINS", changed["SPDXID"]));
}
