#!/usr/bin/env bash
# Benchmark: `xstage build` of a pipeline whose stages are all cached (the
# "second run" target: under 2 seconds), and peak memory of one such run.
# Usage: bench/all_hits.sh XSTAGE [CACHE_DIR] [RUNS]
# The cache must already hold every stage (run `xstage build` once first).
set -euo pipefail
xstage=$(realpath "$1")
cache=${2:-$HOME/.cache/xstage/cache}
runs=${3:-10}
root=$(cd "$(dirname "$0")/.." && pwd)

times=()
for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$xstage" --root "$root" --cache "$cache" build > /tmp/xstage-bench.log
    times+=($(( ($(date +%s%N) - start) / 1000000 )))
    grep -q ' 0 built' /tmp/xstage-bench.log || { echo "not all hits:"; cat /tmp/xstage-bench.log; exit 1; }
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
peak_kb=$(/usr/bin/time -f '%M' "$xstage" --root "$root" --cache "$cache" build 2>&1 >/dev/null | tail -1)
echo "all-hits build, $runs runs: min ${sorted[0]} ms, median ${sorted[$((runs / 2))]} ms, max ${sorted[-1]} ms"
echo "peak RSS of one run: $((peak_kb / 1024)) MiB"
