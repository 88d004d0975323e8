#!/usr/bin/env bash
# The test command: installs what the project needs on Debian bookworm, then
# builds and runs the unit tests natively under sanitizers, and cross-built
# for aarch64 under qemu, then runs the end-to-end scripts (the demo
# pipeline, a Qt module, images, the registry cache, ccache's remote
# storage), checks the GitHub workflows and runs their sequence locally
# (ci/local-pipeline demo). Build directories go under $XSTAGE_BUILD_ROOT
# (default: the checkout's _ci/).
set -euo pipefail
cd "$(dirname "$0")/.."
build_root=${XSTAGE_BUILD_ROOT:-_ci}

# Each step names its start time and the free space left: a full disk makes
# later steps fail in ways that do not say so (a registry answers HTTP 500).
step() {
    printf '\n== %s (%ds, %s free)\n' "$*" "$SECONDS" "$(df -h --output=avail . | tail -1 | tr -d ' ')"
}

# A run needs about 20 GB: the sanitized and fuzzing builds, the stage cache,
# sysroots, images and a registry. Refuse up front, naming the number, rather
# than fail half an hour in.
need_gb=20
free_gb=$(($(df --output=avail -k . | tail -1) / 1024 / 1024))
if [ "$free_gb" -lt "$need_gb" ]; then
    echo "ci/test.sh: $free_gb GB free under $PWD; a run needs about $need_gb GB" >&2
    exit 1
fi

# meson setup BUILD_DIR [ARGS...], reconfiguring a directory that exists.
setup() {
    local dir=$1
    shift
    if [ -d "$dir/meson-private" ]; then
        meson setup --reconfigure "$@" "$dir" >/dev/null
    else
        meson setup "$@" "$dir" >/dev/null
    fi
}

# ccache serves compiles from any clone of the project: paths under the
# checkout are hashed relative to it, and the working directory (recorded in
# debug info) is left out of the hash. Debug info may then name another
# clone's directory, which does not matter for a test run.
export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1

step "installing host packages"
bash toolchain/setup.sh

# CI builds treat warnings as errors; a developer's build does not.
werror=false
[ "${CI:-}" = true ] && werror=true

step "format check"
clang-format --dry-run --Werror src/*/*.cpp src/*/*.hpp src/main.cpp tests/*.cpp tests/*.hpp fuzz/*.cpp fuzz/*.hpp

step "include check"
python3 ci/check-includes.py

step "native build and tests, under address and undefined-behaviour sanitizers"
# One build serves the unit tests and every end-to-end script below, so each
# xstage command CI runs is checked by the sanitizers, and the project is
# compiled once for the build machine, not twice. GCC 12 reports false
# maybe-uninitialized warnings in <regex> (used by Catch2) when sanitizers are
# on; that one warning is not an error here.
setup "$build_root/native" -Dwerror=$werror -Db_sanitize=address,undefined -Db_lundef=false \
    -Dcpp_args=-Wno-maybe-uninitialized
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# Sanitized programs start and fork more slowly: the time limits scale.
ASAN_OPTIONS=detect_leaks=1 meson test -C "$build_root/native" --print-errorlogs --timeout-multiplier 3

step "fuzzing: libFuzzer harnesses (clang, address and undefined-behaviour sanitizers), 20 s each"
# Warnings are the gcc builds' to enforce; clang's differ in detail.
CC=clang CXX=clang++ setup "$build_root/fuzz" -Dfuzz=true -Dtests=false -Dwerror=false \
    -Db_sanitize=address,undefined -Db_lundef=false
meson compile -C "$build_root/fuzz" $(for h in machine_file recipe layer elf registry cache_entry; do echo "fuzz/fuzz_$h"; done)
bash ci/fuzz.sh "$build_root/fuzz" 20
rm -rf "$build_root/fuzz"

step "aarch64 cross build, tests under qemu"
# Only the unit tests: the xstage program of a cross build is the build
# machine's, which the native step has tested.
setup "$build_root/aarch64" -Dwerror=$werror -Dbuildtype=debug --cross-file cross/aarch64.ini
meson compile -C "$build_root/aarch64" tests/xstage_tests
meson test -C "$build_root/aarch64" --no-rebuild --print-errorlogs
file "$build_root/aarch64/tests/xstage_tests"
file "$build_root/aarch64/tests/xstage_tests" | grep -q 'ARM aarch64'
rm -rf "$build_root/aarch64"

# The end-to-end scripts run the native build's sanitized xstage. They
# interrupt and kill it on purpose, and a process stopped mid-work leaves
# memory behind that is not a leak.
export ASAN_OPTIONS=detect_leaks=0

step "demo pipeline end to end (real builds, cache, qemu)"
rm -rf "$build_root/e2e"
bash tests/e2e/demo_pipeline.sh "$build_root/native/src/xstage" . "$build_root/e2e"

step "supply chain: the locked base from two empty caches (one offline, --sources), a changed lock, a version the archive lacks"
bash tests/e2e/supply_chain.sh "$build_root/native/src/xstage" . "$build_root/e2e"

step "hostile inputs: a package pair writing through a symlink, registries that drip, stall and never end"
bash tests/e2e/hostile_inputs.sh "$build_root/native/src/xstage" . "$build_root/e2e"

step "the shipped locks against Debian's archive today (findings are printed, not failures)"
for pipeline in demo openterface; do
    "$build_root/native/src/xstage" --pipeline "$pipeline" lock --check ||
        echo "note: the lock check of pipeline $pipeline could not ask the archive"
done

step "interruption and concurrency: a kill loop, two checkouts at once, gc during a build"
bash tests/e2e/interrupt_concurrency.sh "$build_root/native/src/xstage" . "$build_root/e2e"

step "a Qt module stage, a git mirror and pipeline options end to end"
bash tests/e2e/qt_module.sh "$build_root/native/src/xstage" . "$build_root/e2e"

step "the compiler confined to the sysroot: nothing linked from the build machine (ld --trace)"
bash tests/e2e/sysroot_confined.sh "$build_root/native/src/xstage" . "$build_root/e2e"

step "the user's flags beside the sysroot's (CMake, Meson, configure); a threaded test under cross/aarch64.ini"
bash tests/e2e/user_flags.sh "$build_root/native/src/xstage" . "$build_root/e2e"

step "peer projects from Debian's sources against an exported sysroot: meson test, ctest, xstage run -- make check"
bash tests/e2e/peer_projects.sh "$build_root/native/src/xstage" . "$build_root/e2e"

step "runtime images end to end (skopeo, umoci, qemu)"
bash tests/e2e/images.sh "$build_root/native/src/xstage" . "$build_root/e2e"

step "the demo app's Debian package: reproducible, lintian, apt resolves it, it runs from /usr/bin (qemu)"
bash tests/e2e/package.sh "$build_root/native/src/xstage" . "$build_root/e2e"

step "registry stage cache and image push end to end (docker-registry on 127.0.0.1)"
bash tests/e2e/registry.sh "$build_root/native/src/xstage" . "$build_root/e2e"

step "ccache remote storage end to end (redis-server on 127.0.0.1)"
bash tests/e2e/ccache_remote.sh "$build_root/native/src/xstage" . "$build_root/e2e"

step "the GitHub workflows: actionlint, schema, ci/ scripts, keys"
XSTAGE=$(realpath "$build_root/native/src/xstage") ci/lint-workflows

step "the workflow's sequence locally: ci/local-pipeline demo (build, restore, pull from a registry)"
XSTAGE_BUILD_DIR=$build_root/native XSTAGE=$(realpath "$build_root/native/src/xstage") ci/local-pipeline demo

step "all test suites passed"
