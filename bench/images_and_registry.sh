#!/usr/bin/env bash
# Benchmark: time and peak memory of image export and of the registry stage
# cache, on the demo pipeline's cached stages:
#   image --oci (zstd: the cached blobs, hard-linked), image --oci --compression
#   gzip cold (transcoding) and warm (cached variants), cache push of every stage
#   to an empty local docker-registry, and cache pull of them into an empty cache.
# Usage: bench/images_and_registry.sh XSTAGE [CACHE_DIR]
# The cache must hold every stage (run `xstage build` first). It is not
# changed: the benchmark works on a hard-linked copy.
set -euo pipefail
xstage=$(realpath "$1")
source_cache=$(realpath "${2:-$HOME/.cache/xstage/cache}")
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /var/tmp/xstage-bench.XXXXXX)

# shellcheck source=tests/e2e/local_registry.sh
source "$root/tests/e2e/local_registry.sh"
trap 'for pid in "${registry_pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"' EXIT

cp -al "$source_cache" "$work/cache"
rm -rf "$work/cache/transcoded" # the cold gzip export below must transcode
start_registry "$work/registry"

# measure LABEL ARGS...: one run of xstage with ARGS, its wall time and peak RSS.
measure() {
    local label=$1
    shift
    /usr/bin/time -o "$work/time" -f '%e %M' "$xstage" --root "$root" "$@" > "$work/out.log" 2>&1 ||
        { cat "$work/out.log"; exit 1; }
    read -r seconds peak_kb < "$work/time"
    printf '%-40s %6.2f s  %4d MiB peak RSS   %s\n' "$label" "$seconds" $((peak_kb / 1024)) \
        "$(grep -E '^(wrote|pushed|pulled)' "$work/out.log" | head -1 | cut -c1-60)"
}

measure "image --oci (zstd)" --cache "$work/cache" image --oci "$work/zstd"
measure "image --oci --compression gzip (cold)" --cache "$work/cache" image --oci "$work/gzip1" --compression gzip
measure "image --oci --compression gzip (warm)" --cache "$work/cache" image --oci "$work/gzip2" --compression gzip
measure "cache push (empty registry)" --cache "$work/cache" cache push --registry "$registry_host/cache"
measure "cache push (again)" --cache "$work/cache" cache push --registry "$registry_host/cache"
measure "cache pull (empty cache)" --cache "$work/pulled" cache pull --registry "$registry_host/cache"
