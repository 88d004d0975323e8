#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "image/image.hpp"

namespace xstage::image {

struct RuntimeReport {
  std::size_t programs = 0;  // dynamic ELF files of the top layer
  std::size_t loaded = 0;    // other dynamic ELF files under the dlopen directories
  std::size_t libraries = 0; // distinct libraries they load, transitively
  // One line per unmet need, e.g. "opt/app/bin/app (stage app) needs
  // libz.so.1 (via usr/lib/aarch64-linux-gnu/libpng16.so.16), which no layer
  // of the image provides"; sorted, empty when the image is complete.
  std::vector<std::string> problems;
};

// Checks that the image made of `layers` (bottom first) can start the
// programs and libraries of its top layer (the app's): each one's ELF
// interpreter exists, and each DT_NEEDED library, transitively, is found the
// way glibc's loader finds it (DT_RUNPATH/DT_RPATH with $ORIGIN, then the
// aarch64 multiarch and plain lib directories), following symlinks across
// layers. This is what makes a runtime layer of declared Debian packages
// trustworthy: a package missing from the recipe is named here, not when the
// image fails to start on a device. Libraries that programs dlopen (Qt's
// plugins) are not NEEDED: the ELF files under `dlopen_dirs` (image paths,
// matched as written) are checked as starting points too, and a directory
// with no ELF file in the image is a problem (a typo would check nothing).
// The program `config`'s entrypoint names must be a file of the image (a
// bare name is looked up on the env's PATH), or the image could not start
// at all.
//
// Reads each layer once, in place, through layer::read_layer: so this is
// also where an image's layers are checked against the layer policy and
// their recorded diff_ids before any of them is written anywhere.
RuntimeReport check_runtime_closure(const std::vector<ImageLayer>& layers,
                                    const std::vector<std::string>& dlopen_dirs = {},
                                    const ImageConfig& config = {});

} // namespace xstage::image
