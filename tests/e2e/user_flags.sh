#!/usr/bin/env bash
# What a user or a recipe gives is added to the sysroot's flags, never
# replaced by them, in every file `xstage sysroot` writes; and the cross file
# alone runs a threaded test under its emulator.
#  - toolchain.cmake: -DCMAKE_C_STANDARD_LIBRARIES, -DCMAKE_C_FLAGS and
#    -DCMAKE_C_STANDARD_INCLUDE_DIRECTORIES reach the compile and link lines
#    beside the sysroot's flags, once each, also after a reconfigure (CMake
#    reads the toolchain file again for every try_compile);
#  - cross.ini: -Dc_args and -Dc_link_args on the command line replace a
#    machine file's values, so the sysroot's flags must not live there;
#  - configure.env and config.site: CFLAGS, LDFLAGS and LIBS stay the user's.
# Each build links libcanary.a from the user's own directory, so a dropped
# value fails the link, and each program runs under the export's emulator.
# Usage: user_flags.sh XSTAGE SOURCE_ROOT [SCRATCH_DIR]  (the demo's base cached in SCRATCH_DIR/cache)
source "$(dirname "$0")/common.sh"
dir=$scratch/user-flags
export_dir=$dir/export
canary=$dir/canary
x() { "$xstage" --root "$source_root" --cache "$cache" "$@"; }

rm -rf "$dir"
mkdir -p "$dir/project" "$canary/include"
x build base >/dev/null
x sysroot base "$export_dir" >/dev/null
sysroot=$export_dir/sysroot

echo 'int canary(void);' > "$canary/include/canary.h"
echo 'int canary(void) { return 42; }' > "$canary/canary.c"
aarch64-linux-gnu-gcc -c -o "$canary/canary.o" "$canary/canary.c"
aarch64-linux-gnu-ar rcs "$canary/libcanary.a" "$canary/canary.o"
cat > "$dir/project/canary_main.c" <<'EOF'
#include <canary.h>
#include <stdio.h>
#ifndef CANARY_FLAG
#error "the user's compile flags were dropped"
#endif
int main(void) {
  printf("canary %d\n", canary());
  return canary() == 42 ? 0 : 1;
}
EOF
cat > "$dir/project/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(canary C)
add_executable(canary_main canary_main.c)
EOF
cat > "$dir/project/meson.build" <<'EOF'
project('canary', 'c')
executable('canary_main', 'canary_main.c')
EOF

# The verbose line that links canary_main, and how often a flag is on it.
link_line() { grep -E -- '-o [^ ]*canary_main( |$)' "$1" | grep -v -- ' -c ' | tail -1; }
count() { grep -oF -- "$1" <<<"$2" | wc -l; }

say "CMake: the user's standard libraries, flags and include directories beside the sysroot's"
cmake_configure() {
    cmake -G Ninja -DCMAKE_TOOLCHAIN_FILE="$export_dir/toolchain.cmake" \
        -DCMAKE_C_STANDARD_LIBRARIES="-L$canary -lcanary" -DCMAKE_C_FLAGS=-DCANARY_FLAG \
        -DCMAKE_C_STANDARD_INCLUDE_DIRECTORIES="$canary/include" \
        -S "$dir/project" -B "$dir/cmake" >>"$dir/cmake.log" 2>&1 || { cat "$dir/cmake.log"; fail "cmake configure"; }
}
cmake_configure
cmake_configure # again: a second reading must not add the sysroot's flags twice
cmake --build "$dir/cmake" -- -v >"$dir/cmake-build.log" 2>&1 || { cat "$dir/cmake-build.log"; fail "cmake build"; }
line=$(link_line "$dir/cmake-build.log")
[[ "$line" == *"-L$canary -lcanary"* ]] || fail "cmake: -lcanary is not on the link line: $line"
[ "$(count "-B$sysroot/usr/lib/aarch64-linux-gnu/" "$line")" = 1 ] ||
    fail "cmake: the sysroot's -B is not on the link line once: $line"
grep -q -- "-isystem $canary/include" "$dir/cmake-build.log" || fail "cmake: the user's include directory was dropped"
echo "ok: cmake: -lcanary, -DCANARY_FLAG and $canary/include beside the sysroot's flags, once after two configures"

say "Meson: -Dc_args and -Dc_link_args with the export's cross.ini alone"
meson setup --cross-file "$export_dir/cross.ini" "-Dc_args=-DCANARY_FLAG -I$canary/include" \
    "-Dc_link_args=-L$canary -lcanary" "$dir/meson" "$dir/project" >"$dir/meson-setup.log" 2>&1 ||
    { cat "$dir/meson-setup.log"; fail "meson setup"; }
ninja -C "$dir/meson" -v >"$dir/meson-build.log" 2>&1 || { cat "$dir/meson-build.log"; fail "meson build"; }
line=$(link_line "$dir/meson-build.log")
[[ "$line" == *"-lcanary"* && "$line" == *"--sysroot=$sysroot"* ]] ||
    fail "meson: the link line lacks -lcanary or the sysroot: $line"
grep -- '-DCANARY_FLAG' "$dir/meson-build.log" | grep -q -- "--sysroot=$sysroot" ||
    fail "meson: the compile line lacks the user's c_args or the sysroot"
echo "ok: meson: the user's c_args and c_link_args beside --sysroot=$sysroot"

say "configure.env and config.site: CFLAGS, LDFLAGS and LIBS stay the user's"
for file in configure.env config.site; do
    values=$(CFLAGS="-DCANARY_FLAG -I$canary/include" LDFLAGS="-L$canary" LIBS=-lcanary \
        sh -c '. "$1" && printf "%s|%s|%s" "$CFLAGS" "$LDFLAGS" "$LIBS"' sh "$export_dir/$file")
    [ "$values" = "-DCANARY_FLAG -I$canary/include|-L$canary|-lcanary" ] || fail "$file changed them: $values"
done
(
    export CFLAGS="-DCANARY_FLAG -I$canary/include" LDFLAGS="-L$canary" LIBS=-lcanary
    . "$export_dir/configure.env"
    # shellcheck disable=SC2086 # as make splits them
    $CC $CFLAGS -o "$dir/canary-cc" "$dir/project/canary_main.c" $LDFLAGS $LIBS
) >"$dir/cc.log" 2>&1 || { cat "$dir/cc.log"; fail "\$CC \$CFLAGS ... \$LDFLAGS \$LIBS"; }
echo "ok: configure.env and config.site keep CFLAGS, LDFLAGS and LIBS; \$CC links with them"

say "the programs run under the export's emulator"
for program in "$dir/cmake/canary_main" "$dir/meson/canary_main" "$dir/canary-cc"; do
    output=$("$export_dir/emulator" "$program")
    [ "$output" = "canary 42" ] || fail "$program printed '$output'"
done
echo "ok: 3 programs printed: $output"

say "a threaded test through meson test, with cross/aarch64.ini alone"
mkdir -p "$dir/threads"
cat > "$dir/threads/thread_test.c" <<'EOF'
#include <pthread.h>
#include <stdio.h>
static void* run(void* arg) { return arg; }
int main(void) {
  pthread_t thread;
  if (pthread_create(&thread, NULL, run, NULL) != 0 || pthread_join(thread, NULL) != 0) return 1;
  puts("thread ok");
  return 0;
}
EOF
cat > "$dir/threads/meson.build" <<'EOF'
project('threads', 'c')
test('thread', executable('thread_test', 'thread_test.c', dependencies: dependency('threads')), timeout: 30)
EOF
meson setup --cross-file "$source_root/cross/aarch64.ini" "$dir/threads-build" "$dir/threads" \
    >"$dir/threads-setup.log" 2>&1 || { cat "$dir/threads-setup.log"; fail "meson setup (threads)"; }
meson test -C "$dir/threads-build" --print-errorlogs >"$dir/threads-test.log" 2>&1 ||
    { cat "$dir/threads-test.log"; fail "a threaded program under cross/aarch64.ini's exe_wrapper"; }
grep -E '^Ok: +1 *$' "$dir/threads-test.log" >/dev/null || { cat "$dir/threads-test.log"; fail "meson test ran no test"; }
echo "ok: meson test ran thread_test under $(grep -o "exe_wrapper = .*" "$source_root/cross/aarch64.ini")"
