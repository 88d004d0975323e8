#!/usr/bin/env bash
# The demo's locked Debian base, end to end:
#  1. built from two empty caches on different cache roots, the second with
#     no network at all (a network namespace of its own) from a --sources
#     directory of the .debs the first downloaded: the same key and the same
#     layer digest;
#  2. one version changed in a copy of the lock: the key changes and
#     `xstage explain` names the package; the build refuses the .deb, whose
#     own control data names another version;
#  3. a locked version the archive lacks: the build fails naming the package
#     and version and how to re-lock, and nothing is cached.
# Usage: supply_chain.sh XSTAGE SOURCE_ROOT SCRATCH_DIR
source "$(dirname "$0")/common.sh"
work=$scratch/supply-chain
rm -rf "$work"
mkdir -p "$work"
# Each run its own cache home too: downloads and work directories are not shared.
x() { local home=$1; shift; XDG_CACHE_HOME=$work/$home "$xstage" "$@"; }
layer_of() { x "$1" --root "$source_root" --cache "$work/$2" cache ls | awk '$1 == "base" {print $2, $NF}'; }

say "the locked base from two empty caches: the second offline, from a --sources directory of .debs"
x home-a --root "$source_root" --cache "$work/cache-a" build base | tail -2
mkdir -p "$work/debs"
find "$work/home-a/xstage/downloads" -name '*.deb' -exec cp {} "$work/debs/" \;
debs=$(ls "$work/debs" | wc -l)
locked=$(grep -c '^package ' "$source_root/recipes/demo/base.lock")
[ "$debs" -eq "$locked" ] || fail "the build downloaded $debs .debs, the lock has $locked"
offline=()
if unshare -n true 2> /dev/null; then
    offline=(unshare -n)
else
    echo "note: no network namespace here (unshare -n); the second build may reach the network"
fi
"${offline[@]}" env XDG_CACHE_HOME="$work/home-b" "$xstage" --root "$source_root" --cache "$work/cache-b" \
    build base --sources "$work/debs" | tail -2
first=$(layer_of home-a cache-a)
second=$(layer_of home-b cache-b)
echo "cache a: $first"
echo "cache b: $second"
[ -n "$first" ] && [ "$first" = "$second" ] || fail "two builds of the locked base differ: '$first' vs '$second'"
echo "ok: the same key and layer digest from two empty caches, the second offline ($debs .debs from --sources)"

say "one version changed in the lock: another key, and explain names the package"
copy=$work/checkout
mkdir -p "$copy"
cp -r "$source_root/cross" "$source_root/recipes" "$source_root/examples" "$copy/"
line=$(grep '^package zlib1g ' "$copy/recipes/demo/base.lock")
version=$(awk '{print $3}' <<< "$line")
sed -i "s|^package zlib1g $version |package zlib1g $version+local1 |" "$copy/recipes/demo/base.lock"
before=$(x home-a --root "$source_root" key base)
after=$(x home-a --root "$copy" key base)
[ "$before" != "$after" ] || fail "changing zlib1g's locked version kept the key $before"
x home-a --root "$copy" --cache "$work/cache-a" explain base | tee "$work/explain.log"
grep -q "locked package zlib1g:arm64 changed from $version to $version+local1" "$work/explain.log" ||
    fail "explain does not name zlib1g"
echo "ok: key ${before:0:12} -> ${after:0:12}; explain names zlib1g"
# The .deb's digest still matches, but it is not the version the lock names.
if x home-a --root "$copy" --cache "$work/cache-d" build base > "$work/relabelled.log" 2>&1; then
    fail "a lock naming another version of the same .deb built"
fi
grep -q "zlib1g_.*\.deb is zlib1g $version arm64, the lock says zlib1g $version+local1 arm64" "$work/relabelled.log" ||
    fail "the build does not say which .deb is not what its lock line says: $(tail -3 "$work/relabelled.log")"
[ -z "$(ls -A "$work/cache-d/entries" 2> /dev/null)" ] || fail "the relabelled lock's stage was cached"
echo "ok: a lock line whose version is not its .deb's fails the build, nothing cached"

say "a locked version the archive lacks: refused, naming it, nothing cached"
gone="pool/main/z/zlib/zlib1g_1.2.13.dfsg-0_arm64.deb"
sed -i "s|^package zlib1g .*|package zlib1g 1:1.2.13.dfsg-0 arm64 82744 $(printf '0%.0s' {1..64}) $gone|" \
    "$copy/recipes/demo/base.lock"
if x home-a --root "$copy" --cache "$work/cache-c" build base > "$work/gone.log" 2>&1; then
    fail "a build with a version the archive lacks succeeded"
fi
cat "$work/gone.log"
grep -q "Debian's archive may no longer have zlib1g 1:1.2.13.dfsg-0 (arm64): re-lock with \`xstage lock base\`" \
    "$work/gone.log" || fail "the error does not name the package, its version and the re-lock"
[ -z "$(ls -A "$work/cache-c/entries" 2> /dev/null)" ] || fail "something was cached: $(ls "$work/cache-c/entries")"
find "$work/home-a/xstage/downloads" -name 'zlib1g_1.2.13.dfsg-0*' | grep -q . && fail "a partial download was left"
echo "ok: refused before building, nothing cached"
