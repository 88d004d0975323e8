// Recipe validation on any text: a Recipe or a located xstage::Error.
#include "fuzz_support.hpp"
#include "recipe/recipe.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string file = "recipes/fuzz/stage.ini";
  try {
    (void)xstage::recipe::parse_recipe(xstage::fuzz::as_text(data, size), file);
  } catch (const xstage::Error& error) {
    xstage::fuzz::require_located(error.what(), file);
  }
  return 0;
}
