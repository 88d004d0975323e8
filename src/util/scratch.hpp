#pragma once

#include <filesystem>

namespace xstage::util {

// A temporary file or directory for work whose result is moved into place
// later (a download, an unpacked tree). It is named "<prefix>.tmp.XXXXXX",
// AtomicFile's temporary pattern, so readers of a directory skip one that a
// crash left and garbage collection removes it; mkstemp/mkdtemp make the name
// unique and the file or directory private. The destructor removes it with
// its content unless it was released. Creating it throws xstage::Error
// naming the path and the reason.
class Scratch {
public:
  enum class Kind { file, directory };

  Scratch(const std::filesystem::path& prefix, Kind kind);
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  const std::filesystem::path& path() const { return m_path; }

  // Keeps it: for a caller that moved or renamed it away.
  void release() { m_path.clear(); }

private:
  std::filesystem::path m_path;
};

} // namespace xstage::util
