#pragma once

#include <optional>
#include <string>

#include "http/session.hpp"

namespace xstage::registry {

// A registry login, sent as HTTP Basic authentication or to get a token.
using Credentials = http::Credentials;

// The login to use for `host` ("127.0.0.1:5000", "ghcr.io"), or nothing for
// anonymous access. In order:
//  1. XSTAGE_REGISTRY_USER and XSTAGE_REGISTRY_PASSWORD, for any host; one
//     set without the other is an error.
//  2. The Docker config file, $DOCKER_CONFIG/config.json or else
//     $HOME/.docker/config.json: auths[host] with "auth" (base64 of
//     "user:password") or "username" and "password". Keys written as
//     "https://host" or "http://host" (with or without a path) match too.
// Credential helpers (credHelpers[host], or credsStore for a host that auths
// lists without inline credentials) are not run; that case throws
// xstage::Error saying so and naming the file, rather than silently going
// anonymous. A config file that is not valid JSON or has the wrong shape
// throws an Error naming it; no message ever contains file content.
std::optional<Credentials> find_credentials(const std::string& host);

} // namespace xstage::registry
