#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xstage::image {

// What the dynamic loader needs to start an ELF program or library.
struct ElfDynamic {
  std::vector<std::string> needed;  // DT_NEEDED sonames, in order
  std::vector<std::string> runpath; // DT_RUNPATH (else DT_RPATH) entries
  std::string interpreter;          // PT_INTERP; empty for libraries
  bool is_dynamic = false;          // has a PT_DYNAMIC segment
};

// The dynamic section of a 64-bit little-endian ELF file (what every aarch64
// Linux binary is), or nothing when `bytes` is not one (another class or
// byte order, or not ELF at all). A truncated or inconsistent ELF64 file
// throws xstage::Error naming `name`. Pure parsing: offsets and sizes are
// bounds-checked, nothing is executed or loaded.
std::optional<ElfDynamic> read_elf_dynamic(std::string_view bytes, const std::string& name);

} // namespace xstage::image
