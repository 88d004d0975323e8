#include "image/elf_dynamic.hpp"

#include <cstring>
#include <elf.h>

#include <fmt/format.h>

#include "util/error.hpp"

namespace xstage::image {

namespace {

// Bounds-checked reads from the file image; every offset in an ELF file is
// untrusted.
class ElfBytes {
public:
  ElfBytes(std::string_view bytes, const std::string& name) : m_bytes(bytes), m_name(name) {}

  template <typename T> T read(std::uint64_t offset, std::string_view what) const {
    if (offset > m_bytes.size() || m_bytes.size() - offset < sizeof(T)) {
      fail(fmt::format("its {} at offset {} lies past the end", what, offset));
    }
    T value;
    std::memcpy(&value, m_bytes.data() + offset, sizeof(T));
    return value;
  }

  std::string string_at(std::uint64_t offset, std::string_view what) const {
    if (offset >= m_bytes.size()) {
      fail(fmt::format("its {} at offset {} lies past the end", what, offset));
    }
    std::size_t end = m_bytes.find('\0', offset);
    if (end == std::string_view::npos) {
      fail(fmt::format("its {} at offset {} is not terminated", what, offset));
    }
    return std::string(m_bytes.substr(offset, end - offset));
  }

  [[noreturn]] void fail(const std::string& why) const {
    throw Error(fmt::format("{} is not a valid ELF file: {}", m_name, why));
  }

private:
  std::string_view m_bytes;
  const std::string& m_name;
};

// The file offset of virtual address `address`, through the PT_LOAD segment
// that maps it (DT_STRTAB is an address, not an offset).
std::uint64_t file_offset(const std::vector<Elf64_Phdr>& segments, std::uint64_t address,
                          const ElfBytes& bytes) {
  for (const Elf64_Phdr& segment : segments) {
    if (segment.p_type == PT_LOAD && address >= segment.p_vaddr &&
        address - segment.p_vaddr < segment.p_filesz) {
      return segment.p_offset + (address - segment.p_vaddr);
    }
  }
  bytes.fail(fmt::format("no loadable segment maps address {:#x}", address));
}

std::vector<std::string> split_paths(const std::string& list) {
  std::vector<std::string> paths;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = std::min(list.find(':', start), list.size());
    if (end > start) {
      paths.push_back(list.substr(start, end - start));
    }
    start = end + 1;
  }
  return paths;
}

} // namespace

std::optional<ElfDynamic> read_elf_dynamic(std::string_view data, const std::string& name) {
  if (data.size() < EI_NIDENT || std::memcmp(data.data(), ELFMAG, SELFMAG) != 0 ||
      data[EI_CLASS] != ELFCLASS64 || data[EI_DATA] != ELFDATA2LSB) {
    return std::nullopt;
  }
  ElfBytes bytes(data, name);
  auto header = bytes.read<Elf64_Ehdr>(0, "header");
  if (header.e_phentsize != sizeof(Elf64_Phdr)) {
    bytes.fail(fmt::format("program headers of {} bytes, not {}", header.e_phentsize, sizeof(Elf64_Phdr)));
  }
  std::vector<Elf64_Phdr> segments;
  for (std::uint64_t i = 0; i < header.e_phnum; ++i) {
    segments.push_back(bytes.read<Elf64_Phdr>(header.e_phoff + i * sizeof(Elf64_Phdr), "program header"));
  }

  ElfDynamic result;
  for (const Elf64_Phdr& segment : segments) {
    if (segment.p_type == PT_INTERP) {
      result.interpreter = bytes.string_at(segment.p_offset, "interpreter");
    }
  }
  const Elf64_Phdr* dynamic = nullptr;
  for (const Elf64_Phdr& segment : segments) {
    if (segment.p_type == PT_DYNAMIC) {
      dynamic = &segment;
    }
  }
  if (dynamic == nullptr) {
    return result; // static: needs nothing
  }
  result.is_dynamic = true;

  std::uint64_t string_table = 0;
  std::vector<std::uint64_t> needed;
  std::uint64_t runpath = 0;
  std::uint64_t rpath = 0;
  bool has_runpath = false;
  bool has_rpath = false;
  for (std::uint64_t offset = dynamic->p_offset; offset < dynamic->p_offset + dynamic->p_filesz;
       offset += sizeof(Elf64_Dyn)) {
    auto entry = bytes.read<Elf64_Dyn>(offset, "dynamic entry");
    if (entry.d_tag == DT_NULL) {
      break;
    }
    switch (entry.d_tag) {
    case DT_STRTAB: string_table = entry.d_un.d_ptr; break;
    case DT_NEEDED: needed.push_back(entry.d_un.d_val); break;
    case DT_RUNPATH: runpath = entry.d_un.d_val, has_runpath = true; break;
    case DT_RPATH: rpath = entry.d_un.d_val, has_rpath = true; break;
    default: break;
    }
  }
  if (needed.empty() && !has_runpath && !has_rpath) {
    return result;
  }
  std::uint64_t strings = file_offset(segments, string_table, bytes);
  for (std::uint64_t name_offset : needed) {
    result.needed.push_back(bytes.string_at(strings + name_offset, "needed library name"));
  }
  // The loader ignores DT_RPATH when DT_RUNPATH is present.
  if (has_runpath || has_rpath) {
    result.runpath = split_paths(bytes.string_at(strings + (has_runpath ? runpath : rpath), "run path"));
  }
  return result;
}

} // namespace xstage::image
