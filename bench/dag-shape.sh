#!/usr/bin/env bash
# Serial against concurrent stage builds, on a DAG of the openterface
# pipeline's shape: base and the host tools independent, ffmpeg on base,
# qtbase on all three, five modules on qtbase (one on another module), the
# app on the modules, a runtime stage on nothing. base and runtime are real
# debian stages (mmdebstrap from the machine's apt mirror: downloads and
# disk, like their namesakes); every other stage is a real Meson cross build
# of a few compiles of bench/dag-shape/unit (ccache off, so each run compiles
# everything), sized roughly like its namesake.
# Each round builds the pipeline into an empty stage cache twice, with
# `--max-stages 1` (one stage after another, each with every job slot) and
# without (stages at once, sharing the slots), and prints both wall times.
# A benchmark, not a test: it prints what it measured and asserts nothing.
# Usage: bench/dag-shape.sh [ROUNDS] [JOBS]
#   XSTAGE (environment): the xstage program (default: build/src/xstage)
set -euo pipefail
cd "$(dirname "$0")/.."
xstage=$(realpath "${XSTAGE:-build/src/xstage}")
rounds=${1:-2}
jobs=${2:-$(nproc)}
work=$(mktemp -d /var/tmp/xstage-dag.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/project
mkdir -p "$root/recipes/shape"
cp -r cross "$root/"
cp -r bench/dag-shape/unit "$root/unit"

# quoted WORD...: "'a', 'b'", the body of a recipe's string array.
quoted() {
    local list=""
    for word in "$@"; do list+="${list:+, }'$word'"; done
    echo "$list"
}

# stage NAME UNITS PARENT...
stage() {
    local name=$1 units=$2
    shift 2
    local parents
    parents=$(quoted "$@")
    cat > "$root/recipes/shape/$name.ini" <<INI
[stage]
description = 'DAG benchmark: $name'
builder = 'meson'
parents = [$parents]

[source]
path = 'unit'

[options]
meson_args = ['-Dunits=$units', '-Dname=$name']
INI
}
# debian NAME PACKAGE...
debian() {
    local name=$1
    shift
    local packages
    packages=$(quoted "$@")
    cat > "$root/recipes/shape/$name.ini" <<INI
[stage]
description = 'DAG benchmark: $name'
builder = 'debian'

[options]
suite = 'bookworm'
architecture = 'arm64'
packages = [$packages]
INI
}
debian base libc6-dev zlib1g-dev libzstd-dev
stage qt_host 6
stage ffmpeg 4 base
stage qtbase 6 base ffmpeg qt_host
stage qtshadertools 2 qtbase
stage qtsvg 2 qtbase
stage qtserialport 1 qtbase
stage qtmultimedia 3 qtbase qtshadertools
stage qttools 3 qtbase
stage app 2 qtmultimedia qtserialport qtsvg qttools
debian runtime libzstd1 zlib1g

# run LABEL ARGS...: one build into an empty cache; prints the wall time.
run() {
    local label=$1
    shift
    rm -rf "$work/cache"
    local start=$(date +%s%N)
    CCACHE_DISABLE=1 "$xstage" --root "$root" --cache "$work/cache" --pipeline shape build -j "$jobs" "$@" \
        > "$work/$label.log" 2>&1 || { cat "$work/$label.log"; exit 1; }
    local ms=$(( ($(date +%s%N) - start) / 1000000 ))
    grep -q '11 stages: 11 built' "$work/$label.log" || { cat "$work/$label.log"; exit 1; }
    printf '%s %d.%03d s\n' "$label" $((ms / 1000)) $((ms % 1000))
}

echo "== 11 stages, -j $jobs, $rounds rounds ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
for round in $(seq "$rounds"); do
    run serial --max-stages 1
    run concurrent
done
echo "== the last concurrent run's table"
sed -n '/^stage /,$p' "$work/concurrent.log"
