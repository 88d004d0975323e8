// A cache entry's one JSON form, shared by entries/<key>.json and a
// registry's stage configs.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "cache/entry.hpp"
#include "util/digest.hpp"
#include "util/error.hpp"

using nlohmann::json;
using xstage::cache::CacheEntry;
using xstage::cache::Created;
using xstage::cache::entry_from_json;
using xstage::cache::to_json;
using xstage::util::Digest;

namespace {

CacheEntry sample_entry() {
  return {std::string(64, 'b'),
          "zlib",
          1700000000,
          json{{"stage", "zlib"}},
          {Digest::of("zst").str(), 3, Digest::of("tar").str(), 10240}};
}

} // namespace

TEST_CASE("an entry reads back from its JSON form unchanged", "[cache]") {
  CacheEntry entry = sample_entry();
  CacheEntry read = entry_from_json(to_json(entry), "entry");
  CHECK(read.key == entry.key);
  CHECK(read.stage == entry.stage);
  CHECK(read.created == entry.created);
  CHECK(read.manifest == entry.manifest);
  CHECK(read.layer == entry.layer);
}

TEST_CASE("without its creation time an entry's JSON form has none and reads back with 0", "[cache]") {
  json form = to_json(sample_entry(), Created::omitted);
  CHECK_FALSE(form.contains("created"));
  CHECK(entry_from_json(form, "config", Created::omitted).created == 0);
  CHECK_THROWS_WITH(entry_from_json(form, "entry"), "entry has no 'created'");
}

TEST_CASE("a missing field of an entry is named", "[cache]") {
  json form = to_json(sample_entry());
  form["layer"].erase("diff_id");
  CHECK_THROWS_WITH(entry_from_json(form, "entry e.json"), "entry e.json has no 'diff_id'");
  CHECK_THROWS_WITH(entry_from_json(json::parse("[1]"), "entry e.json"), "entry e.json has no 'key'");
}

TEST_CASE("a field of an entry of the wrong kind, or a digest that is not sha256, is named", "[cache]") {
  json form = to_json(sample_entry());
  form["layer"]["size"] = -1;
  CHECK_THROWS_WITH(entry_from_json(form, "entry"), "entry has an invalid 'size'");
  form = to_json(sample_entry());
  form["layer"]["digest"] = "sha256:../../etc";
  CHECK_THROWS_WITH(entry_from_json(form, "entry"), "entry has an invalid 'digest'");
  form = to_json(sample_entry());
  form["stage"] = 7;
  CHECK_THROWS_WITH(entry_from_json(form, "entry"), "entry has an invalid 'stage'");
}

TEST_CASE("an entry whose stage is not a stage name is refused", "[cache]") {
  json form = to_json(sample_entry());
  for (const char* stage : {"../../tmp/evil", "app\x1b[2J", "", "-rf"}) {
    form["stage"] = stage;
    CHECK_THROWS_WITH(entry_from_json(form, "entry"), "entry has an invalid 'stage'");
  }
}
