// Runtime images: reading ELF dynamic sections, the NEEDED closure check over
// layers, and docker archives read back by skopeo.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "image/docker_archive.hpp"
#include "image/elf_dynamic.hpp"
#include "image/image.hpp"
#include "image/runtime_check.hpp"
#include "layer/layer.hpp"
#include "test_support.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using namespace xstage::image;
using xstage::test::have_tool;
using xstage::test::make_temp_dir;
using xstage::test::read_file;
using xstage::test::run;
using xstage::test::write_file;

namespace {

// This test program: a real dynamic ELF64 file of the machine the tests run
// on (x86_64, or aarch64 under qemu).
std::string own_executable() {
  return read_file("/proc/self/exe");
}

ElfDynamic own_dynamic() {
  auto elf = read_elf_dynamic(own_executable(), "xstage_tests");
  REQUIRE(elf);
  return *elf;
}

ImageLayer layer_of(const fs::path& tree, const fs::path& blob, const std::string& stage) {
  return {xstage::layer::write_layer(tree, blob), blob, stage};
}

// A bottom layer that provides every library `elf` needs (as empty files,
// which are not ELF and so need nothing further) in the multiarch directory,
// with merged-/usr's lib -> usr/lib link and the interpreter below it,
// except `leave_out`.
fs::path runtime_tree(const fs::path& dir, const ElfDynamic& elf, const std::string& leave_out = "") {
  fs::path tree = dir / "runtime";
  fs::create_directories(tree / "usr/lib/aarch64-linux-gnu");
  fs::create_symlink("usr/lib", tree / "lib");
  for (const std::string& soname : elf.needed) {
    if (soname != leave_out) {
      write_file(tree / "usr/lib/aarch64-linux-gnu" / soname, "");
    }
  }
  // The interpreter, e.g. /lib64/ld-linux-x86-64.so.2 or /lib/ld-linux-aarch64.so.1.
  fs::path interpreter = fs::path(elf.interpreter).relative_path();
  if (*interpreter.begin() == "lib") {
    write_file(tree / "usr" / interpreter, "");
  } else {
    write_file(tree / interpreter, "");
  }
  return tree;
}

fs::path app_tree(const fs::path& dir) {
  fs::path tree = dir / "app";
  write_file(tree / "opt/app/bin/app", own_executable());
  write_file(tree / "opt/app/share/readme", "not an ELF file\n");
  return tree;
}

} // namespace

TEST_CASE("the dynamic section of a real executable lists its libraries", "[image]") {
  ElfDynamic elf = own_dynamic();
  CHECK(elf.is_dynamic);
  CHECK(std::find(elf.needed.begin(), elf.needed.end(), "libc.so.6") != elf.needed.end());
  CHECK(std::find(elf.needed.begin(), elf.needed.end(), "libarchive.so.13") != elf.needed.end());
  CHECK(elf.interpreter.starts_with("/lib"));
}

TEST_CASE("non-ELF input is not an ELF file; a truncated one is an error naming it", "[image]") {
  CHECK(!read_elf_dynamic("#!/bin/sh\necho hi\n", "script"));
  CHECK(!read_elf_dynamic("", "empty"));
  std::string truncated = own_executable().substr(0, 200);
  CHECK_THROWS_WITH(read_elf_dynamic(truncated, "opt/app/bin/app (stage app)"),
                    Catch::StartsWith("opt/app/bin/app (stage app) is not a valid ELF file: its "));
}

TEST_CASE("an image whose layers provide every needed library passes the runtime check", "[image]") {
  fs::path dir = make_temp_dir("runtime-ok");
  ElfDynamic elf = own_dynamic();
  std::vector<ImageLayer> layers = {layer_of(runtime_tree(dir, elf), dir / "runtime.tar.zst", "runtime"),
                                    layer_of(app_tree(dir), dir / "app.tar.zst", "app")};
  RuntimeReport report = check_runtime_closure(layers);
  CHECK(report.problems.empty());
  CHECK(report.programs == 1);
  CHECK(report.libraries == elf.needed.size());
}

TEST_CASE("a library missing from the runtime layer is named with the program that needs it", "[image]") {
  fs::path dir = make_temp_dir("runtime-missing");
  ElfDynamic elf = own_dynamic();
  std::vector<ImageLayer> layers = {
      layer_of(runtime_tree(dir, elf, "libarchive.so.13"), dir / "runtime.tar.zst", "runtime"),
      layer_of(app_tree(dir), dir / "app.tar.zst", "app")};
  RuntimeReport report = check_runtime_closure(layers);
  CHECK(report.problems ==
        std::vector<std::string>{"opt/app/bin/app (stage app) needs libarchive.so.13, which no "
                                 "layer of the image provides"});
}

TEST_CASE("without the runtime layer nothing the app needs is found", "[image]") {
  fs::path dir = make_temp_dir("runtime-none");
  RuntimeReport report = check_runtime_closure({layer_of(app_tree(dir), dir / "app.tar.zst", "app")});
  CHECK(report.problems.size() == own_dynamic().needed.size() + 1); // + the interpreter
  CHECK(report.problems.front().find("opt/app/bin/app (stage app) needs") == 0);
}

TEST_CASE("ELF files under the dlopen directories are checked too; a directory without any is named",
          "[image]") {
  fs::path dir = make_temp_dir("runtime-dlopen");
  fs::path runtime = runtime_tree(dir, own_dynamic(), "libarchive.so.13");
  write_file(runtime / "usr/lib/aarch64-linux-gnu/qt6/plugins/platforms/libqfake.so", own_executable());
  fs::path app = dir / "app";
  write_file(app / "opt/app/share/readme", "not an ELF file\n");
  std::vector<ImageLayer> layers = {layer_of(runtime, dir / "runtime.tar.zst", "runtime"),
                                    layer_of(app, dir / "app.tar.zst", "app")};
  CHECK(check_runtime_closure(layers).problems.empty()); // nothing NEEDs the plugin

  RuntimeReport report =
      check_runtime_closure(layers, {"usr/lib/aarch64-linux-gnu/qt6/plugins", "usr/lib/typo/plugins"});
  CHECK(report.programs == 0);
  CHECK(report.loaded == 1);
  CHECK(report.problems ==
        std::vector<std::string>{
            "dlopen directory usr/lib/typo/plugins holds no dynamic ELF file in any layer of the image",
            "usr/lib/aarch64-linux-gnu/qt6/plugins/platforms/libqfake.so (stage runtime) needs "
            "libarchive.so.13, which no layer of the image provides"});
}

TEST_CASE("a docker archive holds the layout and manifest.json, deterministically", "[image]") {
  fs::path dir = make_temp_dir("docker-archive");
  fs::path tree = dir / "tree";
  write_file(tree / "usr/bin/hello", "#!/bin/sh\necho hello\n");
  ImageLayer layer = layer_of(tree, dir / "layer.tar.zst", "app");
  Image image =
      assemble_image({layer}, ImageConfig{{"/usr/bin/hello"}, {}, "", {}}, Compression::gzip, dir / "tc");
  write_docker_archive(dir / "a.tar", "xstage/demo:latest", image);
  write_docker_archive(dir / "b.tar", "xstage/demo:latest", image);
  CHECK(read_file(dir / "a.tar") == read_file(dir / "b.tar"));

  auto listing = run("tar -tf '" + (dir / "a.tar").string() + "'");
  REQUIRE(listing.status == 0);
  std::string layer_entry = "blobs/sha256/" + image.layers[0].digest.substr(7);
  CHECK(listing.output == layer_entry + "\nblobs/sha256/" + image.config_digest.substr(7) +
                              "\nblobs/sha256/" + image.manifest_digest.substr(7) +
                              "\nindex.json\nmanifest.json\noci-layout\n");
  auto manifest = run("tar -xOf '" + (dir / "a.tar").string() + "' manifest.json");
  CHECK(nlohmann::json::parse(manifest.output) ==
        nlohmann::json::parse(R"([{"Config":"blobs/sha256/)" + image.config_digest.substr(7) +
                              R"(","Layers":[")" + layer_entry +
                              R"("],"RepoTags":["xstage/demo:latest"]}])"));

  if (have_tool("skopeo")) {
    auto inspect = run("skopeo inspect --config docker-archive:" + (dir / "a.tar").string());
    INFO(inspect.output);
    REQUIRE(inspect.status == 0);
    auto config = nlohmann::json::parse(inspect.output);
    CHECK(config["architecture"] == "arm64");
    CHECK(config["config"]["Entrypoint"] == nlohmann::json::array({"/usr/bin/hello"}));
  }
}

TEST_CASE("a docker archive refuses a bad name and a corrupt layer, leaving no file", "[image]") {
  fs::path dir = make_temp_dir("docker-archive-bad");
  fs::path tree = dir / "tree";
  write_file(tree / "etc/x", "x\n");
  ImageLayer layer = layer_of(tree, dir / "layer.tar.zst", "app");
  Image image = assemble_image({layer}, ImageConfig{}, Compression::zstd, dir / "tc");
  CHECK_THROWS_WITH(write_docker_archive(dir / "a.tar", "Xstage/Demo", image),
                    "invalid image name 'Xstage/Demo': write it as name:tag, e.g. xstage/demo:latest "
                    "(lower-case name)");
  std::string bytes = read_file(layer.blob);
  bytes[bytes.size() / 2] ^= 1;
  write_file(layer.blob, bytes);
  CHECK_THROWS_WITH(write_docker_archive(dir / "a.tar", "xstage/demo:v1", image),
                    "the layer of stage 'app' at " + layer.blob.string() + " is " +
                        xstage::util::Digest::of(bytes).str() + " (" + std::to_string(bytes.size()) +
                        " bytes), not the recorded " + layer.info.digest + " (" +
                        std::to_string(layer.info.size) + " bytes)");
  CHECK(!fs::exists(dir / "a.tar"));
}

TEST_CASE("an entrypoint that no layer provides is named; one found on PATH passes", "[image]") {
  fs::path dir = make_temp_dir("runtime-entrypoint");
  ElfDynamic elf = own_dynamic();
  std::vector<ImageLayer> layers = {layer_of(runtime_tree(dir, elf), dir / "runtime.tar.zst", "runtime"),
                                    layer_of(app_tree(dir), dir / "app.tar.zst", "app")};
  auto problems = [&](std::vector<std::string> entrypoint, std::vector<std::string> env = {}) {
    return check_runtime_closure(layers, {}, {std::move(entrypoint), std::move(env), "", {}}).problems;
  };
  CHECK(problems({"/opt/app/bin/app", "--flag"}).empty());
  CHECK(
      problems({"/opt/app/bin/missing"}) ==
      std::vector<std::string>{
          "the entrypoint /opt/app/bin/missing is not in the image: no layer provides /opt/app/bin/missing"});
  CHECK(problems({"/opt/app/bin"}) ==
        std::vector<std::string>{"the entrypoint /opt/app/bin is not a file in the image (/opt/app/bin is a "
                                 "directory)"});
  CHECK(problems({"app"}, {"PATH=/usr/bin:/opt/app/bin"}).empty());
  CHECK(problems({"app"}) ==
        std::vector<std::string>{"the entrypoint app is not in the image: no layer provides it on PATH "
                                 "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"});
}
