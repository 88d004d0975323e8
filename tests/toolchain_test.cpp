// The toolchain model read from cross/aarch64.ini, and its fingerprint.
#include <catch2/catch.hpp>

#include <algorithm>

#include "fake_runner.hpp"
#include "test_support.hpp"
#include "toolchain/toolchain.hpp"
#include "util/error.hpp"

using xstage::Error;
using xstage::machine_file::MachineFile;
using xstage::toolchain::fingerprint;
using xstage::toolchain::load_toolchain;
using xstage::toolchain::toolchain_from;

TEST_CASE("the shipped cross file describes Debian's aarch64 gcc through ccache", "[toolchain]") {
  auto toolchain = load_toolchain({xstage::test::source_root() / "cross" / "aarch64.ini"});
  CHECK(toolchain.c == std::vector<std::string>{"ccache", "aarch64-linux-gnu-gcc"});
  CHECK(toolchain.cpp == std::vector<std::string>{"ccache", "aarch64-linux-gnu-g++"});
  CHECK(toolchain.ar == "aarch64-linux-gnu-ar");
  CHECK(toolchain.cross_prefix == "aarch64-linux-gnu-");
  // The multiarch libc6:arm64 at /: threads hang under the cross libc.
  CHECK(toolchain.exe_wrapper == std::vector<std::string>{"qemu-aarch64-static", "-L", "/"});
  CHECK(toolchain.cpu_family == "aarch64");
  CHECK(toolchain.cpu == "armv8-a");
  CHECK(toolchain.endian == "little");
  CHECK(toolchain.pkg_config_libdir ==
        std::vector<std::string>{"/usr/lib/aarch64-linux-gnu/pkgconfig", "/usr/share/pkgconfig"});
}

TEST_CASE("a later cross file overrides an earlier one", "[toolchain]") {
  auto dir = xstage::test::make_temp_dir("toolchain");
  xstage::test::write_file(dir / "local.ini", "[binaries]\nc = 'aarch64-linux-gnu-gcc'\n");
  auto toolchain = load_toolchain({xstage::test::source_root() / "cross" / "aarch64.ini", dir / "local.ini"});
  CHECK(toolchain.c == std::vector<std::string>{"aarch64-linux-gnu-gcc"});
  CHECK(toolchain.cpp == std::vector<std::string>{"ccache", "aarch64-linux-gnu-g++"});
}

TEST_CASE("a cross file without a C compiler is refused", "[toolchain]") {
  MachineFile cross;
  cross.parse_text("[binaries]\ncpp = 'g++'\n", "x.ini");
  REQUIRE_THROWS_MATCHES(toolchain_from(std::move(cross)), Error,
                         Catch::Message("x.ini:1:1: the cross file needs 'c' in section [binaries]\n"
                                        "[binaries]\n^"));
  // The shipped cross file without its cpu: located at its [host_machine].
  std::string text = xstage::test::read_file(xstage::test::source_root() / "cross" / "aarch64.ini");
  std::size_t cpu = text.find("\ncpu = ");
  REQUIRE(cpu != std::string::npos);
  text.erase(cpu + 1, text.find('\n', cpu + 1) - cpu);
  std::size_t header = text.find("[host_machine]");
  int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(header), '\n'));
  MachineFile other;
  other.parse_text(text, "y.ini");
  REQUIRE_THROWS_MATCHES(toolchain_from(std::move(other)), Error,
                         Catch::Message("y.ini:" + std::to_string(line) +
                                        ":1: the cross file needs 'cpu' in section [host_machine]\n"
                                        "[host_machine]\n^"));
  MachineFile empty;
  empty.parse_text("# nothing\n", "z.ini");
  REQUIRE_THROWS_MATCHES(
      toolchain_from(std::move(empty)), Error,
      Catch::Message("z.ini:1:1: the cross file needs 'c' in section [binaries]\n# nothing\n^"));
}

TEST_CASE("the fingerprint asks the compilers who they are", "[toolchain]") {
  auto toolchain = load_toolchain({xstage::test::source_root() / "cross" / "aarch64.ini"});
  auto runner = xstage::test::bookworm_gcc();
  auto print = fingerprint(toolchain, runner);
  CHECK(print.c_version == "aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0");
  CHECK(print.cpp_version == "aarch64-linux-gnu-g++ (Debian 12.2.0-14) 12.2.0");
  CHECK(print.target == "aarch64-linux-gnu");
  CHECK(print.cross_values["binaries"]["ar"] == "aarch64-linux-gnu-ar");
  CHECK_FALSE(print.cross_values.contains("constants"));
  CHECK(runner.commands == std::vector<std::string>{"aarch64-linux-gnu-gcc --version",
                                                    "aarch64-linux-gnu-g++ --version",
                                                    "aarch64-linux-gnu-gcc -dumpmachine"});
}

TEST_CASE("a compiler that cannot run names the command", "[toolchain]") {
  auto toolchain = load_toolchain({xstage::test::source_root() / "cross" / "aarch64.ini"});
  xstage::test::FakeRunner runner;
  REQUIRE_THROWS_MATCHES(
      fingerprint(toolchain, runner), Error,
      Catch::Message("toolchain check failed: `aarch64-linux-gnu-gcc --version` exited with 127: "
                     "not found"));
}
