#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "machine_file/machine_file.hpp"
#include "recipe/debian_lock.hpp"

namespace xstage::recipe {

// Where a source comes from. Exactly one kind per [source] section.
enum class SourceKind {
  archive, // url + sha256 (+ mirrors, + a Debian source package to try)
  git,     // git URL + full commit id
  path,    // a directory of this checkout, hashed file by file
};

// One [source] or [source.NAME] section.
struct Source {
  std::string name; // "main" for a plain [source]
  SourceKind kind = SourceKind::archive;
  std::string url;                  // archive: upstream URL
  std::string sha256;               // archive: pinned digest of the file
  std::vector<std::string> mirrors; // archive: more URLs to try, in order
  std::string debian_source;        // archive: Debian source package that ships it
  std::string debian_suite;         // archive: the Debian suite to ask (default: the machine's own)
  std::string file;                 // archive: file name in mirror dirs (default: the URL's base name)
  std::string git;                  // git: repository URL
  std::string commit;               // git: 40-hex commit id
  std::string tag;                  // git: informative tag name
  // The release this source is, when a table's row is another release than
  // the table (a Qt module at 6.8.0 in the 6.8.2 table); the stage whose main
  // source it is takes it as its version.
  std::string version;
  std::string path; // path: directory relative to the project root
  machine_file::Location location;
};

// One [step.NAME] section: a builder run over one source, in file order.
// Its option keys extend the stage's [options] for that step only.
struct Step {
  std::string name;
  std::string source;
  std::map<std::string, machine_file::Value> options;
  machine_file::Location location;
};

// The [image] section: a runtime image of this stage's layer over the layers
// of the `runtime` stages (bottom first), for `xstage image`.
struct ImageSpec {
  std::vector<std::string> runtime;
  std::vector<std::string> entrypoint;
  std::vector<std::string> env; // "NAME=value"
  std::string working_dir;
  // Directories (image paths, like usr/lib/aarch64-linux-gnu/qt6/plugins)
  // whose ELF files the programs load at run time with dlopen: no NEEDED
  // entry names them, so the runtime check starts from them too.
  std::vector<std::string> dlopen;
  machine_file::Location location;
  machine_file::Location runtime_location;
};

// A file a package takes from one of its stage's sources, written in a
// recipe as 'DESTINATION = SOURCE:PATH'.
struct PackageFile {
  std::string destination; // in the package: usr/share/applications/app.desktop, or postinst
  std::string source;      // one of the stage's sources: main
  std::string path;        // inside that source's tree: packaging/app.desktop
};

// The [package] section: a Debian binary package of the stage's installed
// files, for `xstage package`. Not part of the stage key.
struct PackageSpec {
  std::string name;        // Debian package name
  std::string version;     // Debian version
  std::string maintainer;  // "Name <address>"
  std::string summary;     // the Description's first line
  std::string description; // its long text, may be empty
  std::string section = "misc";
  std::string homepage;
  // Where the stage's prefix goes in the package: Debian packages install
  // under /usr, not the /opt prefix an image uses.
  std::string prefix = "/usr";
  // Packages the stage needs beyond what its shared libraries say (plugins
  // it loads with dlopen): added to the computed Depends as written.
  std::vector<std::string> depends;
  std::vector<PackageFile> files;
  std::vector<PackageFile> scripts; // destination: preinst, postinst, prerm or postrm
  PackageFile copyright;            // to usr/share/doc/<name>/copyright
  // SOURCE_DATE_EPOCH as YYYY-MM-DD; empty: the commit time of the stage's
  // git source.
  std::string date;
  // Lintian tags the package deliberately carries ("embedded-library
  // libavutil" for a static FFmpeg), shipped as its lintian overrides file.
  std::vector<std::string> lintian_overrides;
  machine_file::Location location;
};

// A pipeline's table of sources: recipes/<pipeline>/sources/<name>.ini, one
// section per source with the keys of a [source] section. A recipe's
// `[source.NAME] table = 'qt-' + qt_version` takes its source from section
// [NAME] of the table, so one recipe serves every version of a module and each
// version's URLs and digests stay data.
struct SourceTable {
  std::string display_path;
  std::string text;
  machine_file::MachineFile file;
};

// What a recipe is read against: the pipeline's options in effect (available
// to its values as predefined constants) and its source tables.
struct RecipeInputs {
  std::map<std::string, machine_file::Value> options;
  // The named table, or nullptr when there is none; may be empty.
  std::function<const SourceTable*(const std::string& name)> table;
  std::vector<std::string> table_names; // for "did you mean" and the list of tables
};

// A validated recipe: recipes/<pipeline>/<stage>.ini.
struct Recipe {
  std::string name; // the file's stem
  std::filesystem::path file;
  std::string description;
  std::string builder; // debian, configure, cmake or meson
  std::vector<std::string> parents;
  machine_file::Location parents_location;
  // What the stage builds, for people and for same_version_as: "6.4.2".
  std::string version;
  // True when `version` is its main source's own release, a table row of
  // an earlier patch than the table (a Qt module at 6.8.0 in the 6.8.2 table).
  bool version_from_source = false;
  // Ancestors that must have this stage's version (a target qtbase and the
  // host Qt whose tools it runs), or, when the version is its source's own,
  // the same major.minor at this patch or a newer one (a Qt module over
  // qtbase); checked before anything builds.
  std::vector<std::string> same_version_as;
  machine_file::Location same_version_location;
  std::vector<Source> sources;
  std::map<std::string, machine_file::Value> options;
  std::vector<Step> steps;
  std::optional<ImageSpec> image;
  std::optional<PackageSpec> package;
  // A `debian` stage's lock (<stage>.lock beside the recipe), when it has one.
  std::optional<DebianLock> lock;
  // Every evaluated section but [constants], [image] and [package]: what the
  // stage key hashes, so that comment and whitespace edits change nothing,
  // and neither does the image's entrypoint or the package's maintainer,
  // which are not inputs of the build.
  nlohmann::json content;
  // The pipeline options its values read, with their values: part of its key.
  nlohmann::json options_read = nlohmann::json::object();
  // The file's text, so that later checks (parents, cycles) can quote lines.
  std::string text;

  // True when it builds for the build machine (cmake `native = true`).
  bool is_native() const;
  // Its `host_packages`: what a native stage compiles against on the build machine.
  std::vector<std::string> host_packages() const;
  // Its `tools`: the programs of a native debian stage's tree that `xstage
  // sysroot` puts on PATH and in its Meson native file.
  std::vector<std::string> tools() const;
  // A validated string-array option, empty when absent.
  std::vector<std::string> string_list(const std::string& option) const;

  // A located error message quoting the recipe's own line.
  std::string diagnostic(const machine_file::Location& location, std::string_view message) const;
};

// Reads and validates one recipe file. Unknown sections and keys, missing
// required keys and wrong value types throw xstage::Error located at the
// offending line, with a "did you mean" hint where one fits. `display_path` is
// how the file is named in messages (relative to the project root).
Recipe load_recipe(const std::filesystem::path& file, const std::string& display_path,
                   const RecipeInputs& inputs = {});

// The same, from text (for tests and tools).
Recipe parse_recipe(std::string_view text, const std::string& display_path, const RecipeInputs& inputs = {});

} // namespace xstage::recipe
