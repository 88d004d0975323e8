#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "layer/layer.hpp"
#include "process/spawn.hpp"
#include "recipe/recipe.hpp"

namespace xstage::package {

// Everything a stage's Debian package is made of.
struct DebInputs {
  const recipe::PackageSpec* spec = nullptr;
  std::string stage; // for the changelog: which stage, at which key
  std::string key;
  std::string architecture;    // arm64: the architecture of the stage's Debian sysroot
  std::string stage_prefix;    // the stage's install prefix (/opt/framegrab), moved to spec->prefix
  std::filesystem::path layer; // the stage's cached layer
  layer::LayerInfo layer_info;
  std::string depends;                             // the computed Depends line
  std::int64_t source_date = 0;                    // SOURCE_DATE_EPOCH
  std::map<std::string, std::string> source_files; // package path -> bytes (spec->files, copyright)
  std::map<std::string, std::string> scripts;      // postinst -> bytes
  std::string strip;                               // the cross file's strip, for the package's ELF files
};

// Writes the .deb of `inputs` to `output`: the layer's files, its prefix
// moved to the package's, ELF files stripped as dh_strip strips them; the
// source files; the recipe's lintian overrides; usr/share/doc/<name>/ with
// the copyright and a changelog naming the stage and key; DEBIAN/
// with control (Installed-Size counted), md5sums and the maintainer
// scripts. dpkg-deb builds it (root owner, xz) with every time set to
// SOURCE_DATE_EPOCH, so the same inputs give the same bytes. The tree is
// staged in a scratch directory under `work`; `output` is replaced
// atomically, only once dpkg-deb succeeded. Throws xstage::Error naming the
// file, the layer entry or dpkg-deb's complaint.
void write_deb(const DebInputs& inputs, const std::filesystem::path& work,
               const std::filesystem::path& output, process::CommandRunner& runner);

// What makes a package's bytes beyond its stage's key: the [package]
// section, the way write_deb lays a package out (k_deb_format) and the
// dpkg-deb that builds it (`dpkg_version`, its --version line). A SHA-256
// hex, so packages can be cached by stage key and this.
std::string package_spec_digest(const recipe::PackageSpec& spec, const std::string& dpkg_version);

// The control file's text (without Installed-Size's computation: passed in).
std::string control_text(const DebInputs& inputs, std::uint64_t installed_kib);

} // namespace xstage::package
