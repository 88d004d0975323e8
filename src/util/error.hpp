#pragma once

#include <stdexcept>
#include <string>

namespace xstage {

// The one exception type for domain failures (bad input, a failed command, a
// corrupt artifact). Its message is complete and lower case, names the culprit
// (a file and line, a stage, a command), and is printed as-is by the CLI after
// "xstage: error: ". Code below the CLI never prints and never exits.
class Error : public std::runtime_error {
public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// A failure of the machine's own file system while writing (a full disk, a
// read-only or vanished directory): not the input's fault, and it would hit
// the next input too. Code that skips a bad input and goes on (a pull that
// refuses one stage and tries the next) ends on this one instead.
class FileError : public Error {
public:
  using Error::Error;
};

} // namespace xstage
