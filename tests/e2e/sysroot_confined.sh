#!/usr/bin/env bash
# A program built with the files `xstage sysroot` writes links the sysroot's
# libraries, never another copy of the same soname on the build machine:
#  - libc.so.6, crt1.o: Debian's cross GCC has its own (libc6-dev-arm64-cross,
#    another glibc build) in /usr/aarch64-linux-gnu and searches it first;
#  - libz.so.1: toolchain/setup.sh installs zlib1g-dev:arm64 on the build
#    machine (/usr/lib/aarch64-linux-gnu), which the compiler finds without
#    --sysroot.
# Meson (the overlay layered over cross/aarch64.ini, as stages use it),
# CMake (toolchain.cmake) and a plain configure-style build (configure.env)
# each link with ld --trace, and every aarch64 file the linker opened must be
# in the sysroot. The program then runs under the export's emulator.
# Usage: sysroot_confined.sh XSTAGE SOURCE_ROOT [SCRATCH_DIR]  (the demo's base cached in SCRATCH_DIR/cache)
source "$(dirname "$0")/common.sh"
dir=$scratch/confined
export_dir=$dir/export
x() { "$xstage" --root "$source_root" --cache "$cache" "$@"; }

rm -rf "$dir"
mkdir -p "$dir/project"
x build base >/dev/null
x sysroot base "$export_dir" >/dev/null
sysroot=$export_dir/sysroot

say "the build machine has other copies of the sonames the program needs"
cross_libc=/usr/aarch64-linux-gnu/lib/libc.so.6
host_zlib=/usr/lib/aarch64-linux-gnu/libz.so
[ -e "$cross_libc" ] || fail "no cross toolchain libc at $cross_libc"
[ -e "$host_zlib" ] || fail "no build-machine arm64 zlib at $host_zlib"
cmp -s "$cross_libc" "$sysroot/lib/aarch64-linux-gnu/libc.so.6" &&
    fail "the cross toolchain's libc is the sysroot's, byte for byte: this test would prove nothing"
echo "ok: $cross_libc and $host_zlib exist; the cross libc differs from the sysroot's"

cat > "$dir/project/confined.c" <<'EOF'
#include <stdio.h>
#include <zlib.h>
int main(void) {
  printf("zlib %s\n", zlibVersion());
  return 0;
}
EOF
cat > "$dir/project/meson.build" <<'EOF'
project('confined', 'c')
executable('confined', 'confined.c', dependencies: dependency('zlib'), link_args: ['-Wl,--trace'])
EOF
cat > "$dir/project/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(confined C)
find_package(ZLIB REQUIRED)
add_executable(confined confined.c)
target_link_libraries(confined ZLIB::ZLIB)
target_link_options(confined PRIVATE -Wl,--trace)
EOF

# Every file ld --trace printed must be in the sysroot, but for the
# compiler's own (crtbegin.o, libgcc: /usr/lib/gcc-cross) and its temporary
# object files.
check_trace() {
    local what=$1 trace=$2
    grep -q "$sysroot/.*libz.so" "$trace" || fail "$what: libz was not taken from the sysroot: $(grep -m3 libz "$trace")"
    grep -q "$sysroot/.*crt1.o" "$trace" || fail "$what: crt1.o was not taken from the sysroot: $(grep -m3 crt1 "$trace")"
    # The trace's own lines (not ninja's, not the command line): one input
    # each, as a path or as "-lz (PATH)".
    local leaks
    leaks=$(grep -v -e '^\[' -e 'aarch64-linux-gnu-gcc ' "$trace" | grep -oE '(^|\()/[^ )]*' | tr -d '(' |
        grep -v -e "^$sysroot/" -e '^/usr/lib/gcc-cross/' -e '^/tmp/cc[^/]*\.o$' || true)
    [ -z "$leaks" ] || fail "$what: linked from outside the sysroot: $(echo "$leaks" | sort -u | tr '\n' ' ')"
    echo "ok: $what: libz, libc and crt files from the sysroot"
}

say "Meson: cross/aarch64.ini with the export's cross.ini over it"
meson setup --cross-file "$source_root/cross/aarch64.ini" --cross-file "$export_dir/cross.ini" \
    "$dir/meson" "$dir/project" >"$dir/meson-setup.log" 2>&1 || { cat "$dir/meson-setup.log"; fail "meson setup"; }
ninja -C "$dir/meson" -v >"$dir/meson-trace.log" 2>&1 || { cat "$dir/meson-trace.log"; fail "meson build"; }
check_trace meson "$dir/meson-trace.log"

say "CMake: toolchain.cmake"
cmake -G Ninja -DCMAKE_TOOLCHAIN_FILE="$export_dir/toolchain.cmake" -S "$dir/project" -B "$dir/cmake" \
    >"$dir/cmake-setup.log" 2>&1 || { cat "$dir/cmake-setup.log"; fail "cmake configure"; }
ninja -C "$dir/cmake" -v >"$dir/cmake-trace.log" 2>&1 || { cat "$dir/cmake-trace.log"; fail "cmake build"; }
check_trace cmake "$dir/cmake-trace.log"

say "CMake: the user's own prefix and find root stay"
mkdir -p "$dir/prefix/lib/cmake/Mine" "$dir/prefixed"
echo 'set(Mine_FOUND TRUE)' > "$dir/prefix/lib/cmake/Mine/MineConfig.cmake"
cat > "$dir/prefixed/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(prefixed C)
find_package(Mine REQUIRED)
find_package(ZLIB REQUIRED)
message(STATUS "roots: ${CMAKE_FIND_ROOT_PATH}")
EOF
cmake -DCMAKE_TOOLCHAIN_FILE="$export_dir/toolchain.cmake" -DCMAKE_PREFIX_PATH="$dir/prefix" \
    -DCMAKE_FIND_ROOT_PATH=/opt/elsewhere -S "$dir/prefixed" -B "$dir/prefixed-build" >"$dir/prefixed.log" 2>&1 ||
    { cat "$dir/prefixed.log"; fail "cmake: the user's prefix $dir/prefix was not found"; }
grep -q -- "-- roots: /opt/elsewhere;$sysroot;$dir/prefix" "$dir/prefixed.log" ||
    fail "cmake: the user's CMAKE_FIND_ROOT_PATH was not kept first: $(grep roots: "$dir/prefixed.log")"
echo "ok: cmake: MineConfig.cmake found in the user's prefix, -DCMAKE_FIND_ROOT_PATH kept"

say "configure.env: \$CC as a configure script passes it to make"
(
    . "$export_dir/configure.env"
    # shellcheck disable=SC2086 # CC is a command line, as make splits it
    $CC -o "$dir/confined-cc" "$dir/project/confined.c" $(pkg-config --cflags --libs zlib) -Wl,--trace
) >"$dir/cc-trace.log" 2>&1 || { cat "$dir/cc-trace.log"; fail "\$CC build"; }
check_trace configure.env "$dir/cc-trace.log"

say "the programs run under the export's emulator"
for program in "$dir/meson/confined" "$dir/cmake/confined" "$dir/confined-cc"; do
    output=$("$export_dir/emulator" "$program")
    [[ "$output" == "zlib 1."* ]] || fail "$program printed '$output'"
done
echo "ok: 3 programs ran: $output"
