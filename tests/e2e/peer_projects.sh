#!/usr/bin/env bash
# Public projects nobody here wrote, one per build system, taken from Debian's
# source packages (xstage debian-source) and built against a demo sysroot
# with only the files `xstage sysroot` writes, then their own test suites run
# as aarch64 programs under qemu:
#  - libpsl (Meson, libidn2 and libunistring from the sysroot): meson test;
#  - Qt Image Formats (CMake, Qt 6 Gui tests loading the build's plugins and
#    the sysroot's offscreen platform plugin): xstage run -- ctest, as the README shows;
#  - libpng (autotools and libtool, zlib from the sysroot): xstage run -- make check,
#    all but its slowest tests (pngvalid-*, pngimage-full) as a fixed budget;
#  - gdk-pixbuf (Meson, finds glib-compile-resources and runs glib-genmarshal and glib-mkenums of a
#    build-machine debian stage while it builds) configures and builds; its
#    tests are off when cross building, by its own meson.build.
# The pipeline is the demo's base with the packages these need, and a native
# debian stage of build-machine tools. No source is kept in the repository.
# Usage: peer_projects.sh XSTAGE SOURCE_ROOT [SCRATCH_DIR]
source "$(dirname "$0")/common.sh"
dir=$scratch/peers
checkout=$dir/checkout
export_dir=$dir/export
x() { "$xstage" --root "$checkout" --cache "$cache" --pipeline peers "$@"; }

rm -rf "$dir"
mkdir -p "$checkout/recipes/peers" "$dir/src"
cp -r "$source_root/cross" "$checkout/"
sed "s/'zlib1g-dev',/'zlib1g-dev', 'qt6-base-private-dev', 'libglib2.0-dev', 'libpng-dev', 'libjpeg-dev', 'libidn2-dev', 'libunistring-dev', 'publicsuffix',/" \
    "$source_root/recipes/demo/base.ini" > "$checkout/recipes/peers/base.ini"
grep -q libidn2-dev "$checkout/recipes/peers/base.ini" || fail "cannot add packages to the demo's base"
# The README's example of a build-machine tool stage, as a user copies it.
awk '/^\*\*Build-machine tools\.\*\*/ { found = 1 } found && /^```ini$/ { inside = 1; next }
     inside && /^```$/ { exit } inside' "$source_root/README.md" > "$checkout/recipes/peers/build_tools.ini"
grep -q "^builder = 'debian'" "$checkout/recipes/peers/build_tools.ini" ||
    fail "README.md has no build-machine tool stage example under **Build-machine tools.**"

say "the sysroot: the demo's base plus the peers' -dev packages, and the build-machine tools"
x build >/dev/null
x sysroot build_tools "$export_dir"
for file in cross.ini native.ini toolchain.cmake configure.env config.site emulator README bin/glib-mkenums; do
    [ -f "$export_dir/$file" ] || fail "xstage sysroot wrote no $file"
done
grep -q "stage build_tools, key $(x key build_tools)" "$export_dir/cross.ini" || fail "cross.ini does not name its origin"
sysroot=$export_dir/sysroot

unpack() {
    "$xstage" debian-source "$1" "$dir/src/$1"
}

# "N passed of N": the counts a suite printed, which the note reports.
counts() { printf '%s: %s\n' "$1" "$2"; }

say "libpsl: Meson, meson test"
psl=$(unpack libpsl)
meson setup --cross-file "$export_dir/cross.ini" --native-file "$export_dir/native.ini" -Druntime=libidn2 \
    -Dpsl_file="$sysroot/usr/share/publicsuffix/public_suffix_list.dat" \
    -Dpsl_testfile="$sysroot/usr/share/doc/publicsuffix/examples/test_psl.txt" \
    "$dir/psl" "$psl" >"$dir/psl-setup.log" 2>&1 || { tail -20 "$dir/psl-setup.log"; fail "libpsl: meson setup"; }
ninja -C "$dir/psl" >"$dir/psl-build.log" 2>&1 || { tail -20 "$dir/psl-build.log"; fail "libpsl: build"; }
meson test -C "$dir/psl" --num-processes 2 >"$dir/psl-test.log" 2>&1 || { cat "$dir/psl-test.log"; fail "libpsl: meson test"; }
ok=$(awk '/^Ok:/ { print $2 }' "$dir/psl-test.log")
[ "$ok" -ge 5 ] || fail "libpsl: only $ok tests ran"
grep -q "MESON_EXE_WRAPPER=$export_dir/emulator" "$dir/psl/meson-logs/testlog.txt" || fail "libpsl: tests did not run through the emulator"
counts libpsl "$ok of $ok meson tests passed"

say "Qt Image Formats: CMake, Qt tests under ctest"
imageformats=$(unpack qt6-imageformats)
cmake -G Ninja -DCMAKE_TOOLCHAIN_FILE="$export_dir/toolchain.cmake" -DQT_BUILD_TESTS=ON -DCMAKE_BUILD_TYPE=Release \
    -S "$imageformats" -B "$dir/imageformats" >"$dir/imageformats-setup.log" 2>&1 ||
    { tail -30 "$dir/imageformats-setup.log"; fail "qt6-imageformats: cmake"; }
ninja -C "$dir/imageformats" >"$dir/imageformats-build.log" 2>&1 ||
    { tail -20 "$dir/imageformats-build.log"; fail "qt6-imageformats: build"; }
(cd "$dir/imageformats" && "$xstage" run --sysroot "$export_dir" -- ctest -j2 -V) >"$dir/imageformats-test.log" 2>&1 ||
    { grep -v '^[0-9]*: PASS' "$dir/imageformats-test.log" | tail -60; fail "qt6-imageformats: ctest"; }
summary=$(grep -E '^100% tests passed' "$dir/imageformats-test.log") || fail "qt6-imageformats: no ctest summary"
qtest=$(sed -n 's/.*Totals: \([0-9]*\) passed.*/\1/p' "$dir/imageformats-test.log" | awk '{ sum += $1 } END { print sum }')
counts qt6-imageformats "$summary; $qtest QTest functions passed"

say "libpng: autotools and libtool, xstage run -- make check"
png=$(unpack libpng1.6)
mkdir -p "$dir/png"
(
    cd "$dir/png"
    . "$export_dir/configure.env"
    "$png/configure" --host=aarch64-linux-gnu >"$dir/png-configure.log" 2>&1 || { tail -20 "$dir/png-configure.log"; exit 1; }
    make -j2 >"$dir/png-build.log" 2>&1 || { tail -20 "$dir/png-build.log"; exit 1; }
    # Without xstage run, the kernel refuses the test programs.
    if make check TESTS=tests/pngtest-all >"$dir/png-native.log" 2>&1; then
        echo "make check passed without xstage run: is binfmt_misc registered?"
        exit 1
    fi
    grep -q "Exec format error" tests/pngtest-all.log || { tail tests/pngtest-all.log; exit 1; }
    # A size budget: every test but pngvalid's exhaustive sweeps and pngimage-full,
    # which take most of the suite's ten minutes under qemu and test libpng's
    # arithmetic, not how it was built; each still runs on a developer's machine.
    tests=$(printf 'print-tests:\n\t@echo $(TESTS)\n' | make -s -f Makefile -f - print-tests | tr ' ' '\n' |
        grep -v -e '^tests/pngvalid-' -e '^tests/pngimage-full$' | tr '\n' ' ')
    "$xstage" run -- make -j2 check TESTS="$tests" >"$dir/png-test.log" 2>&1 || { tail -40 "$dir/png-test.log"; exit 1; }
) || fail "libpng"
pass=$(awk '/^# PASS:/ { print $3 }' "$dir/png-test.log")
total=$(awk '/^# TOTAL:/ { print $3 }' "$dir/png-test.log")
[ "$pass" = "$total" ] && [ "$total" -ge 15 ] || fail "libpng: $pass of $total tests passed"
counts libpng "$pass of $total make check tests passed"

say "gdk-pixbuf: Meson, build-machine tools from a native debian stage"
pixbuf=$(unpack gdk-pixbuf)
PATH=/usr/bin:/bin command -v glib-compile-resources >/dev/null &&
    fail "the build machine has glib-compile-resources: this step would not show the stage's"
meson setup --cross-file "$export_dir/cross.ini" --native-file "$export_dir/native.ini" -Dman=false \
    -Dtiff=disabled -Dintrospection=disabled "$dir/pixbuf" "$pixbuf" >"$dir/pixbuf-setup.log" 2>&1 ||
    { tail -20 "$dir/pixbuf-setup.log"; fail "gdk-pixbuf: meson setup"; }
ninja -C "$dir/pixbuf" >"$dir/pixbuf-build.log" 2>&1 || { tail -20 "$dir/pixbuf-build.log"; fail "gdk-pixbuf: build"; }
# Meson's find_program('glib-compile-resources') took it from cross.ini (the
# build machine has none, checked above); the build runs these two.
for tool in glib-genmarshal glib-mkenums; do
    grep -q "$export_dir/bin/$tool" "$dir/pixbuf/build.ninja" || fail "gdk-pixbuf: the build does not run the stage's $tool"
done
file "$dir/pixbuf/gdk-pixbuf/libgdk_pixbuf-2.0.so.0."* | grep -q "ARM aarch64" || fail "gdk-pixbuf: no aarch64 library"
echo "ok: gdk-pixbuf configured and built with the stage's glib-compile-resources, glib-genmarshal and glib-mkenums"
