#!/usr/bin/env bash
# Hostile inputs nobody here wrote, as regression cases (issue 24):
#  1. two locked Debian packages: the first leaves a directory symlink to the
#     build machine (absolute), the second ships a file below it. The build
#     is refused naming the package and the entry; nothing lands on the host,
#     nothing is cached;
#  2. registries that misbehave (tests/e2e/hostile_registry.py on 127.0.0.1):
#     one that drips 100 bytes every 30 s is given up at the low-speed limit
#     (1 KiB/s over 30 s), one that streams an endless error body is answered
#     at once, and Ctrl-C during a stalled pull ends xstage within a second.
# Usage: hostile_inputs.sh XSTAGE SOURCE_ROOT [SCRATCH_DIR]
source "$(dirname "$0")/common.sh"
work=$scratch/hostile
rm -rf "$work"
mkdir -p "$work"

say "a locked package writing through another package's symlink onto the build machine"
copy=$work/checkout
mkdir -p "$copy/recipes/evil" "$work/debs" "$work/host"
cp -r "$source_root/cross" "$copy/"
# make_deb NAME: a package from $work/pkg/NAME (dpkg-deb, as a mirror would serve it)
make_deb() {
    mkdir -p "$work/pkg/$1/DEBIAN"
    printf 'Package: %s\nVersion: 1.0\nArchitecture: arm64\nMaintainer: x <x@example.org>\nDescription: x\n' \
        "$1" > "$work/pkg/$1/DEBIAN/control"
    dpkg-deb --root-owner-group -Zxz --build "$work/pkg/$1" "$work/debs/${1}_1.0_arm64.deb" > /dev/null
}
mkdir -p "$work/pkg/evil-link/usr/lib" "$work/pkg/evil-payload/usr/lib/evil-link"
ln -s "$work/host" "$work/pkg/evil-link/usr/lib/evil-link"
echo owned > "$work/pkg/evil-payload/usr/lib/evil-link/owned"
make_deb evil-link
make_deb evil-payload
cat > "$copy/recipes/evil/base.ini" <<'INI'
[stage]
description = 'two packages, the second writing through a symlink of the first'
builder = 'debian'
[options]
suite = 'bookworm'
architecture = 'arm64'
packages = ['evil-link', 'evil-payload']
INI
{
    printf 'suite bookworm\narchitecture arm64\nrequest evil-link\nrequest evil-payload\n'
    for name in evil-link evil-payload; do
        deb=$work/debs/${name}_1.0_arm64.deb
        printf 'package %s 1.0 arm64 %s %s pool/main/e/%s/%s\n' "$name" "$(stat -c %s "$deb")" \
            "$(sha256sum "$deb" | cut -d' ' -f1)" "$name" "${deb##*/}"
    done
} > "$copy/recipes/evil/base.lock"
if "$xstage" --root "$copy" --pipeline evil --cache "$work/cache" build base --sources "$work/debs" \
    > "$work/deb.log" 2>&1; then
    fail "the build with a package writing through a symlink succeeded"
fi
cat "$work/deb.log" | tail -3
grep -q "refusing package evil-payload 1.0 arm64 (evil-payload_1.0_arm64.deb): entry '\./usr/lib/evil-link/' is written through the symlink 'usr/lib/evil-link'" \
    "$work/deb.log" || fail "the refusal does not name the package and the entry"
[ -z "$(ls -A "$work/host")" ] || fail "the package wrote onto the build machine: $(ls "$work/host")"
[ -z "$(ls -A "$work/cache/entries" 2> /dev/null)" ] || fail "the refused base was cached"
echo "ok: refused, naming the package and the entry; nothing written outside the tree, nothing cached"

# serve MODE: starts hostile_registry.py; sets $server_pid and $registry
serve() {
    rm -f "$work/port"
    python3 "$source_root/tests/e2e/hostile_registry.py" "$1" "$work/port" &
    server_pid=$!
    for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
    registry=127.0.0.1:$(cat "$work/port")/stages
}
trap 'kill "${server_pid:-}" 2> /dev/null || true' EXIT
pull() { "$xstage" --root "$source_root" --cache "$work/pulled" cache pull --registry "$registry"; }


# refused_within MODE SECONDS PATTERN: a pull from a MODE registry fails
# within SECONDS, saying PATTERN.
refused_within() {
    serve "$1"
    local start=$SECONDS took
    pull > "$work/$1.log" 2>&1 && fail "a pull from the $1 registry succeeded"
    took=$((SECONDS - start))
    kill "$server_pid"
    tail -2 "$work/$1.log"
    grep -q "$3" "$work/$1.log" || fail "the pull from the $1 registry does not say: $3"
    [ "$took" -le "$2" ] || fail "the pull from the $1 registry took ${took}s (limit ${2}s)"
    echo "ok: stopped after ${took}s"
}

say "a registry that drips 100 bytes every 30 s: given up at the low-speed limit (1 KiB/s over 30 s)"
refused_within drip 45 "unreachable or failing: .*too slow"

say "a registry answering 500 with an endless body: answered at once"
refused_within endless 10 "unreachable or failing: .*returned HTTP 500"

say "Ctrl-C during a pull from a registry that stalls: xstage ends within a second"
serve stall
# xstage itself in the background, not a function's subshell: the signal is
# for xstage.
"$xstage" --root "$source_root" --cache "$work/pulled" cache pull --registry "$registry" > "$work/stall.log" 2>&1 &
pull_pid=$!
sleep 2
kill -0 "$pull_pid" || fail "the pull from a stalled registry ended before the signal"
kill -INT "$pull_pid"
start=$(date +%s%N)
status=0
wait "$pull_pid" || status=$?
ms=$((($(date +%s%N) - start) / 1000000))
kill "$server_pid"
tail -2 "$work/stall.log"
[ "$status" -ne 0 ] || fail "the interrupted pull exited 0"
grep -q "interrupted by signal 2" "$work/stall.log" || fail "the pull does not say it was interrupted"
[ "$ms" -le 1500 ] || fail "the pull took ${ms} ms to end after SIGINT"
echo "ok: ended ${ms} ms after SIGINT (exit $status)"
