// Registry references and WWW-Authenticate challenges on any text: the
// first line is a reference, the rest a header value.
#include "fuzz_support.hpp"
#include "http/challenge.hpp"
#include "registry/reference.hpp"
#include "util/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = xstage::fuzz::as_text(data, size);
  std::size_t newline = text.find('\n');
  std::string_view reference = text.substr(0, newline);
  std::string header(newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1));
  try {
    (void)xstage::registry::parse_reference(reference);
  } catch (const xstage::Error&) {
  }
  try {
    (void)xstage::http::parse_challenge(header);
  } catch (const xstage::Error&) {
  }
  return 0;
}
