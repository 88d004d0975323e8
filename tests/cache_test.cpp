// The local stage cache: store/restore, eviction of corrupt blobs, gc.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <sys/stat.h>

#include <fmt/format.h>

#include "cache/cache.hpp"
#include "cache/package_store.hpp"
#include "layer/layer.hpp"
#include "test_support.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;
using namespace xstage::cache;
using xstage::layer::LayerInfo;
using xstage::test::make_temp_dir;
using xstage::test::read_file;
using xstage::test::write_file;
using xstage::util::Digest;

namespace {

// A layer holding one file with `content`, at dir/<name>.tar.zst.
fs::path make_layer(const fs::path& dir, const std::string& name, const std::string& content,
                    LayerInfo& info) {
  write_file(dir / ("tree-" + name) / "file", content);
  fs::path output = dir / (name + ".tar.zst");
  info = xstage::layer::write_layer(dir / ("tree-" + name), output);
  return output;
}

const nlohmann::json k_manifest = {{"stage", "zlib"}, {"version", 1}};

std::vector<std::string> keys_of(const std::vector<CacheEntry>& entries) {
  std::vector<std::string> keys;
  for (const CacheEntry& entry : entries) {
    keys.push_back(entry.key);
  }
  return keys;
}

} // namespace

TEST_CASE("a stored entry is found with its manifest and layer", "[cache]") {
  auto dir = make_temp_dir("cache");
  LayerInfo info;
  fs::path layer_file = make_layer(dir, "l", "data", info);
  Cache cache(dir / "cache", [] { return std::int64_t{1700000000}; });
  const std::string key = Digest::of("k").hex();
  CacheEntry stored = cache.store(key, "zlib", k_manifest, layer_file, info);
  auto found = cache.find(key);
  REQUIRE(found);
  CHECK(found->stage == "zlib");
  CHECK(found->created == 1700000000);
  CHECK(found->manifest == k_manifest);
  CHECK(found->layer == info);
  CHECK(read_file(cache.blob_path(info.digest)) != "");
  CHECK_FALSE(fs::exists(layer_file));
  CHECK(read_file(dir / "cache" / "oci-layout") == R"({"imageLayoutVersion":"1.0.0"})");
}

TEST_CASE("an unknown key is a miss, not an eviction", "[cache]") {
  auto dir = make_temp_dir("cache");
  Cache cache(dir / "cache");
  CHECK_FALSE(cache.find(Digest::of("nothing").hex()));
  RestoreResult result = cache.restore(Digest::of("nothing").hex());
  CHECK_FALSE(result.entry);
  CHECK(result.evicted_reason.empty());
  CHECK(cache.entries().empty());
}

TEST_CASE("restore returns an entry whose blob verifies", "[cache]") {
  auto dir = make_temp_dir("cache");
  LayerInfo info;
  Cache cache(dir / "cache");
  cache.store(Digest::of("k").hex(), "zlib", k_manifest, make_layer(dir, "l", "data", info));
  RestoreResult result = cache.restore(Digest::of("k").hex());
  REQUIRE(result.entry);
  CHECK(result.entry->layer == info);
  CHECK(result.evicted_reason.empty());
}

TEST_CASE("a truncated blob is detected on restore and evicted", "[cache]") {
  auto dir = make_temp_dir("cache");
  LayerInfo info;
  Cache cache(dir / "cache");
  cache.store(Digest::of("k").hex(), "zlib", k_manifest, make_layer(dir, "l", "data", info));
  fs::path blob = cache.blob_path(info.digest);
  fs::resize_file(blob, info.size - 5);
  RestoreResult result = cache.restore(Digest::of("k").hex());
  CHECK_FALSE(result.entry);
  CHECK(result.evicted_reason == "blob " + blob.string() + " has " + std::to_string(info.size - 5) +
                                     " bytes instead of " + std::to_string(info.size));
  CHECK_FALSE(cache.find(Digest::of("k").hex()));
  CHECK_FALSE(fs::exists(blob));
}

TEST_CASE("a blob with one byte flipped is detected on restore and evicted", "[cache]") {
  auto dir = make_temp_dir("cache");
  LayerInfo info;
  Cache cache(dir / "cache");
  cache.store(Digest::of("k").hex(), "zlib", k_manifest, make_layer(dir, "l", "data", info));
  fs::path blob = cache.blob_path(info.digest);
  std::string bytes = read_file(blob);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
  write_file(blob, bytes);
  RestoreResult result = cache.restore(Digest::of("k").hex());
  CHECK_FALSE(result.entry);
  CHECK(result.evicted_reason ==
        "blob " + blob.string() + " is corrupt: its content hashes to " + Digest::of(bytes).str());
  CHECK_FALSE(cache.find(Digest::of("k").hex()));
}

TEST_CASE("a blob flipped after it verified is still detected on restore", "[cache]") {
  auto dir = make_temp_dir("cache");
  LayerInfo info;
  Cache cache(dir / "cache");
  cache.store(Digest::of("k").hex(), "zlib", k_manifest, make_layer(dir, "l", "data", info));
  REQUIRE(cache.restore(Digest::of("k").hex()).entry); // hashed once, its stat data recorded
  REQUIRE(fs::exists(dir / "cache" / "verified" / info.digest.substr(7)));
  fs::path blob = cache.blob_path(info.digest);
  std::string bytes = read_file(blob);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
  {
    std::fstream in_place(blob, std::ios::in | std::ios::out | std::ios::binary); // same inode, same size
    in_place.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  RestoreResult result = cache.restore(Digest::of("k").hex());
  CHECK_FALSE(result.entry);
  CHECK(result.evicted_reason ==
        "blob " + blob.string() + " is corrupt: its content hashes to " + Digest::of(bytes).str());
}

TEST_CASE("an unchanged verified blob is trusted on restore, and verify hashes it anyway", "[cache]") {
  auto dir = make_temp_dir("cache");
  LayerInfo info;
  Cache cache(dir / "cache");
  cache.store(Digest::of("k").hex(), "zlib", k_manifest, make_layer(dir, "l", "data", info));
  REQUIRE(cache.restore(Digest::of("k").hex()).entry);
  // Forge what only a write behind the file system's back could do: damage
  // the blob, then record its new stat data as verified.
  fs::path blob = cache.blob_path(info.digest);
  std::string bytes = read_file(blob);
  bytes.back() = static_cast<char>(bytes.back() ^ 0x01);
  write_file(blob, bytes);
  struct ::stat now {};
  REQUIRE(::stat(blob.c_str(), &now) == 0);
  fs::path stamp = dir / "cache" / "verified" / info.digest.substr(7);
  write_file(stamp, fmt::format("{} {} {}.{:09} {}.{:09}\n", now.st_size, now.st_ino, now.st_mtim.tv_sec,
                                now.st_mtim.tv_nsec, now.st_ctim.tv_sec, now.st_ctim.tv_nsec));
  CHECK(cache.restore(Digest::of("k").hex()).entry); // trusted: not hashed
  VerifyReport report = cache.verify();              // always hashes
  CHECK(report.bad_blobs == std::vector<std::string>{info.digest});
  CHECK_FALSE(fs::exists(stamp));
}

TEST_CASE("a missing blob is detected on restore and evicted", "[cache]") {
  auto dir = make_temp_dir("cache");
  LayerInfo info;
  Cache cache(dir / "cache");
  cache.store(Digest::of("k").hex(), "zlib", k_manifest, make_layer(dir, "l", "data", info));
  fs::remove(cache.blob_path(info.digest));
  RestoreResult result = cache.restore(Digest::of("k").hex());
  CHECK_FALSE(result.entry);
  CHECK(result.evicted_reason == "blob " + cache.blob_path(info.digest).string() + " is missing");
  CHECK(cache.entries().empty());
}

TEST_CASE("store writes no entry when the blob cannot be put in place", "[cache]") {
  auto dir = make_temp_dir("cache");
  LayerInfo info;
  fs::path layer_file = make_layer(dir, "l", "data", info);
  Cache cache(dir / "cache");
  fs::create_directories(cache.blob_path(info.digest)); // something in the blob's way
  REQUIRE_THROWS_WITH(cache.store(Digest::of("k").hex(), "zlib", k_manifest, layer_file, info),
                      "refusing to write " + cache.blob_path(info.digest).string() +
                          ": it is a directory, and xstage replaces only regular files");
  CHECK_FALSE(cache.find(Digest::of("k").hex()));
  CHECK(fs::is_empty(dir / "cache" / "entries"));
  CHECK(fs::exists(layer_file));
}

TEST_CASE("storing a layer whose blob exists keeps one blob and consumes the file", "[cache]") {
  auto dir = make_temp_dir("cache");
  LayerInfo first;
  LayerInfo second;
  Cache cache(dir / "cache");
  cache.store(Digest::of("a").hex(), "zlib", k_manifest, make_layer(dir, "a", "same", first));
  fs::path again = make_layer(dir, "b", "same", second);
  REQUIRE(first == second);
  cache.store(Digest::of("b").hex(), "zlib", k_manifest, again, second);
  CHECK_FALSE(fs::exists(again));
  CHECK(std::distance(fs::directory_iterator(dir / "cache/blobs/sha256"), fs::directory_iterator()) == 1);
  CHECK(cache.restore(Digest::of("a").hex()).entry);
  CHECK(cache.restore(Digest::of("b").hex()).entry);
}

TEST_CASE("entries are sorted by stage, then creation time", "[cache]") {
  auto dir = make_temp_dir("cache");
  std::int64_t now = 10;
  Cache cache(dir / "cache", [&] { return now; });
  LayerInfo info;
  cache.store(Digest::of("zlib-new").hex(), "zlib", k_manifest, make_layer(dir, "1", "1", info));
  now = 5;
  cache.store(Digest::of("zlib-old").hex(), "zlib", k_manifest, make_layer(dir, "2", "2", info));
  cache.store(Digest::of("app").hex(), "app", k_manifest, make_layer(dir, "3", "3", info));
  CHECK(keys_of(cache.entries()) == std::vector<std::string>{Digest::of("app").hex(),
                                                             Digest::of("zlib-old").hex(),
                                                             Digest::of("zlib-new").hex()});
}

TEST_CASE("newest_for_stage finds the latest build other than the given key", "[cache]") {
  auto dir = make_temp_dir("cache");
  std::int64_t now = 1;
  Cache cache(dir / "cache", [&] { return now; });
  LayerInfo info;
  cache.store(Digest::of("old").hex(), "zlib", k_manifest, make_layer(dir, "1", "1", info));
  now = 2;
  cache.store(Digest::of("new").hex(), "zlib", k_manifest, make_layer(dir, "2", "2", info));
  cache.store(Digest::of("other").hex(), "app", k_manifest, make_layer(dir, "3", "3", info));
  CHECK(cache.newest_for_stage("zlib")->key == Digest::of("new").hex());
  CHECK(cache.newest_for_stage("zlib", Digest::of("new").hex())->key == Digest::of("old").hex());
  CHECK_FALSE(cache.newest_for_stage("missing"));
}

TEST_CASE("gc evicts the oldest entries until the blobs fit", "[cache]") {
  auto dir = make_temp_dir("cache");
  std::int64_t now = 3;
  Cache cache(dir / "cache", [&] { return now; });
  LayerInfo newest, oldest, middle;
  cache.store(Digest::of("3").hex(), "c", k_manifest, make_layer(dir, "3", "three", newest));
  now = 1;
  cache.store(Digest::of("1").hex(), "a", k_manifest, make_layer(dir, "1", "one", oldest));
  now = 2;
  cache.store(Digest::of("2").hex(), "b", k_manifest, make_layer(dir, "2", "two", middle));
  GcReport report = cache.gc(newest.size + middle.size);
  CHECK(report.removed_keys == std::vector<std::string>{Digest::of("1").hex()});
  CHECK(report.removed_blobs == std::vector<std::string>{oldest.digest});
  CHECK(report.bytes_freed == oldest.size);
  CHECK(report.remaining_size == newest.size + middle.size);
  CHECK(keys_of(cache.entries()) == std::vector<std::string>{Digest::of("2").hex(), Digest::of("3").hex()});
}

TEST_CASE("gc removes unreferenced blobs and stale temporaries but not fresh ones", "[cache]") {
  auto dir = make_temp_dir("cache");
  LayerInfo info;
  Cache cache(dir / "cache");
  cache.store(Digest::of("k").hex(), "zlib", k_manifest, make_layer(dir, "l", "data", info));
  fs::path blobs = dir / "cache/blobs/sha256";
  write_file(blobs / Digest::of("orphan").hex(), "orphan");
  write_file(blobs / "x.tmp.aaaaaa", "stale");
  fs::last_write_time(blobs / "x.tmp.aaaaaa", fs::file_time_type::clock::now() - std::chrono::hours(2));
  write_file(dir / "cache/entries" / "y.json.tmp.bbbbbb", "fresh");
  GcReport report = cache.gc(1 << 30);
  CHECK(report.removed_keys.empty());
  CHECK(report.removed_blobs == std::vector<std::string>{Digest::of("orphan").str()});
  CHECK(report.removed_temps == 1);
  CHECK(report.bytes_freed == 11);
  CHECK(fs::exists(dir / "cache/entries" / "y.json.tmp.bbbbbb"));
  CHECK(cache.restore(Digest::of("k").hex()).entry);
}

TEST_CASE("gc removes the gzip variants of the blobs it removes, and keeps the others", "[cache]") {
  auto dir = make_temp_dir("cache");
  std::int64_t now = 1;
  Cache cache(dir / "cache", [&] { return now; });
  LayerInfo old_layer, new_layer;
  cache.store(Digest::of("old").hex(), "a", k_manifest, make_layer(dir, "o", "old", old_layer));
  now = 2;
  cache.store(Digest::of("new").hex(), "b", k_manifest, make_layer(dir, "n", "new", new_layer));
  auto hex = [](const LayerInfo& layer) { return Digest::parse(layer.digest).hex(); };
  fs::create_directories(cache.transcoded_dir());
  write_file(cache.transcoded_dir() / (hex(old_layer) + ".tar.gz"), "gzip");
  write_file(cache.transcoded_dir() / (hex(old_layer) + ".json"), "{}");
  write_file(cache.transcoded_dir() / (hex(new_layer) + ".tar.gz"), "gzip");
  GcReport report = cache.gc(new_layer.size);
  CHECK(report.removed_blobs == std::vector<std::string>{old_layer.digest});
  CHECK(report.removed_transcoded == 2);
  CHECK(report.bytes_freed == old_layer.size + 6);
  CHECK_FALSE(fs::exists(cache.transcoded_dir() / (hex(old_layer) + ".tar.gz")));
  CHECK(fs::exists(cache.transcoded_dir() / (hex(new_layer) + ".tar.gz")));
}

TEST_CASE("verify evicts the entries of corrupt blobs", "[cache]") {
  auto dir = make_temp_dir("cache");
  LayerInfo good, bad;
  Cache cache(dir / "cache");
  cache.store(Digest::of("good").hex(), "a", k_manifest, make_layer(dir, "g", "good", good));
  cache.store(Digest::of("bad").hex(), "b", k_manifest, make_layer(dir, "b", "bad", bad));
  fs::resize_file(cache.blob_path(bad.digest), 3);
  VerifyReport report = cache.verify();
  CHECK(report.blobs_checked == 2);
  CHECK(report.bad_blobs == std::vector<std::string>{bad.digest});
  REQUIRE(report.evicted.size() == 1);
  CHECK(report.evicted[0].key == Digest::of("bad").hex());
  CHECK(report.evicted[0].reason == "blob " + cache.blob_path(bad.digest).string() +
                                        " has 3 bytes instead of " + std::to_string(bad.size));
  CHECK(keys_of(cache.entries()) == std::vector<std::string>{Digest::of("good").hex()});
}

TEST_CASE("verify checks each entry's description of a shared blob, not the blob once", "[cache]") {
  auto dir = make_temp_dir("cache-shared");
  Cache cache(dir / "cache");
  LayerInfo good;
  cache.store(Digest::of("good").hex(), "a", k_manifest, make_layer(dir, "g", "good", good));
  // A second entry naming the same (intact) blob with another tar behind it.
  LayerInfo lie = good;
  lie.diff_id = "sha256:" + std::string(64, 'f');
  write_file(dir / "copy.tar.zst", read_file(cache.blob_path(good.digest)));
  cache.store(Digest::of("forged").hex(), "b", k_manifest, dir / "copy.tar.zst", lie);
  VerifyReport report = cache.verify();
  CHECK(report.blobs_checked == 2);
  REQUIRE(report.evicted.size() == 1);
  CHECK(report.evicted[0].key == Digest::of("forged").hex());
  CHECK(report.bad_blobs.empty()); // the good entry's blob stays
  CHECK(keys_of(cache.entries()) == std::vector<std::string>{Digest::of("good").hex()});
  CHECK(cache.restore(Digest::of("good").hex()).entry);
}

TEST_CASE("verify reports every problem it finds, each naming its file", "[cache]") {
  auto dir = make_temp_dir("cache-verify");
  Cache cache(dir / "cache");
  LayerInfo good, gone, folder;
  cache.store(Digest::of("good").hex(), "a", k_manifest, make_layer(dir, "g", "good", good));
  // A consistent blob whose entry records another tar: a diff_id forgery.
  LayerInfo lie;
  make_layer(dir, "f", "forged", lie);
  lie.diff_id = "sha256:" + std::string(64, 'f');
  cache.store(Digest::of("forged").hex(), "b", k_manifest, dir / "f.tar.zst", lie);
  cache.store(Digest::of("gone").hex(), "c", k_manifest, make_layer(dir, "m", "gone", gone));
  fs::remove(cache.blob_path(gone.digest));
  cache.store(Digest::of("folder").hex(), "d", k_manifest, make_layer(dir, "d", "folder", folder));
  fs::remove(cache.blob_path(folder.digest));
  fs::create_directories(cache.blob_path(folder.digest) / "inside");
  const fs::path entries = dir / "cache" / "entries";
  write_file(entries / (Digest::of("json").hex() + ".json"), "{\"key\": ");
  std::string negative = read_file(entries / (Digest::of("good").hex() + ".json"));
  negative.replace(negative.find("\"size\": ") + 8, 0, "-");
  write_file(entries / (Digest::of("negative").hex() + ".json"),
             negative.replace(negative.find(Digest::of("good").hex()), 64, Digest::of("negative").hex()));
  write_file(entries / "notes.txt", "mine");

  const LayerInfo actual = xstage::layer::describe_layer(cache.blob_path(lie.digest));
  VerifyReport report = cache.verify();
  CHECK(report.entries_checked == 6);
  CHECK(report.blobs_checked == 4);
  CHECK_FALSE(report.clean());
  CHECK(
      report.bad_entries ==
      std::vector<std::string>{
          "entry " + (entries / (Digest::of("json").hex() + ".json")).string() +
              " is not JSON ([json.exception.parse_error.101] parse error at line 1, column 9: syntax error "
              "while parsing value - unexpected end of input; expected '[', '{', or a literal)",
          "entry " + (entries / (Digest::of("negative").hex() + ".json")).string() +
              " has an invalid 'size'"});
  CHECK(report.stray_files ==
        std::vector<std::string>{(entries / "notes.txt").string() + " is not named <key>.json"});
  std::map<std::string, std::string> reasons;
  for (const Eviction& eviction : report.evicted) {
    reasons[eviction.stage] = eviction.reason;
  }
  CHECK(reasons.size() == 3);
  CHECK(reasons["b"] == "layer " + cache.blob_path(lie.digest).string() + " unpacks to " + actual.diff_id +
                            " (" + std::to_string(actual.uncompressed_size) +
                            " bytes), not the recorded diff_id " + lie.diff_id + " (" +
                            std::to_string(lie.uncompressed_size) + " bytes)");
  CHECK(reasons["c"] == "blob " + cache.blob_path(gone.digest).string() + " is missing");
  CHECK(reasons["d"] == "blob " + cache.blob_path(folder.digest).string() + " is not a regular file");
  CHECK_FALSE(fs::exists(cache.blob_path(folder.digest)));
  CHECK(keys_of(cache.entries()) == std::vector<std::string>{Digest::of("good").hex()});
  CHECK(fs::exists(entries / "notes.txt"));
  CHECK_THROWS_WITH(Cache(dir / "nowhere").verify(), "there is no cache at " + (dir / "nowhere").string() +
                                                         ": nothing was stored there (is --cache right?)");
}

TEST_CASE("readers skip temporaries and unreadable entries", "[cache]") {
  auto dir = make_temp_dir("cache");
  LayerInfo info;
  Cache cache(dir / "cache");
  cache.store(Digest::of("k").hex(), "zlib", k_manifest, make_layer(dir, "l", "data", info));
  write_file(dir / "cache/entries" / (Digest::of("t").hex() + ".json.tmp.abcdef"), "{");
  write_file(dir / "cache/entries" / (Digest::of("broken").hex() + ".json"), "{\"key\":");
  CHECK(keys_of(cache.entries()) == std::vector<std::string>{Digest::of("k").hex()});
  CHECK_FALSE(cache.find(Digest::of("broken").hex()));
  RestoreResult result = cache.restore(Digest::of("broken").hex());
  CHECK(result.evicted_reason ==
        "entry " + (dir / "cache/entries" / (Digest::of("broken").hex() + ".json")).string() +
            " is unreadable");
}

TEST_CASE("keys and digests that could name other paths are refused", "[cache]") {
  auto dir = make_temp_dir("cache");
  Cache cache(dir / "cache");
  REQUIRE_THROWS_WITH(cache.find("../../etc/passwd"),
                      "invalid stage key '../../etc/passwd': expected 64 lower-case hex digits");
  REQUIRE_THROWS_WITH(cache.blob_path("sha256:../x"),
                      "invalid blob digest 'sha256:../x': expected sha256:<64 hex digits>");
}

TEST_CASE("parse_size reads plain numbers and binary suffixes", "[cache]") {
  CHECK(parse_size("1024") == 1024);
  CHECK(parse_size("500M") == 500ull << 20);
  CHECK(parse_size("2G") == 2ull << 30);
  CHECK(parse_size("2gib") == 2ull << 30);
  CHECK(parse_size("3k") == 3072);
  CHECK(parse_size("1T") == 1ull << 40);
  CHECK(parse_size("0") == 0);
}

TEST_CASE("parse_size rejects garbage and overflow", "[cache]") {
  const std::string expected = ": expected a number with an optional K, M, G or T suffix";
  REQUIRE_THROWS_WITH(parse_size(""), "invalid size ''" + expected);
  REQUIRE_THROWS_WITH(parse_size("M"), "invalid size 'M'" + expected);
  REQUIRE_THROWS_WITH(parse_size("12X"), "invalid size '12X'" + expected);
  REQUIRE_THROWS_WITH(parse_size("-1"), "invalid size '-1'" + expected);
  REQUIRE_THROWS_WITH(parse_size("1.5G"), "invalid size '1.5G'" + expected);
  REQUIRE_THROWS_WITH(parse_size("99999999999999999999"), "size '99999999999999999999' is too large");
  REQUIRE_THROWS_WITH(parse_size("20000000T"), "size '20000000T' is too large");
}

TEST_CASE("a cached package is found only while it matches its digest, and leaves with its entry",
          "[cache]") {
  fs::path dir = make_temp_dir("packages");
  PackageStore store(dir / "packages");
  const std::string key(64, 'a');
  const std::string spec(64, 'b');
  CHECK(!store.find(key, spec));
  write_file(dir / "new.deb", "a package");
  fs::path stored = store.store(key, spec, dir / "new.deb");
  CHECK(!fs::exists(dir / "new.deb"));
  REQUIRE(store.find(key, spec) == stored);
  CHECK(read_file(stored) == "a package");
  CHECK(store.verify().empty());

  write_file(stored, "a packagE"); // altered on disk
  CHECK(!store.find(key, spec));
  CHECK(!fs::exists(stored));

  write_file(dir / "new.deb", "a package");
  stored = store.store(key, spec, dir / "new.deb");
  write_file(stored, "tampered");
  auto problems = store.verify();
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Catch::Contains(stored.string()) && Catch::Contains("was recorded"));
  CHECK(!fs::exists(stored));

  write_file(dir / "new.deb", "a package");
  stored = store.store(key, spec, dir / "new.deb");
  CHECK(store.prune({key}).removed == 0);
  CHECK(store.prune({std::string(64, 'c')}).removed == 2); // the .deb and its digest
  CHECK(!store.find(key, spec));
  REQUIRE_THROWS_WITH(store.find("../etc", spec), Catch::Contains("expected two SHA-256 hex digests"));
}

TEST_CASE("gc removes the packages of the entries it removes, and verify hashes every package", "[cache]") {
  fs::path dir = make_temp_dir("cache-packages");
  Cache cache(dir / "cache");
  LayerInfo info;
  const std::string kept(64, '1');
  cache.store(kept, "zlib", k_manifest, make_layer(dir, "a", "kept", info), info);
  PackageStore store(cache.packages_dir());
  write_file(dir / "kept.deb", "kept package");
  store.store(kept, std::string(64, 'b'), dir / "kept.deb");
  write_file(dir / "orphan.deb", "orphan package");
  store.store(std::string(64, '2'), std::string(64, 'b'), dir / "orphan.deb");

  GcReport report = cache.gc(std::uint64_t{1} << 40);
  CHECK(report.removed_packages == 2);
  CHECK(store.find(kept, std::string(64, 'b')));

  write_file(cache.packages_dir() / (kept + "-" + std::string(64, 'b') + ".deb"), "altered");
  VerifyReport verified = cache.verify();
  CHECK(verified.bad_packages.size() == 1);
  CHECK(!verified.clean());
}
