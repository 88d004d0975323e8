#include "cli/registry_connection.hpp"

#include <cstdio>

#include <fmt/format.h>
#include <unistd.h>

#include "cli/console_status.hpp"
#include "remote/stage_sync.hpp"

namespace xstage::cli {

void add_insecure_flag(CLI::App* command, RegistryFlags& flags) {
  command->add_flag("--insecure", flags.insecure,
                    "Allow plain http to a registry that is not on this machine (TLS is never unverified)");
}

std::string mount_repository(const std::string& reference, const RegistryFlags& flags) {
  return flags.mount_from.empty() ? "" : registry::mount_repository(reference, flags.mount_from);
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
  remote::check_cache_repository(repository);
  return connect(repository, flags);
}

} // namespace xstage::cli
