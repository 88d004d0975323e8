// The machine-file parser and evaluator on any text: every outcome is a
// value or a located xstage::Error, never a crash, a hang or another
// exception type.
#include "fuzz_support.hpp"
#include "machine_file/machine_file.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  xstage::machine_file::MachineFile file;
  try {
    file.parse_text(xstage::fuzz::as_text(data, size), "fuzz.ini");
    (void)file.to_json();
  } catch (const xstage::Error& error) {
    xstage::fuzz::require_located(error.what(), "fuzz.ini");
  }
  return 0;
}
