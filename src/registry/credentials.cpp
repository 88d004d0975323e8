#include "registry/credentials.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "util/error.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace xstage::registry {

namespace {

std::optional<std::string> environment(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    return std::nullopt;
  }
  return std::string(value);
}

// Where docker login writes: $DOCKER_CONFIG/config.json, else
// ~/.docker/config.json. Empty when neither variable is set.
fs::path docker_config_path() {
  if (auto dir = environment("DOCKER_CONFIG")) {
    return fs::path(*dir) / "config.json";
  }
  if (auto home = environment("HOME")) {
    return fs::path(*home) / ".docker" / "config.json";
  }
  return {};
}

[[noreturn]] void malformed(const fs::path& file, const std::string& problem) {
  throw Error(fmt::format("docker config {}: {}", file.string(), problem));
}

// "https://ghcr.io/v1/" -> "ghcr.io": docker (and old docker versions
// especially) write auths keys as URLs.
std::string host_of_key(std::string key) {
  for (const char* scheme : {"https://", "http://"}) {
    if (key.rfind(scheme, 0) == 0) {
      key = key.substr(std::string(scheme).size());
      break;
    }
  }
  return key.substr(0, key.find('/'));
}

// The auths entry for `host`: an exact key first, then a URL-shaped one.
const json* find_entry(const json& auths, const std::string& host) {
  if (auto exact = auths.find(host); exact != auths.end()) {
    return &*exact;
  }
  for (const auto& [key, value] : auths.items()) {
    if (host_of_key(key) == host) {
      return &value;
    }
  }
  return nullptr;
}

// Decodes base64 "user:password". EVP_DecodeBlock decodes whole 4-character
// groups and counts '=' padding as zero bytes, so those are dropped after.
std::optional<Credentials> decode_auth(const std::string& encoded) {
  if (encoded.empty() || encoded.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string decoded(encoded.size() / 4 * 3, '\0');
  int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                               reinterpret_cast<const unsigned char*>(encoded.data()),
                               static_cast<int>(encoded.size()));
  if (length < 0) {
    return std::nullopt;
  }
  std::size_t padding = encoded.size() - encoded.find_last_not_of('=') - 1;
  if (padding > 2) {
    return std::nullopt;
  }
  decoded.resize(static_cast<std::size_t>(length) - padding);
  std::size_t colon = decoded.find(':');
  if (colon == std::string::npos) {
    return std::nullopt;
  }
  return Credentials{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

std::string string_field(const fs::path& file, const json& object, const char* name,
                         const std::string& where) {
  auto field = object.find(name);
  if (field == object.end()) {
    return {};
  }
  if (!field->is_string()) {
    malformed(file, fmt::format("{}.{} is not a string", where, name));
  }
  return field->get<std::string>();
}

std::optional<Credentials> from_docker_config(const fs::path& file, const std::string& host) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return std::nullopt; // no docker login on this machine
  }
  std::ostringstream text;
  text << in.rdbuf();
  json config;
  try {
    config = json::parse(text.str());
  } catch (const json::parse_error& error) {
    // The parser's own message quotes the text it read, which may be a
    // password; give only the position.
    malformed(file, fmt::format("not valid JSON (at byte {})", error.byte));
  }
  if (!config.is_object()) {
    malformed(file, "not a JSON object");
  }
  const json* entry = nullptr;
  if (auto auths = config.find("auths"); auths != config.end()) {
    if (!auths->is_object()) {
      malformed(file, "auths is not an object");
    }
    entry = find_entry(*auths, host);
  }
  if (entry != nullptr) {
    if (!entry->is_object()) {
      malformed(file, fmt::format("auths entry for {} is not an object", host));
    }
    std::string where = "auths entry for " + host;
    std::string auth = string_field(file, *entry, "auth", where);
    if (!auth.empty()) {
      if (auto credentials = decode_auth(auth)) {
        return credentials;
      }
      malformed(file, fmt::format("{}: auth is not base64 of user:password", where));
    }
    std::string username = string_field(file, *entry, "username", where);
    std::string password = string_field(file, *entry, "password", where);
    if (!username.empty() && !password.empty()) {
      return Credentials{username, password};
    }
  }
  // No inline login. A helper would have it, but xstage does not run helpers.
  std::string helper;
  if (auto helpers = config.find("credHelpers"); helpers != config.end() && helpers->is_object()) {
    if (auto named = find_entry(*helpers, host); named != nullptr && named->is_string()) {
      helper = named->get<std::string>();
    }
  }
  // credsStore holds the logins that auths lists (as empty entries); for an
  // unlisted host it has nothing, and anonymous access is right.
  if (helper.empty() && entry != nullptr) {
    helper = string_field(file, config, "credsStore", "the config");
  }
  if (!helper.empty()) {
    throw Error(fmt::format("docker config {}: the login for {} is kept by the credential helper "
                            "docker-credential-{}, which xstage does not support; set "
                            "XSTAGE_REGISTRY_USER and XSTAGE_REGISTRY_PASSWORD instead",
                            file.string(), host, helper));
  }
  return std::nullopt;
}

} // namespace

std::optional<Credentials> find_credentials(const std::string& host) {
  auto user = environment("XSTAGE_REGISTRY_USER");
  auto password = environment("XSTAGE_REGISTRY_PASSWORD");
  if (user && password) {
    return Credentials{*user, *password};
  }
  if (user || password) {
    throw Error(fmt::format("{} is set but {} is not; set both to log in to {}",
                            user ? "XSTAGE_REGISTRY_USER" : "XSTAGE_REGISTRY_PASSWORD",
                            user ? "XSTAGE_REGISTRY_PASSWORD" : "XSTAGE_REGISTRY_USER", host));
  }
  fs::path file = docker_config_path();
  if (file.empty()) {
    return std::nullopt;
  }
  return from_docker_config(file, host);
}

} // namespace xstage::registry
