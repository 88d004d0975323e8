#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "registry/client.hpp"

namespace xstage::cli {

// --insecure, shared by every command that talks to a registry.
struct RegistryFlags {
  bool insecure = false;
  std::string mount_from; // HOST/REPO on the same registry as the push, or ""
};

void add_insecure_flag(CLI::App* command, RegistryFlags& flags);

// The repository part of flags.mount_from, checked to be on the registry of
// `reference`; "" without --mount-from.
std::string mount_repository(const std::string& reference, const RegistryFlags& flags);

// A client for the repository (and tag) `reference` names, with the
// credentials find_credentials() finds for its host and transfer progress on
// a terminal.
std::unique_ptr<registry::Client> connect(const std::string& reference, const RegistryFlags& flags);

// The same for a stage cache repository (HOST/REPO, no tag: the stage keys
// are its tags).
std::unique_ptr<registry::Client> connect_cache_repository(const std::string& repository,
                                                           const RegistryFlags& flags);

} // namespace xstage::cli
