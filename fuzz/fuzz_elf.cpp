// The ELF dynamic-section reader on any bytes: a result, nothing (not ELF)
// or an xstage::Error naming the file.
#include "fuzz_support.hpp"
#include "image/elf_dynamic.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)xstage::image::read_elf_dynamic(xstage::fuzz::as_text(data, size), "fuzz.elf");
  } catch (const xstage::Error& error) {
    if (std::string_view(error.what()).find("fuzz.elf") == std::string_view::npos) {
      std::fprintf(stderr, "error without the file's name: %s\n", error.what());
      std::abort();
    }
  }
  return 0;
}
