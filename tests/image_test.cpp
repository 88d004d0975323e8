// OCI image layouts: JSON fields and media types, digests, determinism, the
// gzip transcode cache, and the real skopeo and umoci reading the result.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <sys/wait.h>
#include <zlib.h>

#include "image/gzip_transcode.hpp"
#include "image/oci_layout.hpp"
#include "layer/layer.hpp"
#include "test_support.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using namespace xstage::image;
using nlohmann::json;
using xstage::test::have_tool;
using xstage::test::make_temp_dir;
using xstage::test::read_file;
using xstage::test::Run;
using xstage::test::run;
using xstage::test::write_file;

namespace {

const ImageConfig k_config{{"/usr/bin/app", "--fullscreen"},
                           {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"},
                           "/srv",
                           {{"org.opencontainers.image.title", "app"}}};

// A layer of a file, an executable and a symlink, written by write_layer
// under `dir`, described as the stage cache would describe it.
ImageLayer make_layer(const fs::path& dir) {
  fs::path tree = dir / "tree";
  write_file(tree / "etc/greeting", "hello\n");
  write_file(tree / "usr/bin/app", "#!/bin/sh\necho app\n");
  fs::permissions(tree / "usr/bin/app", fs::perms(0755));
  fs::create_symlink("app", tree / "usr/bin/app-link");
  fs::path blob = dir / "layer.tar.zst";
  return ImageLayer{xstage::layer::write_layer(tree, blob), blob, "app"};
}

json read_json(const fs::path& path) {
  return json::parse(read_file(path));
}

fs::path blob_of(const fs::path& layout, const std::string& digest) {
  return layout / "blobs/sha256" / digest.substr(7);
}

json manifest_of(const fs::path& layout) {
  json index = read_json(layout / "index.json");
  return read_json(blob_of(layout, index["manifests"][0]["digest"]));
}

// The sha256 of what a gzip file inflates to.
std::string gunzip_sha256(const fs::path& path) {
  std::string compressed = read_file(path);
  z_stream stream{};
  REQUIRE(inflateInit2(&stream, 15 + 16) == Z_OK);
  stream.next_in = reinterpret_cast<Bytef*>(compressed.data());
  stream.avail_in = static_cast<uInt>(compressed.size());
  xstage::util::Sha256 hash;
  std::array<char, 1 << 16> out{};
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    status = inflate(&stream, Z_NO_FLUSH);
    hash.update(std::string_view(out.data(), out.size() - stream.avail_out));
  }
  inflateEnd(&stream);
  CHECK(status == Z_STREAM_END);
  return hash.finish().str();
}

} // namespace

TEST_CASE("a zstd image references the cached blob unchanged", "[image]") {
  fs::path dir = make_temp_dir("image-zstd");
  ImageLayer layer = make_layer(dir);
  ImageResult result = write_oci_layout(dir / "oci", "v1", {layer}, k_config, Compression::zstd, dir / "tc");
  CHECK(read_file(dir / "oci/oci-layout") == R"({"imageLayoutVersion":"1.0.0"})");
  json index = read_json(dir / "oci/index.json");
  CHECK(index["schemaVersion"] == 2);
  CHECK(index["mediaType"] == "application/vnd.oci.image.index.v1+json");
  REQUIRE(index["manifests"].size() == 1);
  json entry = index["manifests"][0];
  CHECK(entry["mediaType"] == "application/vnd.oci.image.manifest.v1+json");
  CHECK(entry["digest"] == result.manifest_digest);
  CHECK(entry["annotations"] == json{{"org.opencontainers.image.ref.name", "v1"}});
  CHECK(entry["platform"] == json{{"architecture", "arm64"}, {"os", "linux"}});
  json manifest = manifest_of(dir / "oci");
  CHECK(manifest["schemaVersion"] == 2);
  CHECK(manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json");
  CHECK(manifest["config"]["mediaType"] == "application/vnd.oci.image.config.v1+json");
  REQUIRE(manifest["layers"].size() == 1);
  CHECK(manifest["layers"][0] == json{{"mediaType", "application/vnd.oci.image.layer.v1.tar+zstd"},
                                      {"digest", layer.info.digest},
                                      {"size", layer.info.size}});
  CHECK(read_file(blob_of(dir / "oci", layer.info.digest)) == read_file(layer.blob));
  CHECK(result.layers_transcoded == 0);
  CHECK_FALSE(fs::exists(dir / "tc"));
}

TEST_CASE("a zstd layer is hard-linked from the cache on the same filesystem", "[image]") {
  fs::path dir = make_temp_dir("image-link");
  ImageLayer layer = make_layer(dir);
  write_oci_layout(dir / "oci", "v1", {layer}, k_config, Compression::zstd, dir / "tc");
  CHECK(fs::equivalent(blob_of(dir / "oci", layer.info.digest), layer.blob));
  CHECK(fs::hard_link_count(layer.blob) == 2);
}

TEST_CASE("the config records arm64 linux, the epoch, diff_ids, history and the runtime config", "[image]") {
  fs::path dir = make_temp_dir("image-config");
  ImageLayer layer = make_layer(dir);
  write_oci_layout(dir / "oci", "v1", {layer}, k_config, Compression::zstd, dir / "tc");
  json manifest = manifest_of(dir / "oci");
  std::string config_text = read_file(blob_of(dir / "oci", manifest["config"]["digest"]));
  CHECK(manifest["config"]["size"] == config_text.size());
  json config = json::parse(config_text);
  CHECK(config_text == config.dump()); // canonical: sorted keys, no whitespace
  CHECK(config["architecture"] == "arm64");
  CHECK(config["os"] == "linux");
  CHECK(config["created"] == "1970-01-01T00:00:00Z");
  CHECK(config["rootfs"] == json{{"type", "layers"}, {"diff_ids", {layer.info.diff_id}}});
  CHECK(config["history"] ==
        json::array({{{"created", "1970-01-01T00:00:00Z"}, {"created_by", "xstage stage app"}}}));
  CHECK(config["config"] == json{{"Entrypoint", {"/usr/bin/app", "--fullscreen"}},
                                 {"Env", {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}},
                                 {"WorkingDir", "/srv"},
                                 {"Labels", {{"org.opencontainers.image.title", "app"}}}});
}

TEST_CASE("an empty runtime config is an empty object", "[image]") {
  fs::path dir = make_temp_dir("image-empty-config");
  write_oci_layout(dir / "oci", "v1", {}, ImageConfig{}, Compression::zstd, dir / "tc");
  json manifest = manifest_of(dir / "oci");
  json config = read_json(blob_of(dir / "oci", manifest["config"]["digest"]));
  CHECK(config["config"] == json::object());
  CHECK(config["rootfs"]["diff_ids"] == json::array());
  CHECK(manifest["layers"] == json::array());
}

TEST_CASE("every blob of both variants hashes to its name and total_size adds them up", "[image]") {
  fs::path dir = make_temp_dir("image-digests");
  ImageLayer layer = make_layer(dir);
  for (Compression compression : {Compression::zstd, Compression::gzip}) {
    fs::path oci = dir / (compression == Compression::zstd ? "zstd" : "gzip");
    ImageResult result = write_oci_layout(oci, "v1", {layer}, k_config, compression, dir / "tc");
    std::uint64_t total = 0;
    for (const auto& file : fs::directory_iterator(oci / "blobs/sha256")) {
      CHECK(xstage::util::Digest::of_file(file.path()).hex() == file.path().filename().string());
      total += fs::file_size(file.path());
    }
    CHECK(result.total_size == total);
    json manifest = manifest_of(oci);
    CHECK(manifest["layers"][0]["size"] == fs::file_size(blob_of(oci, manifest["layers"][0]["digest"])));
  }
}

TEST_CASE("the same inputs give the same manifest digest", "[image]") {
  fs::path dir = make_temp_dir("image-same");
  ImageLayer layer = make_layer(dir);
  for (Compression compression : {Compression::zstd, Compression::gzip}) {
    ImageResult first = write_oci_layout(dir / "a", "v1", {layer}, k_config, compression, dir / "tc");
    ImageResult second = write_oci_layout(dir / "b", "v1", {layer}, k_config, compression, dir / "tc2");
    CHECK(first.manifest_digest == second.manifest_digest);
    CHECK(read_file(dir / "a/index.json") == read_file(dir / "b/index.json"));
  }
  ImageConfig other = k_config;
  other.env.push_back("DEBUG=1");
  ImageResult changed = write_oci_layout(dir / "c", "v1", {layer}, other, Compression::zstd, dir / "tc");
  CHECK(changed.manifest_digest !=
        write_oci_layout(dir / "d", "v1", {layer}, k_config, Compression::zstd, dir / "tc").manifest_digest);
}

TEST_CASE("a gzip export transcodes once and reuses the transcode cache", "[image]") {
  fs::path dir = make_temp_dir("image-gzip-cache");
  ImageLayer layer = make_layer(dir);
  ImageResult first = write_oci_layout(dir / "a", "v1", {layer}, k_config, Compression::gzip, dir / "tc");
  CHECK(first.layers_transcoded == 1);
  fs::path record = dir / "tc" / (layer.info.digest.substr(7) + ".json");
  json mapping = read_json(record);
  CHECK(mapping["source"] == layer.info.digest);
  CHECK(mapping["level"] == k_gzip_level);
  CHECK(mapping["digest"] == manifest_of(dir / "a")["layers"][0]["digest"]);
  auto written = fs::last_write_time(record);
  ImageResult second = write_oci_layout(dir / "b", "v1", {layer}, k_config, Compression::gzip, dir / "tc");
  CHECK(second.layers_transcoded == 0);
  CHECK(fs::last_write_time(record) == written);
  CHECK(second.manifest_digest == first.manifest_digest);
}

TEST_CASE("a corrupt transcoded blob or record is transcoded again", "[image]") {
  fs::path dir = make_temp_dir("image-gzip-corrupt");
  ImageLayer layer = make_layer(dir);
  GzipBlob first = gzip_layer(layer.blob, layer.info, "app", dir / "tc");
  std::string bytes = read_file(first.path);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 1);
  write_file(first.path, bytes); // same size, wrong content
  GzipBlob second = gzip_layer(layer.blob, layer.info, "app", dir / "tc");
  CHECK(second.transcoded);
  CHECK(second.digest == first.digest);
  CHECK(xstage::util::Digest::of_file(second.path).str() == first.digest);
  write_file(dir / "tc" / (layer.info.digest.substr(7) + ".json"), R"({"level":"six","size":-1})");
  CHECK(gzip_layer(layer.blob, layer.info, "app", dir / "tc").transcoded);
  CHECK_FALSE(gzip_layer(layer.blob, layer.info, "app", dir / "tc").transcoded);
}

// A forger who can write the transcode cache writes a blob and a record that
// agree with each other; only the layer's diff_id vouches for the content.
TEST_CASE("a forged transcode whose record matches its blob is transcoded again", "[image]") {
  fs::path dir = make_temp_dir("image-gzip-forged");
  ImageLayer layer = make_layer(dir / "real");
  ImageLayer other = make_layer(dir / "forged");
  write_file(dir / "forged/tree/usr/bin/backdoor", "#!/bin/sh\n");
  other.info = xstage::layer::write_layer(dir / "forged/tree", other.blob);
  GzipBlob forged = gzip_layer(other.blob, other.info, "app", dir / "forger");
  const std::string hex = layer.info.digest.substr(7);
  fs::create_directories(dir / "tc");
  fs::copy_file(forged.path, dir / "tc" / (hex + ".tar.gz"));
  write_file(dir / "tc" / (hex + ".json"), json{{"source", layer.info.digest},
                                                {"digest", forged.digest},
                                                {"size", forged.size},
                                                {"level", k_gzip_level}}
                                               .dump());
  GzipBlob used = gzip_layer(layer.blob, layer.info, "app", dir / "tc");
  CHECK(used.transcoded);
  CHECK(used.digest != forged.digest);
  CHECK(gunzip_sha256(used.path) == layer.info.diff_id);
}

TEST_CASE("an export into an existing layout keeps its other tags and replaces its own", "[image]") {
  fs::path dir = make_temp_dir("image-tags");
  ImageLayer layer = make_layer(dir);
  write_oci_layout(dir / "oci", "v1", {layer}, k_config, Compression::zstd, dir / "tc");
  ImageConfig other = k_config;
  other.env.push_back("DEBUG=1");
  ImageResult v2 = write_oci_layout(dir / "oci", "v2", {layer}, other, Compression::zstd, dir / "tc");
  ImageResult v1 = write_oci_layout(dir / "oci", "v1", {layer}, k_config, Compression::gzip, dir / "tc");
  std::map<std::string, std::string> tags;
  const json index = read_json(dir / "oci/index.json");
  for (const json& entry : index["manifests"]) {
    tags[entry["annotations"]["org.opencontainers.image.ref.name"]] = entry["digest"];
  }
  CHECK(tags == std::map<std::string, std::string>{{"v1", v1.manifest_digest}, {"v2", v2.manifest_digest}});
}

TEST_CASE("an export into a directory of the user's is refused before anything is written", "[image]") {
  fs::path dir = make_temp_dir("image-foreign");
  ImageLayer layer = make_layer(dir);
  write_file(dir / "etc/passwd", "root:x:0:0::/root:/bin/sh\n");
  CHECK_THROWS_WITH(write_oci_layout(dir / "etc", "v1", {layer}, k_config, Compression::zstd, dir / "tc"),
                    Catch::Contains("refusing to write an OCI layout into " + (dir / "etc").string() +
                                    ": it holds 'passwd', which xstage did not write there"));
  CHECK(!fs::exists(dir / "etc/index.json"));
  CHECK(!fs::exists(dir / "etc/blobs"));
}

TEST_CASE("the gzip layer is gzip -n style and keeps the diff_id", "[image]") {
  fs::path dir = make_temp_dir("image-gzip-bytes");
  ImageLayer layer = make_layer(dir);
  write_oci_layout(dir / "z", "v1", {layer}, k_config, Compression::zstd, dir / "tc");
  write_oci_layout(dir / "g", "v1", {layer}, k_config, Compression::gzip, dir / "tc");
  json gzip_manifest = manifest_of(dir / "g");
  CHECK(gzip_manifest["layers"][0]["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip");
  fs::path blob = blob_of(dir / "g", gzip_manifest["layers"][0]["digest"]);
  std::string header = read_file(blob).substr(0, 10);
  CHECK(header.substr(0, 4) == std::string("\x1f\x8b\x08\x00", 4)); // gzip, deflate, no name
  CHECK(header.substr(4, 4) == std::string(4, '\0'));               // mtime 0
  CHECK(gunzip_sha256(blob) == layer.info.diff_id);
  auto diff_ids = [&](const fs::path& oci) {
    return read_json(blob_of(oci, manifest_of(oci)["config"]["digest"]))["rootfs"]["diff_ids"];
  };
  CHECK(diff_ids(dir / "g") == diff_ids(dir / "z"));
}

TEST_CASE("a layer that does not match its recorded digest is refused naming the stage", "[image]") {
  fs::path dir = make_temp_dir("image-mismatch");
  ImageLayer layer = make_layer(dir);
  ImageLayer wrong = layer;
  wrong.info.diff_id = "sha256:" + std::string(64, '0');
  CHECK_THROWS_WITH(write_oci_layout(dir / "oci", "v1", {wrong}, k_config, Compression::gzip, dir / "tc"),
                    "the layer of stage 'app' at " + layer.blob.string() + " unpacks to " +
                        layer.info.diff_id + " (" + std::to_string(layer.info.uncompressed_size) +
                        " bytes), not the recorded diff_id sha256:" + std::string(64, '0') + " (" +
                        std::to_string(layer.info.uncompressed_size) + " bytes)");
  CHECK_FALSE(fs::exists(dir / "oci/index.json"));
  wrong.info.digest = "sha256:../../etc";
  CHECK_THROWS_WITH(write_oci_layout(dir / "oci", "v1", {wrong}, k_config, Compression::zstd, dir / "tc"),
                    "the layer of stage 'app' has an invalid digest 'sha256:../../etc'");
}

TEST_CASE("a missing layer blob is an error naming the stage", "[image]") {
  fs::path dir = make_temp_dir("image-missing");
  ImageLayer layer = make_layer(dir);
  fs::remove(layer.blob);
  CHECK_THROWS_WITH(write_oci_layout(dir / "oci", "v1", {layer}, k_config, Compression::zstd, dir / "tc"),
                    "cannot read the layer of stage 'app' at " + layer.blob.string() +
                        ": No such file or directory");
}

TEST_CASE("image tags follow the ref.name grammar", "[image]") {
  CHECK(check_tag("v1") == "");
  CHECK(check_tag("app/arm64:1.0-rc1") == "");
  CHECK(check_tag("a--b") == "");
  CHECK(check_tag("") == "it is empty");
  CHECK(check_tag("-v1") == "each '/'-separated part must start and end with a letter or digit");
  CHECK(check_tag("a//b") == "each '/'-separated part must start and end with a letter or digit");
  CHECK(check_tag("a..b") == "separators may not repeat (except \"--\")");
  CHECK(check_tag("a b") == "' ' is not allowed (only letters, digits and \"-._:@+/\")");
  fs::path dir = make_temp_dir("image-tag");
  CHECK_THROWS_WITH(write_oci_layout(dir / "oci", "a b", {}, k_config, Compression::zstd, dir / "tc"),
                    "invalid image tag 'a b': ' ' is not allowed (only letters, digits and \"-._:@+/\")");
}

TEST_CASE("exporting again into a layout replaces its index", "[image]") {
  fs::path dir = make_temp_dir("image-again");
  ImageLayer layer = make_layer(dir);
  write_oci_layout(dir / "oci", "old", {layer}, k_config, Compression::zstd, dir / "tc");
  ImageResult result = write_oci_layout(dir / "oci", "new", {layer}, k_config, Compression::zstd, dir / "tc");
  json index = read_json(dir / "oci/index.json");
  REQUIRE(index["manifests"].size() == 1);
  CHECK(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] == "new");
  CHECK(index["manifests"][0]["digest"] == result.manifest_digest);
}

TEST_CASE("skopeo and umoci read both variants", "[image]") {
  if (!have_tool("skopeo") || !have_tool("umoci")) {
    WARN("skopeo or umoci is not on PATH; skipping (apt-get install skopeo umoci)");
    return;
  }
  fs::path dir = make_temp_dir("image-tools");
  ImageLayer layer = make_layer(dir);
  std::string zstd = (dir / "zstd").string();
  std::string gzip = (dir / "gzip").string();
  ImageResult zstd_result = write_oci_layout(zstd, "t", {layer}, k_config, Compression::zstd, dir / "tc");
  write_oci_layout(gzip, "t", {layer}, k_config, Compression::gzip, dir / "tc");
  for (const std::string& layout : {zstd, gzip}) {
    Run inspect = run("skopeo inspect oci:" + layout + ":t");
    INFO(inspect.output);
    CHECK(inspect.status == 0);
    CHECK(inspect.output.find("\"Architecture\": \"arm64\"") != std::string::npos);
  }
  Run copy = run("skopeo copy oci:" + zstd + ":t oci:" + (dir / "other").string() + ":t");
  INFO(copy.output);
  CHECK(copy.status == 0);
  json copied = read_json(dir / "other/index.json"); // skopeo drops "platform" here
  CHECK(copied["manifests"][0]["digest"] == zstd_result.manifest_digest);
  fs::path bundle = dir / "bundle";
  Run unpack = run("umoci unpack --rootless --image " + gzip + ":t " + bundle.string());
  INFO(unpack.output);
  REQUIRE(unpack.status == 0);
  CHECK(read_file(bundle / "rootfs/etc/greeting") == "hello\n");
  CHECK((fs::status(bundle / "rootfs/usr/bin/app").permissions() & fs::perms::owner_exec) != fs::perms::none);
  CHECK(fs::read_symlink(bundle / "rootfs/usr/bin/app-link") == "app");
}
