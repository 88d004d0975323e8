#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "cache/cache.hpp"
#include "key/stage_key.hpp"
#include "package/deb_package.hpp"
#include "process/spawn.hpp"
#include "recipe/pipeline.hpp"
#include "source/fetch.hpp"

namespace xstage::package {

// The stage `requested`, which must have a [package] section, or, when that
// is "", the pipeline's only stage with one. Throws xstage::Error naming the
// stage and its recipe, or the stages to choose from.
const recipe::Recipe& package_stage(const recipe::Pipeline& pipeline, const std::string& requested);

// Where a package's inputs come from besides the cache.
struct PackageSources {
  std::filesystem::path project_root; // path sources are read below it
  source::FetchOptions fetch;         // locked .debs and git sources
};

// Everything write_deb needs for `stage`, whose layer must be cached (build
// it first):
// - the layer's files, with the stage's prefix option moved to the package's;
// - Depends, as dpkg-shlibdeps computes it from shlibs files: each DT_NEEDED
//   soname of the layer's ELF files that the layer does not provide itself,
//   looked up in the shlibs control files of the .debs locked by the stage's
//   Debian ancestors (the sysroot it linked against), plus the recipe's own
//   `depends`. A soname no package declares throws, naming it and a file that
//   needs it;
// - the architecture of those locks;
// - the recipe's files, scripts and copyright, read from the stage's sources
//   (a path source's directory, a git source's pinned commit);
// - SOURCE_DATE_EPOCH: the recipe's `date`, else the commit time of the
//   stage's git source.
DebInputs plan_deb(const recipe::Pipeline& pipeline, const recipe::Recipe& stage,
                   const std::map<std::string, key::StageKey>& keys, const cache::Cache& cache,
                   const PackageSources& sources, process::CommandRunner& runner);

} // namespace xstage::package
