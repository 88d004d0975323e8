#include "package/package_plan.hpp"

#include <algorithm>
#include <ctime>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "image/elf_dynamic.hpp"
#include "image/image_plan.hpp"
#include "package/deb_control.hpp"
#include "package/shlibs.hpp"
#include "source/debian_packages.hpp"
#include "util/error.hpp"
#include "util/spelling.hpp"
#include "util/text_file.hpp"

namespace fs = std::filesystem;

namespace xstage::package {

namespace {

// The locked debian stages among `stage`'s ancestors: the sysroot it was
// built against, whose packages' shlibs files say what its libraries are.
std::vector<const recipe::Recipe*> locked_debian_ancestors(const recipe::Pipeline& pipeline,
                                                           const recipe::Recipe& stage) {
  std::vector<const recipe::Recipe*> found;
  for (const recipe::Recipe* ancestor : pipeline.closure({stage.name})) {
    if (ancestor->lock && !ancestor->is_native()) { // only debian stages have locks
      found.push_back(ancestor);
    }
  }
  if (found.empty()) {
    throw Error(fmt::format("stage '{}' has no locked debian stage among its ancestors, so its package's "
                            "Depends cannot be computed: lock its sysroot with `xstage lock STAGE`",
                            stage.name));
  }
  return found;
}

SharedLibraryDependencies shared_libraries(const std::vector<const recipe::Recipe*>& debian_stages,
                                           const PackageSources& sources, process::CommandRunner& runner) {
  SharedLibraryDependencies libraries;
  for (const recipe::Recipe* stage : debian_stages) {
    for (const recipe::LockedPackage& locked : stage->lock->packages) {
      fs::path deb = source::fetch_archive(
          source::locked_deb_source(locked, *stage->lock, sources.fetch.debian_archives), sources.fetch,
          runner);
      std::map<std::string, std::string> control = read_control_files(deb, {"shlibs"});
      if (auto shlibs = control.find("shlibs"); shlibs != control.end()) {
        libraries.add_shlibs(shlibs->second, locked.name);
      }
    }
  }
  return libraries;
}

struct LayerNeeds {
  std::map<std::string, std::string> needed_by; // soname -> the first file that needs it
  std::vector<std::string> provided;            // file names of the layer's own files
};

LayerNeeds layer_needs(const image::ImageLayer& layer) {
  LayerNeeds needs;
  layer::read_layer(
      layer.blob, layer.info, [&](const layer::LayerEntry& entry, const layer::ReadEntryData& data) {
        if (entry.type != layer::LayerEntry::Type::file && entry.type != layer::LayerEntry::Type::symlink) {
          return;
        }
        needs.provided.push_back(fs::path(entry.path).filename().string());
        if (entry.type != layer::LayerEntry::Type::file || entry.size < 4) {
          return;
        }
        std::string bytes = data();
        if (auto elf = image::read_elf_dynamic(bytes, entry.path)) {
          for (const std::string& soname : elf->needed) {
            needs.needed_by.emplace(soname, entry.path);
          }
        }
      });
  return needs;
}

const recipe::Source& source_named(const recipe::Recipe& stage, const std::string& name) {
  for (const recipe::Source& source : stage.sources) {
    if (source.name == name) {
      return source;
    }
  }
  throw Error(fmt::format("stage '{}' has no source '{}'", stage.name, name));
}

std::string read_source_file(const recipe::Recipe& stage, const recipe::PackageFile& file,
                             const PackageSources& sources, process::CommandRunner& runner) {
  const recipe::Source& source = source_named(stage, file.source);
  switch (source.kind) {
  case recipe::SourceKind::path: {
    fs::path path = sources.project_root / source.path / file.path;
    return util::read_text_file(path, fmt::format("{}:{} of stage {}", file.source, file.path, stage.name));
  }
  case recipe::SourceKind::git: return source::read_git_file(source, sources.fetch, file.path, runner);
  case recipe::SourceKind::archive: break;
  }
  throw Error(fmt::format("{}: [package] takes '{}:{}' from an archive source, which a package cannot read "
                          "unpacked; use a git or path source",
                          stage.file.string(), file.source, file.path));
}

std::int64_t source_date(const recipe::Recipe& stage, const PackageSources& sources,
                         process::CommandRunner& runner) {
  const std::string& date = stage.package->date;
  if (!date.empty()) {
    std::tm day{};
    day.tm_year = std::stoi(date.substr(0, 4)) - 1900;
    day.tm_mon = std::stoi(date.substr(5, 2)) - 1;
    day.tm_mday = std::stoi(date.substr(8, 2));
    return static_cast<std::int64_t>(timegm(&day));
  }
  for (const recipe::Source& source : stage.sources) {
    if (source.kind == recipe::SourceKind::git) {
      return source::git_commit_time(source, sources.fetch, runner);
    }
  }
  throw Error(
      fmt::format("{}: stage '{}' has no git source to date its package by: set date = 'YYYY-MM-DD' in "
                  "[package]",
                  stage.file.string(), stage.name));
}

} // namespace

const recipe::Recipe& package_stage(const recipe::Pipeline& pipeline, const std::string& requested) {
  std::vector<std::string> packaged;
  for (const recipe::Recipe& stage : pipeline.stages()) {
    if (stage.package) {
      packaged.push_back(stage.name);
    }
  }
  if (!requested.empty()) {
    const recipe::Recipe& stage = pipeline.stage(requested);
    if (!stage.package) {
      throw Error(fmt::format(
          "stage '{}' has no [package] section in {}{}", requested, stage.file.string(),
          packaged.empty() ? "" : fmt::format("; stages with one: {}", fmt::join(packaged, ", "))));
    }
    return stage;
  }
  if (packaged.size() != 1) {
    throw Error(packaged.empty()
                    ? fmt::format("pipeline '{}' has no stage with a [package] section", pipeline.name())
                    : fmt::format("pipeline '{}' has several stages with a [package] section ({}): name one",
                                  pipeline.name(), fmt::join(packaged, ", ")));
  }
  return pipeline.stage(packaged.front());
}

DebInputs plan_deb(const recipe::Pipeline& pipeline, const recipe::Recipe& stage,
                   const std::map<std::string, key::StageKey>& keys, const cache::Cache& cache,
                   const PackageSources& sources, process::CommandRunner& runner) {
  const recipe::PackageSpec& spec = *stage.package;
  image::ImageLayer layer = image::cached_layers(cache, keys, {stage.name}).front();
  DebInputs inputs;
  inputs.spec = &spec;
  inputs.stage = stage.name;
  inputs.key = keys.at(stage.name).key;
  inputs.layer = layer.blob;
  inputs.layer_info = layer.info;
  if (auto prefix = stage.options.find("prefix"); prefix != stage.options.end()) {
    inputs.stage_prefix = prefix->second.as_string();
  }

  std::vector<const recipe::Recipe*> debian_stages = locked_debian_ancestors(pipeline, stage);
  inputs.architecture = debian_stages.front()->lock->architecture;
  SharedLibraryDependencies libraries = shared_libraries(debian_stages, sources, runner);
  LayerNeeds needs = layer_needs(layer);
  std::vector<std::string> dependencies = spec.depends;
  std::vector<std::string> unknown;
  for (const auto& [soname, file] : needs.needed_by) {
    if (std::find(needs.provided.begin(), needs.provided.end(), soname) != needs.provided.end()) {
      continue; // the package's own library
    }
    std::string dependency = libraries.dependency_of(soname);
    if (dependency.empty()) {
      unknown.push_back(fmt::format("{} (needed by {})", soname, file));
    } else {
      dependencies.push_back(dependency);
    }
  }
  if (!unknown.empty()) {
    throw Error(
        fmt::format("no package locked for stage '{}' declares these libraries in its shlibs file, so "
                    "the package cannot depend on them: {}; add their packages to a locked debian "
                    "stage it builds on, or link them statically",
                    stage.name, fmt::join(unknown, ", ")));
  }
  inputs.depends = depends_line(dependencies);

  for (const recipe::PackageFile& file : spec.files) {
    inputs.source_files[file.destination] = read_source_file(stage, file, sources, runner);
  }
  inputs.source_files[spec.copyright.destination] = read_source_file(stage, spec.copyright, sources, runner);
  for (const recipe::PackageFile& script : spec.scripts) {
    inputs.scripts[script.destination] = read_source_file(stage, script, sources, runner);
  }
  inputs.source_date = source_date(stage, sources, runner);
  return inputs;
}

} // namespace xstage::package
