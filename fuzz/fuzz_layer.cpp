// The layer reader and extractor on crafted archives: the input is the tar
// (compressed here, so mutations reach the tar format rather than zstd's
// checksums). Every outcome is a tree inside the root or an xstage::Error;
// nothing is ever written outside the root.
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>
#include <zstd.h>

#include "fuzz_support.hpp"
#include "layer/layer.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path& scratch() {
  static const fs::path dir = [] {
    fs::path made = fs::temp_directory_path() / ("xstage-fuzz-layer-" + std::to_string(::getpid()));
    fs::create_directories(made / "outside");
    return made;
  }();
  return dir;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string compressed(ZSTD_compressBound(size), '\0');
  std::size_t written = ZSTD_compress(compressed.data(), compressed.size(), data, size, 1);
  if (ZSTD_isError(written)) {
    return 0;
  }
  compressed.resize(written);
  const fs::path blob = scratch() / "layer.tar.zst";
  const fs::path root = scratch() / "outside" / "root";
  std::ofstream(blob, std::ios::binary | std::ios::trunc) << compressed;
  fs::remove_all(root);
  try {
    xstage::layer::LayerInfo info = xstage::layer::describe_layer(blob);
    xstage::layer::check_layer(blob, info);
    xstage::layer::PathOwners owners;
    xstage::layer::extract_layer(blob, info, root, "fuzz", owners);
  } catch (const xstage::Error&) {
  }
  // The root's parent holds nothing but the root: no entry escaped.
  for (const fs::directory_entry& entry : fs::directory_iterator(scratch() / "outside")) {
    if (entry.path() != root) {
      std::fprintf(stderr, "a layer wrote %s outside its root\n", entry.path().c_str());
      std::abort();
    }
  }
  return 0;
}
