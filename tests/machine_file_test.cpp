// Meson's machine-file syntax: every construct the Meson documentation shows
// for cross and native files, and how several files layer.
#include <catch2/catch.hpp>

#include <cstdint>

#include "machine_file/machine_file.hpp"
#include "test_support.hpp"

using xstage::machine_file::Entry;
using xstage::machine_file::MachineFile;
using xstage::machine_file::Value;
using Strings = Value::Array;

namespace {

MachineFile parse(std::string_view text) {
  MachineFile file;
  file.parse_text(text, "cross.ini");
  return file;
}

const Value& value_of(const MachineFile& file, std::string_view section, std::string_view key) {
  const auto* found = file.section(section);
  REQUIRE(found != nullptr);
  const Entry* entry = found->find(key);
  REQUIRE(entry != nullptr);
  return entry->value;
}

} // namespace

TEST_CASE("a string value is read with where its key and section were written", "[machine_file]") {
  MachineFile file = parse("# a comment\n[binaries]\n  c = 'aarch64-linux-gnu-gcc'\n");
  REQUIRE(file.sections().size() == 1);
  const auto& section = file.sections()[0];
  CHECK(section.name == "binaries");
  CHECK(section.location.file == "cross.ini");
  CHECK(section.location.line == 2);
  CHECK(section.location.column == 1);
  REQUIRE(section.entries.size() == 1);
  CHECK(section.entries[0].key == "c");
  CHECK(section.entries[0].value == Value("aarch64-linux-gnu-gcc"));
  CHECK(section.entries[0].location.line == 3);
  CHECK(section.entries[0].location.column == 3);
}

TEST_CASE("the sections Meson documents keep their order of appearance", "[machine_file]") {
  MachineFile file = parse("[constants]\nx = 'a'\n"
                           "[binaries]\nc = 'gcc'\n"
                           "[properties]\nneeds_exe_wrapper = true\n"
                           "[host_machine]\nsystem = 'linux'\n"
                           "[built-in options]\nc_args = ['-O2']\n");
  std::vector<std::string> names;
  for (const auto& section : file.sections()) {
    names.push_back(section.name);
  }
  CHECK(names ==
        std::vector<std::string>{"constants", "binaries", "properties", "host_machine", "built-in options"});
  CHECK(value_of(file, "built-in options", "c_args") == Value(Strings{"-O2"}));
  CHECK(file.section("target_machine") == nullptr);
}

TEST_CASE("keys are case-sensitive and may hold dashes, dots and colons", "[machine_file]") {
  MachineFile file = parse("[binaries]\nc = 'gcc'\nC = 'GCC'\npkg-config = 'pkg-config'\n"
                           "[built-in options]\nsub:c_std = 'c11'\nmy.opt = 1\n");
  CHECK(value_of(file, "binaries", "c") == Value("gcc"));
  CHECK(value_of(file, "binaries", "C") == Value("GCC"));
  CHECK(value_of(file, "binaries", "pkg-config") == Value("pkg-config"));
  CHECK(value_of(file, "built-in options", "sub:c_std") == Value("c11"));
  CHECK(value_of(file, "built-in options", "my.opt") == Value(1));
}

TEST_CASE("string escapes are decoded and unknown ones stay literal", "[machine_file]") {
  MachineFile file = parse(R"([properties]
quote = 'it\'s'
backslash = 'a\\b'
controls = 'n\nt\tr\r'
hex = '\x41\x7a\xe9'
windows = 'C:\foo\bar'
hash = 'not # a comment'
)");
  CHECK(value_of(file, "properties", "quote") == Value("it's"));
  CHECK(value_of(file, "properties", "backslash") == Value("a\\b"));
  CHECK(value_of(file, "properties", "controls") == Value("n\nt\tr\r"));
  CHECK(value_of(file, "properties", "hex") == Value("Az\xc3\xa9"));
  CHECK(value_of(file, "properties", "windows") == Value("C:\\foo\\bar"));
  CHECK(value_of(file, "properties", "hash") == Value("not # a comment"));
}

TEST_CASE("booleans and integers in every base are read", "[machine_file]") {
  MachineFile file = parse("[properties]\nyes = true\nno = false\npython_yes = True\n"
                           "zero = 0\ndecimal = 42\nhex = 0x1F\noctal = 0o17\nbinary = 0b101\n"
                           "big = 9223372036854775807\n");
  CHECK(value_of(file, "properties", "yes") == Value(true));
  CHECK(value_of(file, "properties", "no") == Value(false));
  CHECK(value_of(file, "properties", "python_yes") == Value(true));
  CHECK(value_of(file, "properties", "zero") == Value(0));
  CHECK(value_of(file, "properties", "decimal") == Value(42));
  CHECK(value_of(file, "properties", "hex") == Value(31));
  CHECK(value_of(file, "properties", "octal") == Value(15));
  CHECK(value_of(file, "properties", "binary") == Value(5));
  CHECK(value_of(file, "properties", "big") == Value(INT64_MAX));
}

TEST_CASE("arrays nest, may be empty and accept a trailing comma", "[machine_file]") {
  MachineFile file = parse("[properties]\nempty = []\nflat = ['a', 'b',]\n"
                           "mixed = [1, true, ['x', []]]\n");
  CHECK(value_of(file, "properties", "empty") == Value(Strings{}));
  CHECK(value_of(file, "properties", "flat") == Value(Strings{"a", "b"}));
  CHECK(value_of(file, "properties", "mixed") ==
        Value(Strings{1, true, Value(Strings{"x", Value(Strings{})})}));
  CHECK(value_of(file, "properties", "flat").is_string_array());
  CHECK_FALSE(value_of(file, "properties", "mixed").is_string_array());
}

TEST_CASE("plus concatenates strings and arrays", "[machine_file]") {
  MachineFile file = parse("[binaries]\nc = 'aarch64' + '-linux' + '-gnu-gcc'\n"
                           "cpp = ['ccache'] + ['g++', '-m64'] + []\n");
  CHECK(value_of(file, "binaries", "c") == Value("aarch64-linux-gnu-gcc"));
  CHECK(value_of(file, "binaries", "cpp") == Value(Strings{"ccache", "g++", "-m64"}));
}

TEST_CASE("slash joins paths like os.path.join", "[machine_file]") {
  MachineFile file = parse("[properties]\nplain = '/usr' / 'lib'\ntrailing = '/usr/' / 'lib'\n"
                           "absolute = '/usr' / '/opt/lib'\nempty_left = '' / 'lib'\n"
                           "empty_right = '/usr' / ''\nchain = '/usr' / 'lib' / 'pkgconfig'\n");
  CHECK(value_of(file, "properties", "plain") == Value("/usr/lib"));
  CHECK(value_of(file, "properties", "trailing") == Value("/usr/lib"));
  CHECK(value_of(file, "properties", "absolute") == Value("/opt/lib"));
  CHECK(value_of(file, "properties", "empty_left") == Value("lib"));
  CHECK(value_of(file, "properties", "empty_right") == Value("/usr/"));
  CHECK(value_of(file, "properties", "chain") == Value("/usr/lib/pkgconfig"));
}

TEST_CASE("slash binds tighter than plus and parentheses group", "[machine_file]") {
  MachineFile file = parse("[properties]\nbare = 'a' + 'b' / '/c'\ngrouped = ('a' + 'b') / 'c'\n"
                           "nested = ((['x']))\n");
  CHECK(value_of(file, "properties", "bare") == Value("a/c"));
  CHECK(value_of(file, "properties", "grouped") == Value("ab/c"));
  CHECK(value_of(file, "properties", "nested") == Value(Strings{"x"}));
}

TEST_CASE("constants are usable in the sections after them", "[machine_file]") {
  MachineFile file = parse("[constants]\ntriple = 'aarch64-linux-gnu'\nsysroot = '/usr' / triple\n"
                           "[binaries]\nc = ['ccache', triple + '-gcc']\n"
                           "[properties]\npkg_config_libdir = [sysroot / 'lib/pkgconfig']\n");
  CHECK(file.constants().at("sysroot") == Value("/usr/aarch64-linux-gnu"));
  CHECK(value_of(file, "binaries", "c") == Value(Strings{"ccache", "aarch64-linux-gnu-gcc"}));
  CHECK(value_of(file, "properties", "pkg_config_libdir") ==
        Value(Strings{"/usr/aarch64-linux-gnu/lib/pkgconfig"}));
}

TEST_CASE("constants are evaluated first even when written last", "[machine_file]") {
  MachineFile file = parse("[binaries]\nstrip = arch + '-strip'\n[constants]\narch = 'riscv64'\n");
  CHECK(value_of(file, "binaries", "strip") == Value("riscv64-strip"));
  CHECK(file.sections()[0].name == "binaries");
  CHECK(file.sections()[1].name == "constants");
}

TEST_CASE("a key can use earlier keys of its own section, shadowing constants", "[machine_file]") {
  MachineFile file = parse("[constants]\nflags = ['-O2']\n"
                           "[built-in options]\nflags = ['-g']\nc_args = flags + ['-Wall']\n"
                           "cpp_args = c_args + ['-fno-rtti']\n"
                           "[properties]\nsame = flags\n");
  CHECK(value_of(file, "built-in options", "c_args") == Value(Strings{"-g", "-Wall"}));
  CHECK(value_of(file, "built-in options", "cpp_args") == Value(Strings{"-g", "-Wall", "-fno-rtti"}));
  CHECK(value_of(file, "properties", "same") == Value(Strings{"-O2"}));
}

TEST_CASE("an array may span indented lines with comments and blank lines", "[machine_file]") {
  MachineFile file = parse(R"([built-in options]
c_args = [
    '-O2', # optimise
    # a full-line comment inside the value
    ; and the other comment style

    '-g',
  ]
cpp_args = ['-O2']
)");
  CHECK(value_of(file, "built-in options", "c_args") == Value(Strings{"-O2", "-g"}));
  CHECK(value_of(file, "built-in options", "cpp_args") == Value(Strings{"-O2"}));
}

TEST_CASE("a value may start on the indented line after the key", "[machine_file]") {
  MachineFile file = parse("[binaries]\nc =\n    'gcc'\n");
  CHECK(value_of(file, "binaries", "c") == Value("gcc"));
}

TEST_CASE("comments after values, on own lines and after headers are ignored", "[machine_file]") {
  MachineFile file = parse("; leading comment\n[binaries] # the tools\n# c = 'ignored'\n"
                           "c = 'gcc' # trailing\n\n\nar = 'ar'#tight\n");
  const auto* binaries = file.section("binaries");
  REQUIRE(binaries != nullptr);
  REQUIRE(binaries->entries.size() == 2);
  CHECK(binaries->entries[0].value == Value("gcc"));
  CHECK(binaries->entries[1].key == "ar");
  CHECK(binaries->entries[1].value == Value("ar"));
}

TEST_CASE("files with CRLF line endings read the same", "[machine_file]") {
  MachineFile file = parse("[binaries]\r\nc = ['ccache',\r\n  'gcc']\r\n");
  CHECK(value_of(file, "binaries", "c") == Value(Strings{"ccache", "gcc"}));
}

TEST_CASE("a later file replaces keys in place and merges sections", "[machine_file]") {
  auto dir = xstage::test::make_temp_dir("machine_file");
  xstage::test::write_file(dir / "base.ini", "[binaries]\nc = 'gcc'\nar = 'ar'\n[properties]\nx = 1\n");
  xstage::test::write_file(dir / "local.ini", "[binaries]\nstrip = 'strip'\nc = 'clang'\n");
  MachineFile file;
  file.parse_file(dir / "base.ini");
  file.parse_file(dir / "local.ini");
  const auto* binaries = file.section("binaries");
  REQUIRE(binaries != nullptr);
  REQUIRE(binaries->entries.size() == 3);
  CHECK(binaries->entries[0].key == "c");
  CHECK(binaries->entries[0].value == Value("clang"));
  CHECK(binaries->entries[0].location.file == (dir / "local.ini").string());
  CHECK(binaries->entries[0].location.line == 3);
  CHECK(binaries->entries[1].key == "ar");
  CHECK(binaries->entries[2].key == "strip");
  CHECK(binaries->location.file == (dir / "base.ini").string());
  CHECK(value_of(file, "properties", "x") == Value(1));
}

TEST_CASE("constants of an earlier file are usable in a later file", "[machine_file]") {
  auto dir = xstage::test::make_temp_dir("machine_file");
  xstage::test::write_file(dir / "aarch64.ini", "[constants]\narch = 'aarch64-linux-gnu'\n");
  xstage::test::write_file(dir / "cross.ini", "[binaries]\nc = arch + '-gcc'\nstrip = arch + '-strip'\n");
  MachineFile file;
  file.parse_file(dir / "aarch64.ini");
  file.parse_file(dir / "cross.ini");
  CHECK(value_of(file, "binaries", "c") == Value("aarch64-linux-gnu-gcc"));
  CHECK(value_of(file, "binaries", "strip") == Value("aarch64-linux-gnu-strip"));
  CHECK(file.constants().at("arch") == Value("aarch64-linux-gnu"));
}

TEST_CASE("files are composed before values are evaluated, as Meson documents", "[machine_file]") {
  MachineFile file;
  file.parse_text("[constants]\na = 'Foo'\nb = a + 'World'\n[binaries]\nc = a + '-gcc'\n", "file1.ini");
  CHECK(file.constants().at("b") == Value("FooWorld"));
  file.parse_text("[constants]\na = 'Hello'\n", "file2.ini");
  CHECK(file.constants().at("b") == Value("HelloWorld"));
  CHECK(value_of(file, "binaries", "c") == Value("Hello-gcc"));
}

TEST_CASE("to_json maps every section and key with keys sorted", "[machine_file]") {
  MachineFile file = parse("[properties]\nz = [1, 'a']\na = true\n[binaries]\nc = 'gcc'\n");
  CHECK(file.to_json().dump() == R"({"binaries":{"c":"gcc"},"properties":{"a":true,"z":[1,"a"]}})");
  CHECK(parse("").to_json() == nlohmann::json::object());
}

TEST_CASE("to_source writes values that read back the same", "[machine_file]") {
  Value value(Strings{"it's", "C:\\foo", "tab\there\n", 7, false, Value(Strings{})});
  CHECK(value.to_source() == R"(['it\'s', 'C:\\foo', 'tab\there\n', 7, false, []])");
  MachineFile file = parse("[properties]\nx = " + value.to_source() + "\n");
  CHECK(value_of(file, "properties", "x") == value);
}

TEST_CASE("values name their types for error messages", "[machine_file]") {
  CHECK(std::string(Value("a").type_name()) == "string");
  CHECK(std::string(Value(true).type_name()) == "boolean");
  CHECK(std::string(Value(3).type_name()) == "integer");
  CHECK(std::string(Value(Strings{}).type_name()) == "array");
  CHECK(Value(Strings{}).is_string_array());
  CHECK_FALSE(Value("a").is_string_array());
}
