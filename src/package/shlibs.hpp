#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace xstage::package {

// Which Debian dependency provides each shared library, as the `shlibs`
// control files of a set of packages say: dpkg-shlibdeps's rule when a
// library has no symbols file, and what every library package built with
// debhelper ships. A line "libQt6Core 6 libqt6core6 (>= 6.4.2)" answers the
// sonames libQt6Core.so.6 and libQt6Core-6.so.
class SharedLibraryDependencies {
public:
  // Adds the lines of one package's shlibs file. Lines with a type ("udeb:")
  // are not for installed systems and are skipped; `package` names the
  // package in the error a malformed line throws.
  void add_shlibs(std::string_view text, const std::string& package);

  // The dependency for `soname`, or "" when no package added declares it.
  std::string dependency_of(const std::string& soname) const;

  std::size_t size() const { return m_by_soname.size(); }

private:
  std::map<std::string, std::string> m_by_soname;
};

// The Depends line of `dependencies` (as shlibs or a recipe write them),
// each written once, sorted by package name as dpkg-shlibdeps sorts them.
std::string depends_line(std::vector<std::string> dependencies);

} // namespace xstage::package
