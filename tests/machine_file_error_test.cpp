// Malformed machine files: every error names file, line and column, says what
// was expected, and quotes the line with a caret under the culprit.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "machine_file/machine_file.hpp"
#include "test_support.hpp"
#include "util/error.hpp"
#include "util/text_file.hpp"

using xstage::Error;
using xstage::machine_file::MachineFile;
using xstage::machine_file::Value;

namespace {

// The full message of the error that parsing `text` throws.
std::string error_of(std::string_view text) {
  MachineFile file;
  try {
    file.parse_text(text, "cross.ini");
  } catch (const Error& error) {
    return error.what();
  }
  return "no error";
}

} // namespace

TEST_CASE("a key before any section header is refused", "[machine_file]") {
  CHECK(error_of("# cross file\nc = 'gcc'\n[binaries]\n") ==
        "cross.ini:2:1: expected a section header like [binaries] before the first key\n"
        "c = 'gcc'\n"
        "^");
}

TEST_CASE("a key without '=' is refused", "[machine_file]") {
  CHECK(error_of("[binaries]\nc 'gcc'\n") == "cross.ini:2:3: expected '=' after key 'c'\n"
                                             "c 'gcc'\n"
                                             "  ^");
  CHECK(error_of("[binaries]\nfoo\n") == "cross.ini:2:4: expected '=' after key 'foo'\n"
                                         "foo\n"
                                         "   ^");
}

TEST_CASE("a key with a space or quote in its name is refused", "[machine_file]") {
  CHECK(error_of("[binaries]\nc compiler = 'gcc'\n") ==
        "cross.ini:2:2: invalid key 'c compiler': keys cannot contain spaces or quotes\n"
        "c compiler = 'gcc'\n"
        " ^");
  CHECK(error_of("[binaries]\n= 'gcc'\n") == "cross.ini:2:1: expected a key before '='\n"
                                             "= 'gcc'\n"
                                             "^");
}

TEST_CASE("a malformed section header is refused", "[machine_file]") {
  CHECK(error_of("[binaries\n") == "cross.ini:1:10: expected ']' after section name\n"
                                   "[binaries\n"
                                   "         ^");
  CHECK(error_of("[]\n") == "cross.ini:1:2: expected a section name between '[' and ']'\n"
                            "[]\n"
                            " ^");
  CHECK(error_of("[binaries] c = 'gcc'\n") == "cross.ini:1:12: expected end of line after section header\n"
                                              "[binaries] c = 'gcc'\n"
                                              "           ^");
}

TEST_CASE("a section twice in one file is refused", "[machine_file]") {
  CHECK(error_of("[binaries]\nc = 'gcc'\n\n[binaries]\n") ==
        "cross.ini:4:1: duplicate section [binaries], first defined on line 1\n"
        "[binaries]\n"
        "^");
}

TEST_CASE("a key twice in one section of one file is refused", "[machine_file]") {
  CHECK(error_of("[binaries]\nc = 'gcc'\nar = 'ar'\nc = 'clang'\n") ==
        "cross.ini:4:1: duplicate key 'c' in section [binaries], first defined on line 2\n"
        "c = 'clang'\n"
        "^");
}

TEST_CASE("an empty value is refused", "[machine_file]") {
  CHECK(error_of("[binaries]\nc =\n") == "cross.ini:2:4: expected a value after '='\n"
                                         "c =\n"
                                         "   ^");
  CHECK(error_of("[binaries]\nc = # later\n") == "cross.ini:2:4: expected a value after '='\n"
                                                 "c = # later\n"
                                                 "   ^");
}

TEST_CASE("an unterminated string points at its opening quote", "[machine_file]") {
  CHECK(error_of("[binaries]\nc = ['ccache', 'gcc]\n") == "cross.ini:2:16: unterminated string\n"
                                                          "c = ['ccache', 'gcc]\n"
                                                          "               ^");
}

TEST_CASE("a double-quoted string is refused with a hint", "[machine_file]") {
  CHECK(error_of("[binaries]\nc = \"gcc\"\n") ==
        "cross.ini:2:5: double-quoted strings are not supported; use single quotes\n"
        "c = \"gcc\"\n"
        "    ^");
}

TEST_CASE("an undefined constant is named and located", "[machine_file]") {
  CHECK(error_of("[constants]\ntriple = 'aarch64-linux-gnu'\n[binaries]\nc = ['ccache', arch + '-gcc']\n") ==
        "cross.ini:4:16: undefined constant 'arch'\n"
        "c = ['ccache', arch + '-gcc']\n"
        "               ^");
}

TEST_CASE("a constant used before its definition in [constants] is undefined", "[machine_file]") {
  CHECK(error_of("[constants]\nb = a + 'World'\na = 'Hello'\n") == "cross.ini:2:5: undefined constant 'a'\n"
                                                                   "b = a + 'World'\n"
                                                                   "    ^");
}

TEST_CASE("an unclosed array on continuation lines points past its last element", "[machine_file]") {
  CHECK(error_of("[built-in options]\nc_args = [\n    '-O2',\n    '-g'\ncpp_args = []\n") ==
        "cross.ini:4:9: expected ']' or ',' after array element, got end of value\n"
        "    '-g'\n"
        "        ^");
}

TEST_CASE("a missing comma between array elements is refused", "[machine_file]") {
  CHECK(error_of("[binaries]\nc = ['ccache' 'gcc']\n") ==
        "cross.ini:2:15: expected ']' or ',' after array element, got string 'gcc'\n"
        "c = ['ccache' 'gcc']\n"
        "              ^");
  CHECK(error_of("[binaries]\nc = [, 'gcc']\n") ==
        "cross.ini:2:6: expected a value or ']' in array, got ','\n"
        "c = [, 'gcc']\n"
        "     ^");
}

TEST_CASE("an unclosed parenthesis is refused", "[machine_file]") {
  CHECK(error_of("[properties]\nx = ('a' + 'b'\n") ==
        "cross.ini:2:15: expected ')' after parenthesized value, got end of value\n"
        "x = ('a' + 'b'\n"
        "              ^");
}

TEST_CASE("adding values of different types names both types", "[machine_file]") {
  CHECK(error_of("[properties]\nx = 'lib' + 64\n") == "cross.ini:2:11: cannot add string and integer\n"
                                                      "x = 'lib' + 64\n"
                                                      "          ^");
  CHECK(error_of("[properties]\nx = ['a'] + 'b'\n") == "cross.ini:2:11: cannot add array and string\n"
                                                       "x = ['a'] + 'b'\n"
                                                       "          ^");
}

TEST_CASE("joining anything but two strings with '/' is refused", "[machine_file]") {
  CHECK(error_of("[properties]\nx = ['/usr'] / 'lib'\n") ==
        "cross.ini:2:14: cannot join array and string with '/'\n"
        "x = ['/usr'] / 'lib'\n"
        "             ^");
}

TEST_CASE("operators other than '+' and '/' are refused", "[machine_file]") {
  CHECK(error_of("[properties]\nx = 8 - 1\n") ==
        "cross.ini:2:7: cannot subtract integer from integer: machine files support only '+' and '/'\n"
        "x = 8 - 1\n"
        "      ^");
  CHECK(error_of("[properties]\nx = 2 * 'a'\n") ==
        "cross.ini:2:7: cannot multiply integer by string: machine files support only '+' and '/'\n"
        "x = 2 * 'a'\n"
        "      ^");
  CHECK(error_of("[properties]\nx = -1\n") ==
        "cross.ini:2:5: cannot negate integer: machine files support only '+' and '/'\n"
        "x = -1\n"
        "    ^");
}

TEST_CASE("malformed and oversized integers are refused", "[machine_file]") {
  CHECK(error_of("[properties]\nx = 012\n") == "cross.ini:2:5: invalid integer '012'\n"
                                               "x = 012\n"
                                               "    ^");
  CHECK(error_of("[properties]\nx = 0x\n") == "cross.ini:2:5: invalid integer '0x'\n"
                                              "x = 0x\n"
                                              "    ^");
  CHECK(error_of("[properties]\nx = 9223372036854775808\n") ==
        "cross.ini:2:5: integer '9223372036854775808' is too large\n"
        "x = 9223372036854775808\n"
        "    ^");
}

TEST_CASE("a character outside the language is refused", "[machine_file]") {
  CHECK(error_of("[binaries]\nc = @CC@\n") == "cross.ini:2:5: unexpected character '@'\n"
                                              "c = @CC@\n"
                                              "    ^");
}

TEST_CASE("a value continues on an indented line only inside brackets", "[machine_file]") {
  CHECK(error_of("[binaries]\nc = 'aarch64'\n    + '-gcc'\n") ==
        "cross.ini:3:5: expected end of value, got '+'; an indented line continues the value above "
        "it, which works only inside [ ] or ( )\n"
        "    + '-gcc'\n"
        "    ^");
  CHECK(error_of("[binaries]\nc = 'gcc' 'clang'\n") ==
        "cross.ini:2:11: expected end of value, got string 'clang'\n"
        "c = 'gcc' 'clang'\n"
        "          ^");
}

TEST_CASE("an indented key line is read as the continuation of the key above", "[machine_file]") {
  CHECK(error_of("[binaries]\nc = 'gcc'\n  ar = 'ar'\n") ==
        "cross.ini:3:3: expected end of value, got name 'ar'; an indented line continues the value "
        "above it, which works only inside [ ] or ( )\n"
        "  ar = 'ar'\n"
        "  ^");
}

TEST_CASE("an error in a later file names that file", "[machine_file]") {
  auto dir = xstage::test::make_temp_dir("machine_file");
  xstage::test::write_file(dir / "base.ini", "[constants]\narch = 'aarch64'\n");
  xstage::test::write_file(dir / "cross.ini", "[binaries]\nc = arhc + '-gcc'\n");
  MachineFile file;
  file.parse_file(dir / "base.ini");
  REQUIRE_THROWS_MATCHES(file.parse_file(dir / "cross.ini"), Error,
                         Catch::Message((dir / "cross.ini").string() + ":2:5: undefined constant 'arhc'\n"
                                                                       "c = arhc + '-gcc'\n"
                                                                       "    ^"));
}

TEST_CASE("a failed parse leaves what was read before unchanged", "[machine_file]") {
  MachineFile file;
  file.parse_text("[binaries]\nc = 'gcc'\n", "base.ini");
  CHECK_THROWS_AS(file.parse_text("[binaries]\nc = 'clang'\nar = missing\n", "local.ini"), Error);
  REQUIRE(file.section("binaries") != nullptr);
  REQUIRE(file.section("binaries")->entries.size() == 1);
  CHECK(file.section("binaries")->entries[0].value == Value("gcc"));
  file.parse_text("[binaries]\nar = 'ar'\n", "other.ini");
  CHECK(file.section("binaries")->entries.size() == 2);
}

TEST_CASE("a file that cannot be read is named with the reason", "[machine_file]") {
  auto dir = xstage::test::make_temp_dir("machine_file");
  MachineFile file;
  REQUIRE_THROWS_MATCHES(
      file.parse_file(dir / "missing.ini"), Error,
      Catch::Message("cannot read " + (dir / "missing.ini").string() + ": No such file or directory"));
  REQUIRE_THROWS_MATCHES(file.parse_file(dir), Error,
                         Catch::Message("cannot read " + dir.string() + ": it is not a regular file"));
  // A device would never end (the red team's --cross-file /dev/zero hung).
  REQUIRE_THROWS_MATCHES(file.parse_file("/dev/zero"), Error,
                         Catch::Message("cannot read /dev/zero: it is not a regular file"));
  xstage::test::write_file(dir / "big.ini", std::string(xstage::util::k_max_input_file_size + 1, '#'));
  REQUIRE_THROWS_MATCHES(
      file.parse_file(dir / "big.ini"), Error,
      Catch::Message("cannot read " + (dir / "big.ini").string() + ": larger than the 4 MiB limit"));
}

TEST_CASE("constants that double at each line stop with a located error", "[machine_file]") {
  for (const char* kind : {"'ab'", "['ab']"}) {
    std::string text = std::string("[constants]\na0 = ") + kind + "\n";
    for (int i = 1; i <= 40; ++i) {
      text += fmt::format("a{} = a{} + a{}\n", i, i - 1, i - 1);
    }
    MachineFile file;
    // 2 bytes doubled 19 times is 1 MiB: line 21 (a19 + a19... a20) crosses it.
    REQUIRE_THROWS_WITH(file.parse_text(text, "doubling.ini"),
                        Catch::StartsWith("doubling.ini:2") &&
                            Catch::Contains(": value grows past 1048576 bytes or elements"));
  }
  std::string nested = "[constants]\na0 = ['x']\n";
  for (int i = 1; i <= 40; ++i) {
    nested += fmt::format("a{} = [a{}, a{}]\n", i, i - 1, i - 1);
  }
  MachineFile file;
  REQUIRE_THROWS_WITH(file.parse_text(nested, "nested.ini"),
                      Catch::Contains(": value grows past 1048576 bytes or elements"));
}

TEST_CASE("a long '+' chain is evaluated in linear time", "[machine_file]") {
  std::string text = "[constants]\nlong = 'a'";
  for (int i = 0; i < 200000; ++i) {
    text += " + 'b'";
  }
  MachineFile file;
  file.parse_text(text + "\n", "long.ini");
  CHECK(file.constants().at("long").as_string().size() == 200001);
}

TEST_CASE("many sections and keys compose in linear time, duplicates still found", "[machine_file]") {
  std::string text;
  for (int i = 0; i < 30000; ++i) {
    text += fmt::format("[s{}]\nk = {}\n", i, i);
  }
  MachineFile file;
  file.parse_text(text, "many.ini");
  CHECK(file.sections().size() == 30000);
  CHECK(file.section("s29999")->find("k")->value == Value(29999));
  REQUIRE_THROWS_WITH(
      file.parse_text(text + "[s7]\n", "again.ini"),
      Catch::StartsWith("again.ini:60001:1: duplicate section [s7], first defined on line 15"));
}

TEST_CASE("a byte that is not UTF-8 is a located error, not a JSON exception", "[machine_file]") {
  MachineFile file;
  file.parse_text("[stage]\ndescription = 'caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x93\xa6'\n", "good.ini");
  CHECK(file.section("stage")->find("description")->value ==
        Value("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x93\xa6"));
  for (const char* bad : {"caf\xe9", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x9c"}) {
    REQUIRE_THROWS_WITH(
        MachineFile().parse_text(std::string("[stage]\ndescription = '") + bad + "'\n", "bad.ini"),
        Catch::Matches("bad.ini:2:1[5-9]: byte 0x[0-9a-f]{2} is not UTF-8; machine files are UTF-8 "
                       "text(.|\\n)*"));
  }
}

TEST_CASE("a long line is quoted only around the column, with the caret under the culprit",
          "[machine_file]") {
  std::string chain = "x = 'a'";
  for (int i = 0; i < 200; ++i) {
    chain += " + 'a'";
  }
  chain += " - 'b'";
  const std::string text = "[constants]\n" + chain + "\n";
  const std::string message = error_of(text);
  const std::size_t column = chain.find(" - ") + 2; // 1-based column of '-'
  const std::string header = fmt::format("cross.ini:2:{}: ", column);
  REQUIRE(message.rfind(header, 0) == 0);
  const std::string quoted = message.substr(message.find('\n') + 1);
  const std::string line = quoted.substr(0, quoted.find('\n'));
  const std::string caret = quoted.substr(quoted.find('\n') + 1);
  CHECK(line.size() <= 126); // 120 characters and "..." on either side
  CHECK(line.rfind("...", 0) == 0);
  CHECK(caret.back() == '^');
  CHECK(line[caret.size() - 1] == '-');
}
