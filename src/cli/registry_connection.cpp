#include "cli/registry_connection.hpp"

#include <cstdio>

#include <fmt/format.h>
#include <unistd.h>

#include "cli/console_status.hpp"
#include "util/error.hpp"

namespace xstage::cli {

void add_insecure_flag(CLI::App* command, RegistryFlags& flags) {
  command->add_flag("--insecure", flags.insecure,
                    "Allow plain http to a registry that is not on this machine (TLS is never unverified)");
}

std::string mount_repository(const std::string& reference, const RegistryFlags& flags) {
  if (flags.mount_from.empty()) {
    return "";
  }
  registry::Reference to = registry::parse_reference(reference);
  registry::Reference from = registry::parse_reference(flags.mount_from);
  if (from.host != to.host || !from.tag.empty() || !from.digest.empty()) {
    throw Error(fmt::format("--mount-from '{}' must be a repository (HOST/REPO, no tag) on the registry "
                            "pushed to ({}): blobs mount only within one registry",
                            flags.mount_from, to.host));
  }
  return from.repository;
}

std::unique_ptr<registry::Client> connect(const std::string& reference, const RegistryFlags& flags) {
  registry::Reference parsed = registry::parse_reference(reference);
  registry::ClientOptions options;
  options.insecure = flags.insecure;
  options.credentials = registry::find_credentials(parsed.host);
  options.mount_from = mount_repository(reference, flags);
  if (::isatty(STDOUT_FILENO) != 0) {
    options.progress = [](const std::string& what, std::uint64_t done, std::uint64_t total) {
      fmt::print("\r\033[K{} {}{}", what.substr(0, 19), human_size(done),
                 total > 0 ? fmt::format(" of {}", human_size(total)) : "");
      if (total > 0 && done >= total) {
        fmt::print("\r\033[K");
      }
      std::fflush(stdout);
    };
  }
  return std::make_unique<registry::Client>(std::move(parsed), std::move(options));
}

std::unique_ptr<registry::Client> connect_cache_repository(const std::string& repository,
                                                           const RegistryFlags& flags) {
  registry::Reference reference = registry::parse_reference(repository);
  if (!reference.tag.empty() || !reference.digest.empty()) {
    throw Error(
        fmt::format("--registry '{}' names an image; name the repository only ({}/{}): stage keys are "
                    "its tags",
                    repository, reference.host, reference.repository));
  }
  return connect(repository, flags);
}

} // namespace xstage::cli
