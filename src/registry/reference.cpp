#include "registry/reference.hpp"

#include <algorithm>
#include <cctype>

#include <arpa/inet.h>
#include <fmt/format.h>

#include "util/digest.hpp"
#include "util/error.hpp"

namespace xstage::registry {

namespace {

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// One repository path component: lower-case alphanumerics joined by a single
// '.' or '_', by "__", or by any run of '-' (distribution's path-component).
bool is_path_component(std::string_view part) {
  std::size_t i = 0;
  for (;;) {
    std::size_t start = i;
    while (i < part.size() && is_lower_alnum(part[i])) {
      ++i;
    }
    if (i == start) {
      return false; // empty, or a separator at the start or after another
    }
    if (i == part.size()) {
      return true;
    }
    if (part[i] == '.') {
      ++i;
    } else if (part[i] == '_') {
      i += part.substr(i, 2) == "__" ? 2U : 1U;
    } else if (part[i] == '-') {
      while (i < part.size() && part[i] == '-') {
        ++i;
      }
    } else {
      return false;
    }
  }
}

bool is_repository(std::string_view repository) {
  if (repository.empty() || repository.size() > 255) {
    return false;
  }
  std::size_t start = 0;
  for (;;) {
    std::size_t slash = repository.find('/', start);
    if (!is_path_component(repository.substr(start, slash - start))) {
      return false;
    }
    if (slash == std::string_view::npos) {
      return true;
    }
    start = slash + 1;
  }
}

// [A-Za-z0-9_][A-Za-z0-9._-]{0,127}
bool is_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128 || !(is_alnum(tag[0]) || tag[0] == '_')) {
    return false;
  }
  return std::all_of(tag.begin(), tag.end(),
                     [](char c) { return is_alnum(c) || c == '_' || c == '.' || c == '-'; });
}

// A DNS name or IPv4 address, or a bracketed IPv6 address, then an optional
// ":port".
bool is_host(std::string_view host) {
  if (host.empty()) {
    return false;
  }
  std::string_view name = host;
  std::string_view port;
  if (!host.empty() && host[0] == '[') {
    std::size_t close = host.find(']');
    if (close == std::string_view::npos || close == 1) {
      return false;
    }
    name = {};
    port = host.substr(close + 1);
    if (!port.empty() && port[0] != ':') {
      return false;
    }
  } else if (std::size_t colon = host.find(':'); colon != std::string_view::npos) {
    name = host.substr(0, colon);
    port = host.substr(colon);
  }
  if (!port.empty()) {
    port.remove_prefix(1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
  }
  if (host[0] == '[') {
    return true;
  }
  return !name.empty() && name.front() != '-' && name.front() != '.' &&
         std::all_of(name.begin(), name.end(), [](char c) { return is_alnum(c) || c == '.' || c == '-'; });
}

[[noreturn]] void fail(std::string_view text, const std::string& problem) {
  throw Error(fmt::format("registry reference '{}': {}", text, problem));
}

} // namespace

std::string Reference::str() const {
  std::string text = host + "/" + repository;
  if (!digest.empty()) {
    text += "@" + digest;
  } else if (!tag.empty()) {
    text += ":" + tag;
  }
  return text;
}

Reference parse_reference(std::string_view text) {
  Reference reference;
  std::size_t slash = text.find('/');
  std::string_view first = text.substr(0, slash);
  // Like docker, a first component without '.' or ':' is a repository name,
  // not a host; xstage refuses to guess a default registry for it.
  bool looks_like_host = first.find_first_of(".:") != std::string_view::npos || first == "localhost";
  if (slash == std::string_view::npos || !looks_like_host) {
    fail(text, "missing a registry host, e.g. 127.0.0.1:5000/team/demo");
  }
  if (!is_host(first)) {
    fail(text, fmt::format("'{}' is not a valid registry host[:port]", first));
  }
  reference.host = std::string(first);

  std::string_view rest = text.substr(slash + 1);
  if (std::size_t at = rest.find('@'); at != std::string_view::npos) {
    std::string_view digest = rest.substr(at + 1);
    rest = rest.substr(0, at);
    if (!util::Digest::try_parse(digest)) {
      fail(text, fmt::format("digest '{}' is not sha256: followed by 64 lower-case hex digits", digest));
    }
    reference.digest = std::string(digest);
  }
  std::size_t last_slash = rest.rfind('/');
  std::size_t colon = rest.find(':', last_slash == std::string_view::npos ? 0 : last_slash);
  if (colon != std::string_view::npos) {
    std::string_view tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (!reference.digest.empty()) {
      fail(text, "give a tag or a digest, not both");
    }
    if (!is_tag(tag)) {
      fail(text, fmt::format("tag '{}' is not valid: up to 128 letters, digits, '_', '.' or '-', "
                             "not starting with '.' or '-'",
                             tag));
    }
    reference.tag = std::string(tag);
  }
  if (!is_repository(rest)) {
    fail(text, fmt::format("repository '{}' is not valid: lower-case letters and digits, separated by "
                           "'.', '_', '__', '-' or '/'",
                           rest));
  }
  reference.repository = std::string(rest);
  return reference;
}

std::string mount_repository(std::string_view push_to, std::string_view mount_from) {
  Reference to = parse_reference(push_to);
  Reference from = parse_reference(mount_from);
  if (from.host != to.host || !from.tag.empty() || !from.digest.empty()) {
    throw Error(fmt::format("--mount-from '{}' must be a repository (HOST/REPO, no tag) on the registry "
                            "pushed to ({}): blobs mount only within one registry",
                            mount_from, to.host));
  }
  return from.repository;
}

bool is_loopback(std::string_view host) {
  std::string name(host);
  if (!name.empty() && name[0] == '[') {
    name = name.substr(1, name.find(']') - 1);
  } else if (std::count(name.begin(), name.end(), ':') == 1) {
    name = name.substr(0, name.find(':')); // drop the port; more colons mean bare IPv6
  }
  std::transform(name.begin(), name.end(), name.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  if (name == "localhost") {
    return true;
  }
  unsigned char address[16] = {};
  if (::inet_pton(AF_INET, name.c_str(), address) == 1) {
    return address[0] == 127;
  }
  static const unsigned char k_ipv6_loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return ::inet_pton(AF_INET6, name.c_str(), address) == 1 &&
         std::equal(address, address + 16, k_ipv6_loopback);
}

} // namespace xstage::registry
