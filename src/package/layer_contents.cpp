#include "package/layer_contents.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "layer/layer.hpp"
#include "source/debian_packages.hpp"
#include "source/fetch.hpp"
#include "util/digest.hpp"

namespace fs = std::filesystem;

namespace xstage::package {

namespace {

struct FileDigests {
  std::string sha256; // hex
  std::string sha1;   // hex
};

struct Installed {
  const recipe::LockedPackage* package;
  std::string sha256;
};

using Visitor = std::function<void(const layer::LayerEntry&, const layer::ReadEntryData&)>;

// The digests of each regular file `read` visits, and of each hard link (its
// target's), by path. Only digests are kept for the links, never contents.
void visit_files(const std::function<void(const Visitor&)>& read,
                 const std::function<void(const std::string& path, const FileDigests& digests)>& file) {
  std::map<std::string, FileDigests> seen; // hard links' targets
  read([&](const layer::LayerEntry& entry, const layer::ReadEntryData& data) {
    if (entry.type == layer::LayerEntry::Type::file) {
      std::string content = data();
      FileDigests& digests = seen[entry.path] = {util::Digest::of(content).hex(), util::sha1_hex(content)};
      file(entry.path, digests);
    } else if (entry.type == layer::LayerEntry::Type::hardlink) {
      auto target = seen.find(entry.link_target);
      file(entry.path, target != seen.end() ? target->second : FileDigests{});
    }
  });
}

// What the locked packages of `stage` install, by path.
std::map<std::string, Installed> installed_files(const recipe::Recipe& stage, const PackageSources& sources,
                                                 process::CommandRunner& runner) {
  std::map<std::string, Installed> installed;
  for (const recipe::LockedPackage& locked : stage.lock->packages) {
    fs::path deb = source::fetch_archive(
        source::locked_deb_source(locked, *stage.lock, sources.fetch.debian_archives), sources.fetch, runner);
    std::string label = fmt::format("{} {} {}", locked.name, locked.version, locked.architecture);
    visit_files([&](const Visitor& visit) { layer::read_deb(deb, label, visit); },
                [&](const std::string& path, const FileDigests& digests) {
                  installed[path] = {&locked, digests.sha256};
                });
  }
  return installed;
}

} // namespace

std::map<std::string, image::LayerContents>
debian_layer_contents(const recipe::Pipeline& pipeline, const std::vector<image::ImageLayer>& layers,
                      const PackageSources& sources, process::CommandRunner& runner) {
  std::map<std::string, image::LayerContents> contents;
  for (const image::ImageLayer& layer : layers) {
    const recipe::Recipe& stage = pipeline.stage(layer.stage);
    if (stage.builder != "debian" || !stage.lock) {
      continue;
    }
    std::map<std::string, Installed> installed = installed_files(stage, sources, runner);
    image::LayerContents& files = contents[stage.name];
    visit_files([&](const Visitor& visit) { layer::read_layer(layer.blob, layer.info, visit); },
                [&](const std::string& path, const FileDigests& digests) {
                  image::LayerFile file{path, digests.sha256, digests.sha1, "", "", false};
                  if (auto owner = installed.find(path); owner != installed.end()) {
                    file.package = owner->second.package->name;
                    file.architecture = owner->second.package->architecture;
                    file.modified = owner->second.sha256 != file.sha256;
                  }
                  files.push_back(std::move(file));
                });
    std::sort(files.begin(), files.end(),
              [](const image::LayerFile& a, const image::LayerFile& b) { return a.path < b.path; });
  }
  return contents;
}

} // namespace xstage::package
