#include "builders/symlinks.hpp"

#include <vector>

namespace fs = std::filesystem;

namespace xstage::builders {

std::size_t make_symlinks_relative(const fs::path& root) {
  std::vector<fs::path> links;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_symlink() && fs::read_symlink(it->path()).is_absolute()) {
      links.push_back(it->path());
    }
  }
  for (const fs::path& link : links) {
    fs::path target = fs::read_symlink(link);
    fs::path link_dir = fs::path("/") / link.parent_path().lexically_relative(root);
    fs::path relative = target.lexically_normal().lexically_relative(link_dir.lexically_normal());
    if (relative.empty()) {
      relative = ".";
    }
    fs::remove(link);
    fs::create_symlink(relative, link);
  }
  return links.size();
}

} // namespace xstage::builders
