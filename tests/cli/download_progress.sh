#!/usr/bin/env bash
# `xstage build` shows a download of a few MB as it arrives: the file's name,
# bytes and share, and a last line with its size and time. The source is
# served from 127.0.0.1 (python3's http.server) and pinned to a wrong digest,
# so the build stops at the checksum check, after the whole download, and
# nothing else is needed to build.
# Usage: download_progress.sh XSTAGE SOURCE_ROOT
set -euo pipefail
xstage=$(realpath "$1")
source_root=$(realpath "$2")
dir=$(mktemp -d)
server=""
trap '[ -z "$server" ] || kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

mkdir -p "$dir/served" "$dir/checkout/recipes/dl" "$dir/home"
cp -r "$source_root/cross" "$dir/checkout/"
head -c 6000000 /dev/urandom > "$dir/served/big.tar.gz"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$dir/served" "$port" > "$dir/server.log" 2>&1 &
server=$!
python3 - "$port" <<'PY'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        break
    except OSError:
        time.sleep(0.1)
PY
cat > "$dir/checkout/recipes/dl/big.ini" <<INI
[stage]
description = 'a source of 6 MB'
builder = 'cmake'

[source]
url = 'http://127.0.0.1:$port/big.tar.gz'
sha256 = '$(printf '0%.0s' $(seq 64))'
INI

status=0
XDG_CACHE_HOME=$dir/home "$xstage" --root "$dir/checkout" --pipeline dl --cache "$dir/cache" build \
    > "$dir/out.log" 2> "$dir/err.log" || status=$?
cat "$dir/out.log" "$dir/err.log"
[ "$status" -eq 1 ] || fail "exit $status, not 1"
grep -q 'checksum mismatch for big.tar.gz' "$dir/err.log" || fail "no checksum mismatch"
grep -qE '^fetching big\.tar\.gz: [0-9.]+ [kM]?B of 6\.0 MB \([0-9]+%\)' "$dir/out.log" ||
    fail "no line while big.tar.gz arrived"
grep -qE '^fetched big\.tar\.gz: 6\.0 MB in [0-9.]+s' "$dir/out.log" || fail "no line when big.tar.gz had arrived"
echo "ok: the 6 MB download was shown as it arrived and when it had"
