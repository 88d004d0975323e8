#include "image/runtime_check.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "image/elf_dynamic.hpp"
#include "layer/layer.hpp"
#include "util/error.hpp"

namespace xstage::image {

namespace {

using layer::LayerEntry;

// Where glibc's loader looks after the run path, on Debian arm64 (its
// multiarch directories are compiled into ld.so), as paths inside the image.
const std::vector<std::string> k_default_library_dirs = {"lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu",
                                                         "lib", "usr/lib"};

// A limit on symlinks followed while resolving one path, as the kernel's.
constexpr int k_max_symlinks = 40;

struct Node {
  LayerEntry::Type type;
  std::string link_target;
  std::string stage;
  std::optional<ElfDynamic> elf;
};

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

// `relative` joined to `base` lexically, ".." and "." folded; paths never
// climb above the image root (as in the kernel, "/.." is "/").
std::string join_lexically(const std::string& base, const std::string& relative) {
  std::vector<std::string> parts;
  auto push_all = [&parts](const std::string& path) {
    std::size_t start = 0;
    while (start <= path.size()) {
      std::size_t end = std::min(path.find('/', start), path.size());
      std::string part = path.substr(start, end - start);
      if (part == "..") {
        if (!parts.empty()) {
          parts.pop_back();
        }
      } else if (!part.empty() && part != ".") {
        parts.push_back(part);
      }
      start = end + 1;
    }
  };
  if (!relative.starts_with('/')) {
    push_all(base);
  }
  push_all(relative);
  std::string joined;
  for (const std::string& part : parts) {
    joined += (joined.empty() ? "" : "/") + part;
  }
  return joined;
}

// The merged tree of all layers: later layers replace earlier paths.
class ImageTree {
public:
  void add_layer(const ImageLayer& image_layer) {
    auto add_entry = [&](const LayerEntry& entry, const layer::ReadEntryData& read_data) {
      Node node{entry.type, entry.link_target, image_layer.stage, std::nullopt};
      if (entry.type == LayerEntry::Type::file) {
        node.elf = read_elf_dynamic(read_data(), fmt::format("{} (stage {})", entry.path, image_layer.stage));
      }
      m_nodes[entry.path] = std::move(node);
    };
    try {
      layer::read_layer(image_layer.blob, image_layer.info, add_entry);
    } catch (const Error& error) {
      throw Error(fmt::format("stage '{}': {}; no image is written", image_layer.stage, error.what()));
    }
  }

  // The path `path` names once every symlink on the way is followed, if it
  // exists. Hard links resolve to the file they share content with.
  std::optional<std::string> resolve(const std::string& path) const {
    std::string current = join_lexically("", path);
    for (int hops = 0; hops <= k_max_symlinks; ++hops) {
      std::optional<std::string> next = follow_first_link(current);
      if (!next) {
        auto found = m_nodes.find(current);
        if (found == m_nodes.end()) {
          return std::nullopt;
        }
        return found->second.type == LayerEntry::Type::hardlink ? found->second.link_target : current;
      }
      current = *next;
    }
    return std::nullopt;
  }

  const Node* node(const std::string& path) const {
    auto found = m_nodes.find(path);
    return found == m_nodes.end() ? nullptr : &found->second;
  }

  const std::map<std::string, Node>& nodes() const { return m_nodes; }

private:
  // `path` with its first symlink component replaced by the link's target,
  // or nothing when no component of it is a symlink.
  std::optional<std::string> follow_first_link(const std::string& path) const {
    std::size_t end = 0;
    while (end != std::string::npos) {
      end = path.find('/', end + 1);
      std::string prefix = path.substr(0, end);
      auto found = m_nodes.find(prefix);
      if (found != m_nodes.end() && found->second.type == LayerEntry::Type::symlink) {
        std::string rest = end == std::string::npos ? "" : path.substr(end + 1);
        return join_lexically(join_lexically(parent_of(prefix), found->second.link_target), rest);
      }
    }
    return std::nullopt;
  }

  std::map<std::string, Node> m_nodes;
};

// Where the entrypoint's program is in the image, or where it was looked
// for ("/opt/app/bin/app", or "it on PATH /usr/local/sbin:..."): a name without '/'
// is looked up on the PATH of the config's env, else on the OCI runtime's
// default PATH.
struct EntrypointLookup {
  std::optional<std::string> found;
  std::string searched;
};

EntrypointLookup find_entrypoint(const ImageTree& tree, const std::string& program,
                                 const std::vector<std::string>& env) {
  if (program.find('/') != std::string::npos) {
    std::string path = join_lexically("", program);
    return {tree.resolve(path), "/" + path};
  }
  std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const std::string& variable : env) {
    if (variable.starts_with("PATH=")) {
      path = variable.substr(5);
    }
  }
  for (std::size_t start = 0; start <= path.size();) {
    std::size_t end = std::min(path.find(':', start), path.size());
    if (std::optional<std::string> found =
            tree.resolve(join_lexically(path.substr(start, end - start), program))) {
      return {found, ""};
    }
    start = end + 1;
  }
  return {std::nullopt, "it on PATH " + path};
}

std::vector<std::string> search_dirs(const std::string& path, const ElfDynamic& elf) {
  std::vector<std::string> dirs;
  for (std::string entry : elf.runpath) {
    for (std::string_view origin : {"${ORIGIN}", "$ORIGIN"}) {
      if (auto at = entry.find(origin); at != std::string::npos) {
        entry.replace(at, origin.size(), "/" + parent_of(path));
      }
    }
    dirs.push_back(entry);
  }
  dirs.insert(dirs.end(), k_default_library_dirs.begin(), k_default_library_dirs.end());
  return dirs;
}

} // namespace

RuntimeReport check_runtime_closure(const std::vector<ImageLayer>& layers,
                                    const std::vector<std::string>& dlopen_dirs, const ImageConfig& config) {
  RuntimeReport report;
  if (layers.empty()) {
    return report;
  }
  ImageTree tree;
  for (const ImageLayer& layer : layers) {
    tree.add_layer(layer);
  }
  const std::string& top_stage = layers.back().stage;

  // Breadth-first from the top layer's programs; `reason` says who needed a
  // library first, for the message.
  std::deque<std::string> pending;
  std::map<std::string, std::string> reason;
  if (!config.entrypoint.empty() && !config.entrypoint.front().empty()) {
    const std::string& entrypoint = config.entrypoint.front();
    EntrypointLookup lookup = find_entrypoint(tree, entrypoint, config.env);
    const Node* node = lookup.found ? tree.node(*lookup.found) : nullptr;
    if (node == nullptr) {
      report.problems.push_back(fmt::format("the entrypoint {} is not in the image: no layer provides {}",
                                            entrypoint, lookup.searched));
    } else if (node->type != LayerEntry::Type::file) {
      report.problems.push_back(
          fmt::format("the entrypoint {} is not a file in the image (/{} is a {})", entrypoint, *lookup.found,
                      node->type == LayerEntry::Type::directory ? "directory" : "special entry"));
    } else if (node->elf && node->elf->is_dynamic && node->stage != top_stage) {
      const std::string& program = *lookup.found;
      pending.push_back(program); // a runtime layer's program: its libraries count too
      reason[program] = "";
    }
  }
  std::set<std::string> dirs_with_elf_files;
  for (const auto& [tree_path, node] : tree.nodes()) {
    if (!node.elf || !node.elf->is_dynamic) {
      continue;
    }
    const std::string& path = tree_path; // a structured binding cannot be captured before clang 16
    auto dlopen_dir = std::find_if(dlopen_dirs.begin(), dlopen_dirs.end(), [&path](const std::string& dir) {
      return path.starts_with(dir) && path.size() > dir.size() && path[dir.size()] == '/';
    });
    if (dlopen_dir != dlopen_dirs.end()) {
      dirs_with_elf_files.insert(*dlopen_dir);
      if (node.stage != top_stage) {
        ++report.loaded;
        pending.push_back(path);
        reason[path] = "";
      }
    }
    if (node.stage == top_stage) {
      ++report.programs;
      pending.push_back(path);
      reason[path] = "";
      if (!node.elf->interpreter.empty() && !tree.resolve(node.elf->interpreter)) {
        report.problems.push_back(fmt::format("{} (stage {}) needs the ELF interpreter {}, which no layer of "
                                              "the image provides",
                                              path, top_stage, node.elf->interpreter));
      }
    }
  }
  for (const std::string& dir : dlopen_dirs) {
    if (!dirs_with_elf_files.contains(dir)) {
      report.problems.push_back(
          fmt::format("dlopen directory {} holds no dynamic ELF file in any layer of the image", dir));
    }
  }
  std::set<std::string> missing_reported;
  while (!pending.empty()) {
    std::string path = pending.front();
    pending.pop_front();
    const Node* node = tree.node(path);
    if (node == nullptr || !node->elf) {
      continue;
    }
    for (const std::string& soname : node->elf->needed) {
      std::optional<std::string> found;
      for (const std::string& dir : search_dirs(path, *node->elf)) {
        if ((found = tree.resolve(join_lexically(dir, soname)))) {
          break;
        }
      }
      if (!found) {
        if (missing_reported.insert(soname + "\n" + path).second) {
          std::string via = reason[path].empty() ? "" : fmt::format(" (loaded for {})", reason[path]);
          report.problems.push_back(
              fmt::format("{} (stage {}){} needs {}, which no layer of the image provides", path, node->stage,
                          via, soname));
        }
        continue;
      }
      if (reason.emplace(*found, reason[path].empty() ? path : reason[path]).second) {
        ++report.libraries;
        pending.push_back(*found);
      }
    }
  }
  std::sort(report.problems.begin(), report.problems.end());
  return report;
}

} // namespace xstage::image
