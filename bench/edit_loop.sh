#!/usr/bin/env bash
# The demo's edit loop: one app source edited, to a new app layer, RUNS
# times each way:
#   kept:   the app's sysroot kept from its last build is reused (today);
#   before: the kept sysroot's record is removed first, so the 716 MB sysroot
#           is extracted again, as every build did before sysroots were kept.
# Each run appends a different comment to main.cpp in a copy of the
# checkout, so each is a real rebuild (compile from ccache, link, tests
# under qemu, layer). A benchmark, not a test: it prints what it measured.
# Usage: bench/edit_loop.sh XSTAGE [CACHE_DIR] [RUNS]
# The cache must hold base and ffmpeg (run `xstage build` once first).
set -euo pipefail
xstage=$(realpath "$1")
cache=${2:-$HOME/.cache/xstage/cache}
runs=${3:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /var/tmp/xstage-edit.XXXXXX)
trap 'rm -rf "$work"' EXIT
checkout=$work/checkout
mkdir -p "$checkout"
cp -r "$root/cross" "$root/recipes" "$root/examples" "$checkout/"
x() { "$xstage" --root "$checkout" --cache "$cache" "$@"; }
kept_record=${XDG_CACHE_HOME:-$HOME/.cache}/xstage/work/demo/app/sysroot.json
x build app > /dev/null

edit=0
# one MODE: edits, builds, prints the wall time in ms.
one() {
    edit=$((edit + 1))
    echo "// edit $edit $$" >> "$checkout/examples/framegrab/src/main.cpp"
    [ "$1" = before ] && rm -f "$kept_record"
    local start=$(date +%s%N)
    x build app > "$work/run.log"
    local ms=$(( ($(date +%s%N) - start) / 1000000 ))
    grep -qE '^app +built' "$work/run.log" || { cat "$work/run.log"; exit 1; }
    if [ "$1" = kept ]; then
        grep -q 'app: sysroot (kept from the last build)' "$work/run.log" || { echo "the sysroot was not kept"; exit 1; }
    fi
    echo "$ms"
}
report() {
    local sorted=($(printf '%s\n' "${@:2}" | sort -n))
    echo "$1: ${#sorted[@]} runs: min ${sorted[0]} ms, median ${sorted[$((${#sorted[@]} / 2))]} ms, max ${sorted[-1]} ms"
}
before=() kept=()
for _ in $(seq "$runs"); do
    before+=($(one before))
    kept+=($(one kept))
done
report "re-extracting the sysroot (before)" "${before[@]}"
report "reusing the kept sysroot (now)" "${kept[@]}"
