// Cache-entry JSON on any bytes: an entry, or an xstage::Error naming it;
// a parsed entry writes back to JSON that reads as the same entry.
#include <nlohmann/json.hpp>

#include "cache/entry.hpp"
#include "fuzz_support.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  nlohmann::json json = nlohmann::json::parse(xstage::fuzz::as_text(data, size), nullptr, false);
  if (json.is_discarded()) {
    return 0;
  }
  try {
    xstage::cache::CacheEntry entry = xstage::cache::entry_from_json(json, "entry fuzz.json");
    xstage::cache::CacheEntry again = xstage::cache::entry_from_json(xstage::cache::to_json(entry), "again");
    if (again.key != entry.key || again.layer != entry.layer || again.manifest != entry.manifest) {
      std::fprintf(stderr, "an entry does not survive its own JSON\n");
      std::abort();
    }
  } catch (const xstage::Error& error) {
    if (!std::string_view(error.what()).starts_with("entry fuzz.json")) {
      std::fprintf(stderr, "error without the entry's name: %s\n", error.what());
      std::abort();
    }
  }
  return 0;
}
