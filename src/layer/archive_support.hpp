#pragma once

// Helpers shared by the layer writer and extractor; internal to src/layer/.

#include <memory>
#include <string>

#include <archive.h>
#include <locale.h>
#include <sys/types.h>

namespace xstage::layer::detail {

using WriteArchive = std::unique_ptr<archive, decltype(&archive_write_free)>;
using ReadArchive = std::unique_ptr<archive, decltype(&archive_read_free)>;

inline constexpr mode_t k_permission_bits = 0777;

inline std::string archive_error(archive* handle) {
  const char* text = archive_error_string(handle);
  return text != nullptr ? text : "unknown libarchive error";
}

// libarchive converts names for pax headers through the calling thread's
// locale, so a non-ASCII name would be encoded differently under LANG=C and
// LANG=C.UTF-8. Pinning the thread to C.UTF-8 while packing removes that
// input (glibc has it built in; without it the process locale is used).
class ScopedUtf8Locale {
public:
  ScopedUtf8Locale()
      : m_locale(::newlocale(LC_ALL_MASK, "C.UTF-8", locale_t{})),
        m_previous(m_locale != locale_t{} ? ::uselocale(m_locale) : locale_t{}) {}
  ~ScopedUtf8Locale() {
    if (m_locale != locale_t{}) {
      ::uselocale(m_previous);
      ::freelocale(m_locale);
    }
  }
  ScopedUtf8Locale(const ScopedUtf8Locale&) = delete;
  ScopedUtf8Locale& operator=(const ScopedUtf8Locale&) = delete;

private:
  locale_t m_locale;
  locale_t m_previous;
};

} // namespace xstage::layer::detail
