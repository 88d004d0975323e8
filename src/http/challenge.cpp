#include "http/challenge.hpp"

#include <algorithm>
#include <cctype>

namespace xstage::http {

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return text;
}

} // namespace

Challenge parse_challenge(const std::string& header) {
  Challenge challenge;
  std::size_t i = header.find(' ');
  challenge.scheme = lower(header.substr(0, i));
  while (i < header.size() && (i = header.find_first_not_of(" ,", i)) != std::string::npos) {
    std::size_t equals = header.find('=', i);
    if (equals == std::string::npos) {
      break;
    }
    std::string name = lower(header.substr(i, equals - i));
    std::string value;
    i = equals + 1;
    if (i < header.size() && header[i] == '"') { // quoted: may hold commas and \-escapes
      for (++i; i < header.size() && header[i] != '"'; ++i) {
        if (header[i] == '\\' && i + 1 < header.size()) {
          ++i;
        }
        value += header[i];
      }
      ++i;
    } else {
      std::size_t end = header.find(',', i);
      value = header.substr(i, end == std::string::npos ? std::string::npos : end - i);
      i = end;
    }
    challenge.params[name] = value;
  }
  return challenge;
}

} // namespace xstage::http
