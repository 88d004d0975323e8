// xstage keygen FILE: an ed25519 key pair for signing stages: FILE (the
// private key, mode 0600) and FILE.pub (the public key, to give to those who
// pull).
#include <filesystem>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "util/atomic_file.hpp"
#include "util/ed25519.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace xstage::cli {

void add_keygen_command(CLI::App& app, const GlobalOptions&) {
  auto* command = app.add_subcommand(
      "keygen", "Write an ed25519 key pair for signing stages: FILE (private) and FILE.pub");
  auto file = std::make_shared<std::string>();
  command->add_option("file", *file, "Where the private key goes; the public key goes to FILE.pub")
      ->required();
  command->callback([file] {
    const fs::path private_file = *file;
    const fs::path public_file = *file + ".pub";
    for (const fs::path& path : {private_file, public_file}) {
      std::error_code error;
      if (fs::exists(fs::symlink_status(path, error))) {
        throw Error(fmt::format("{} exists; xstage keygen never replaces a key", path.string()));
      }
    }
    util::Ed25519KeyPair pair = util::generate_ed25519_key();
    util::write_file_atomically(private_file, pair.private_pem, 0600);
    util::write_file_atomically(public_file, pair.public_pem);
    fmt::print("wrote {} (private, mode 0600) and {}: key {}\n", private_file.string(), public_file.string(),
               util::ed25519_key_id(pair.public_pem, public_file.string()));
  });
}

} // namespace xstage::cli
