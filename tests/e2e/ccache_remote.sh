#!/usr/bin/env bash
# ccache's remote storage through xstage's one setting (--ccache-remote, or
# XSTAGE_CCACHE_REMOTE), against Debian's real redis-server on 127.0.0.1
# (started here on a free port, stopped on exit):
#  1. the demo's ffmpeg is rebuilt with the machine's ccache and the remote
#     (CCACHE_RESHARE: local hits are written to redis too);
#  2. it is rebuilt again in an empty local ccache directory: most compiles
#     come from redis, and xstage's ccache column says how many.
# Usage: ccache_remote.sh XSTAGE SOURCE_ROOT SCRATCH_DIR (reuses the cache
# there, which must hold the demo's base)
source "$(dirname "$0")/common.sh"
work=$scratch/ccache-remote
rm -rf "$work"
mkdir -p "$work"
x() { "$xstage" --root "$source_root" "$@"; }

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$work" \
    --logfile "$work/redis.log" --daemonize yes --pidfile "$work/redis.pid"
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true' EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
remote=redis://127.0.0.1:$port
echo "redis at $remote"

ffmpeg_key=$(x --cache "$cache" key ffmpeg)
# A stage cache holding what $cache holds but ffmpeg, so ffmpeg builds again.
cache_without_ffmpeg() {
    rm -rf "$1"
    cp -al "$cache" "$1"
    rm -f "$1/entries/$ffmpeg_key.json"
}
# The ffmpeg row's ccache column of a build log: "HITS/CALLS (P%, N remote)".
ffmpeg_ccache() { awk '$1 == "ffmpeg" && $2 == "built" { sub(/.*B  /, ""); sub(/  +[0-9a-f]+$/, ""); print }' "$1"; }

say "ffmpeg with the machine's ccache, resharing into redis"
x --cache "$cache" build ffmpeg > /dev/null # base and ffmpeg are there
cache_without_ffmpeg "$work/cache1"
CCACHE_RESHARE=1 x --cache "$work/cache1" build ffmpeg --ccache-remote "$remote" | tee "$work/fill.log"
echo "redis holds $(redis-cli -p "$port" dbsize) keys"

say "ffmpeg in an empty local ccache: served by redis"
cache_without_ffmpeg "$work/cache2"
CCACHE_DIR=$work/empty-ccache XSTAGE_CCACHE_REMOTE=$remote x --cache "$work/cache2" build ffmpeg |
    tee "$work/remote.log"
column=$(ffmpeg_ccache "$work/remote.log")
[ -n "$column" ] || fail "no ccache column for ffmpeg"
read -r hits calls remote_hits < <(sed -E 's#^([0-9]+)/([0-9]+) \([0-9]+%(, ([0-9]+) remote)?\)$#\1 \2 \4#' <<<"$column")
remote_hits=${remote_hits:-0}
[ "$calls" -gt 0 ] && [ $((remote_hits * 2)) -gt "$calls" ] ||
    fail "ffmpeg got $remote_hits of $calls compiles from redis ($column)"
[ "$(cached_layer "$work/cache2" ffmpeg)" = "$(cached_layer "$cache" ffmpeg)" ] ||
    fail "ffmpeg built from redis differs from the cached layer"
echo "ok: ffmpeg in an empty local ccache: $remote_hits of $calls compiles from redis ($((remote_hits * 100 / calls))%), the same layer"
