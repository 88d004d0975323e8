// xstage debian-source PACKAGE DIR: a Debian source package unpacked, through
// xstage's own apt configuration at the machine's mirror, as a peer project
// to build against a sysroot.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/project.hpp"
#include "process/spawn.hpp"
#include "source/debian_archive.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::cli {

void add_debian_source_command(CLI::App& app, const GlobalOptions&) {
  auto* command =
      app.add_subcommand("debian-source", "Unpack a Debian source package (apt-get source) into DIR");
  auto package = std::make_shared<std::string>();
  auto directory = std::make_shared<std::string>();
  auto suite = std::make_shared<std::string>("bookworm");
  command->add_option("package", *package, "Source package name, e.g. libpng1.6")->required();
  command->add_option("dir", *directory, "Output directory (must be empty or absent)")->required();
  command->add_option("--suite", *suite, "Debian suite")->capture_default_str();
  command->callback([package, directory, suite] {
    auto mirror = source::debian_mirror();
    if (!mirror) {
      throw Error("the machine's apt configuration (/etc/apt) names no Debian mirror to take sources from");
    }
    process::SpawnRunner runner;
    source::DebianArchive archive(cache_home() / "apt", *mirror, runner);
    fs::path tree = archive.unpack_source(*suite, *package, fs::absolute(*directory));
    fmt::print("{}\n", tree.string());
  });
}

} // namespace xstage::cli
