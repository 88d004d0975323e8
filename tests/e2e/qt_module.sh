#!/usr/bin/env bash
# The production pipeline's machinery on something small enough for CI: a
# pipeline made of the openterface pipeline's own qt_version option and Qt
# 6.4.2 source table, the demo's base, and
#  1. one Qt module stage (qtshadertools) built from Debian's 6.4.2 orig
#     tarball, read through xstage's own apt configuration, against the demo
#     base (Debian's arm64 Qt 6.4.2, plus its private headers), then a hit;
#  2. a git source served from a local mirror directory (--sources) while its
#     recipe URL is unreachable;
#  3. an option value whose sources cannot be had stops at source resolution,
#     naming every place tried and the pins, and caches nothing;
#  4. explain names the option that changed.
# Usage: qt_module.sh XSTAGE SOURCE_ROOT [SCRATCH_DIR]  (reuses SCRATCH_DIR/cache from demo_pipeline.sh)
source "$(dirname "$0")/common.sh"
checkout=$scratch/qt-module
pipeline=$checkout/recipes/qtmodule
x() { "$xstage" --root "$checkout" --cache "$cache" --pipeline qtmodule "$@"; }
entries() { find "$cache/entries" -name '*.json' 2>/dev/null | wc -l; }

rm -rf "$checkout"
mkdir -p "$pipeline/sources" "$checkout/mirrors"
cp -r "$source_root/cross" "$checkout/"
# The demo's base, plus the private Qt headers a Qt module builds against.
sed "s/'qt6-base-dev',/'qt6-base-dev', 'qt6-base-private-dev',/" "$source_root/recipes/demo/base.ini" > "$pipeline/base.ini"
grep -q qt6-base-private-dev "$pipeline/base.ini" || fail "cannot add qt6-base-private-dev to the base"
cp "$source_root/recipes/openterface/sources/qt-6.4.2.ini" "$pipeline/sources/"
# The shipped option, with a second value whose table has no reachable source.
sed -n '/^\[qt_version\]/,/^help/p' "$source_root/recipes/openterface/options.ini" |
    sed "s/choices = .*/choices = ['6.4.2', '6.5.3']/; s/default = .*/default = '6.4.2'/" > "$pipeline/options.ini"
cat > "$pipeline/sources/qt-6.5.3.ini" <<'EOF'
[qtshadertools]
url = 'http://unreachable.example.invalid/qtshadertools-everywhere-src-6.5.3.tar.xz'
sha256 = '201b7b3a409f048e78c5defb90a70af423166313ad4386f8e6b83990ae0f3573'
EOF
# A target Qt module over Debian's arm64 Qt, with Debian's x86_64 Qt as host tools.
cat > "$pipeline/qtshadertools.ini" <<'EOF'
[stage]
description = 'Qt ' + qt_version + ' qtshadertools for aarch64'
builder = 'cmake'
parents = ['base']
version = qt_version

[source]
table = 'qt-' + qt_version

[options]
prefix = '/opt/qt6'
host_path = '/usr'
cmake_args = ['-DCMAKE_BUILD_TYPE=Release', '-DQT_BUILD_EXAMPLES=OFF', '-DQT_BUILD_TESTS=OFF']
EOF
# A git source whose URL does not resolve, served by a repository in a mirror directory.
hello=$checkout/mirrors/hello
git init --quiet "$hello"
printf 'cmake_minimum_required(VERSION 3.16)\nproject(hello C)\nadd_executable(hello hello.c)\ninstall(TARGETS hello)\n' > "$hello/CMakeLists.txt"
printf '#include <stdio.h>\nint main(void) { puts("hello from git"); return 0; }\n' > "$hello/hello.c"
git -C "$hello" add . && git -C "$hello" -c user.name=ci -c user.email=ci@example.org commit --quiet -m hello
commit=$(git -C "$hello" rev-parse HEAD)
cat > "$pipeline/hello.ini" <<EOF
[stage]
description = 'hello from a git mirror'
builder = 'cmake'
parents = ['base']

[source]
git = 'https://git.example.invalid/hello.git'
commit = '$commit'

[options]
prefix = '/opt/hello'
EOF

say "plan shows the option in effect"
x plan | tee "$scratch/qt-plan.log"
grep -q "^option qt_version = '6.4.2'" "$scratch/qt-plan.log" || fail "plan does not show qt_version"

say "qtshadertools from Debian's 6.4.2 source, and hello from the git mirror"
x build --sources "$checkout/mirrors" | tee "$scratch/qt-build.log"
grep -q '3 stages: 3 built, 0 hits' "$scratch/qt-build.log" || fail "expected three stages built"
file -L "$(x sysroot hello "$scratch/hello-sysroot" >/dev/null && echo "$scratch/hello-sysroot/sysroot/opt/hello/bin/hello")" |
    grep -q 'ARM aarch64' || fail "hello is not an aarch64 program"
qemu-aarch64-static -L "$scratch/hello-sysroot/sysroot" "$scratch/hello-sysroot/sysroot/opt/hello/bin/hello" |
    grep -qx 'hello from git' || fail "hello did not run under qemu"
echo "ok: hello built from the mirror's commit and ran under qemu"
x build | grep -q '3 stages: 0 built, 3 hits' || fail "second run was not all hits"
echo "ok: second run all hits"

say "an option value whose source cannot be had stops before anything builds"
before=$(entries)
status=0
x -D qt_version=6.5.3 build > "$scratch/qt-missing.log" 2>&1 || status=$?
cat "$scratch/qt-missing.log"
[ "$status" -eq 1 ] || fail "expected exit 1, got $status"
grep -q "1 of the sources to build could not be resolved; nothing was built" "$scratch/qt-missing.log" ||
    fail "no source-resolution summary"
grep -q "sha256 201b7b3a409f048e78c5defb90a70af423166313ad4386f8e6b83990ae0f3573" "$scratch/qt-missing.log" ||
    fail "the pin is not named"
grep -q "http://unreachable.example.invalid/qtshadertools-everywhere-src-6.5.3.tar.xz: " "$scratch/qt-missing.log" ||
    fail "the URL tried is not named"
[ "$(entries)" -eq "$before" ] || fail "the cache changed"
echo "ok: nothing cached ($before entries before and after)"

say "explain names the option"
x -D qt_version=6.5.3 explain qtshadertools | tee "$scratch/qt-explain.log"
grep -q "option qt_version changed from 6.4.2 to 6.5.3" "$scratch/qt-explain.log" || fail "explain does not name the option"
echo "ok: qt module pipeline"
