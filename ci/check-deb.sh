#!/usr/bin/env bash
# Tries a .deb as a user of a stock Debian arm64 system would, without
# emulating the install:
#  1. lintian finds no error in it (warnings are printed, not fatal);
#  2. apt resolves its Depends against an empty arm64 system (a private
#     configuration over the machine's sources and lists: an empty dpkg
#     status, arm64 only, its own download directory) and downloads them;
#  3. they and the package are unpacked into a fresh root, as mmdebstrap's
#     extract variant does (no maintainer scripts: they would need emulation);
#  4. the installed program runs from its installed path under qemu, with no
#     LD_LIBRARY_PATH: to completion (exit 0), or, with --stays-up SECONDS,
#     until the timeout (an exit before it fails).
# @ROOT@ in the program's arguments stands for the root.
# Usage: ci/check-deb.sh DEB WORK_DIR [--stays-up SECONDS] -- PROGRAM [ARG...]
set -euo pipefail
deb=$(realpath "${1:?usage: ci/check-deb.sh DEB WORK_DIR [--stays-up SECONDS] -- PROGRAM [ARG...]}")
work=${2:?usage: ci/check-deb.sh DEB WORK_DIR [--stays-up SECONDS] -- PROGRAM [ARG...]}
shift 2
stays_up=""
if [ "${1:-}" = --stays-up ]; then
    stays_up=$2
    shift 2
fi
[ "${1:-}" = -- ] && shift
program=${1:?check-deb: no program to run}
shift
fail() { echo "check-deb: FAIL: $*"; exit 1; }

rm -rf "$work"
mkdir -p "$work/apt/archives/partial" "$work/root"
root=$(realpath "$work/root")
name=$(dpkg-deb --field "$deb" Package)

# Overridden tags are shown (O:) but are not errors; with --show-overrides,
# lintian's own exit status counts them, so the verdict is its E: lines.
lintian --fail-on none --show-overrides --tag-display-limit 0 "$deb" > "$work/lintian.txt" 2>&1 ||
    { cat "$work/lintian.txt"; fail "lintian could not check $deb"; }
if grep -q '^E:' "$work/lintian.txt"; then
    cat "$work/lintian.txt"
    fail "lintian found errors in $deb"
fi
echo "check-deb: lintian: no errors ($(grep -c '^W:' "$work/lintian.txt" || true) warnings," \
    "$(grep -c '^O:' "$work/lintian.txt" || true) overridden)"

: > "$work/apt/status"
apt_options=(-o "Dir::State::status=$work/apt/status" -o "Dir::Cache::archives=$(realpath "$work/apt/archives")"
    -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o APT::Architecture=arm64
    -o APT::Architectures::=arm64 -o Debug::NoLocking=1 -o APT::Install-Recommends=false)
apt-get "${apt_options[@]}" install --download-only --yes "$deb" > "$work/apt.log" 2>&1 ||
    { cat "$work/apt.log"; fail "apt could not resolve the Depends of $name"; }
count=0
for package in "$work"/apt/archives/*.deb "$deb"; do
    dpkg-deb --extract "$package" "$root"
    count=$((count + 1))
done
echo "check-deb: apt resolved $name's Depends to $((count - 1)) packages; $count unpacked into $root"

[ -f "$root$program" ] || fail "$program is not in the installed root"
args=()
for arg in "$@"; do
    args+=("${arg//@ROOT@/$root}")
done
# qemu-user's -L does not redirect Qt's scan of its plugin directory (a
# device needs none of this): point Qt at the root's.
run=(qemu-aarch64-static -L "$root" -E QT_QPA_PLATFORM=offscreen
    -E "QT_PLUGIN_PATH=$root/usr/lib/aarch64-linux-gnu/qt6/plugins" "$root$program" "${args[@]}")
if [ -n "$stays_up" ]; then
    status=0
    timeout "$stays_up" "${run[@]}" > "$work/run.log" 2>&1 || status=$?
    [ "$status" -eq 124 ] || { tail -n 30 "$work/run.log"; fail "$program exited with $status before ${stays_up} s"; }
    echo "check-deb: $program ran ${stays_up} s from the installed root under qemu until the timeout: pass"
else
    timeout 300 "${run[@]}" > "$work/run.log" 2>&1 || { cat "$work/run.log"; fail "$program failed"; }
    echo "check-deb: $program ran from the installed root under qemu: $(tail -n 1 "$work/run.log")"
fi
