#pragma once

#include <map>
#include <string>

namespace xstage::http {

// A WWW-Authenticate challenge: `Bearer realm="https://x/token",service="x"`.
struct Challenge {
  std::string scheme;                        // lower case: "basic", "bearer"
  std::map<std::string, std::string> params; // names in lower case, values unquoted
};

Challenge parse_challenge(const std::string& header);

} // namespace xstage::http
