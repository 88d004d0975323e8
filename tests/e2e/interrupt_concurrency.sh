#!/usr/bin/env bash
# Interruption and concurrency on the demo's app stage (a CMake build with
# tests under qemu, about 10 s), with real processes:
#  1. a loop of kills (SIGKILL, SIGTERM, SIGINT) at varied steps of the build
#     (sysroot extraction, configure, compile, tests under qemu), each
#     followed at once by a rebuild that must succeed; no process of a killed
#     build may outlive xstage (SIGTERM, SIGINT) or the rebuild (SIGKILL), and
#     the work directory keeps only the sysroot and the log;
#  2. two checkouts build the same app edit at once: one builds, the other
#     waits for it and uses its result; then two different edits at once:
#     both build, one after the other;
#  3. `cache gc` started during a build waits for it, and removes nothing
#     the build needs; `cache verify` is clean at the end;
#  4. a sysroot export onto a full disk (a 5 MiB tmpfs, as root) names the
#     entry, the layer and ENOSPC, and leaves the directory empty.
# Usage: interrupt_concurrency.sh XSTAGE SOURCE_ROOT SCRATCH_DIR (its cache,
# from demo_pipeline.sh, is copied; base and ffmpeg must be in it)
source "$(dirname "$0")/common.sh"
here=$scratch/interrupt
rm -rf "$here"
mkdir -p "$here"
# A cache and a work root of this test's own: XDG_CACHE_HOME moves the work
# root (and ccache's directory) below it.
cp -a "$cache" "$here/cache"
export XDG_CACHE_HOME=$here/xdg
for name in one two; do
    mkdir -p "$here/$name"
    cp -r "$source_root/cross" "$source_root/recipes" "$source_root/examples" "$here/$name/"
done
x() { local checkout=$1; shift; "$xstage" --root "$here/$checkout" --cache "$here/cache" "$@"; }
work=$XDG_CACHE_HOME/xstage/work/demo/app

# Processes still carrying the token of a build (see process/leftovers.hpp)
# of this test's own: other stage builds on the machine are not its business.
tagged() {
    local files
    files=$(grep -l 'XSTAGE_STAGE_TOKEN=' /proc/[0-9]*/environ 2>/dev/null | grep -v "/proc/$$/" || true)
    [ -z "$files" ] || grep -laF "XDG_CACHE_HOME=$XDG_CACHE_HOME" $files 2>/dev/null || true
}
# The work directory holds the kept sysroot and the log, nothing else.
only_sysroot_and_log() {
    local extra
    extra=$(ls -A "$work" | grep -vxE 'sysroot|host|sysroot.json|build.log' || true)
    [ -z "$extra" ] || fail "the work directory keeps $extra after $1"
}
evict_app() { rm -f "$here/cache/entries/$(x one key app).json"; }

say "kill loop: kills at varied steps, each followed at once by a rebuild"
x one build app > /dev/null # ccache warm: the loop measures the build itself
# Waits until the build's status names STEP (or the build ends).
wait_for_step() {
    local step=$1 pid=$2
    for _ in $(seq 600); do
        grep -q "app: $step" "$here/killed.log" && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}
kills=0
for trial in "KILL sysroot" "TERM cmake: configure" "KILL cmake: build" "INT cmake: test" "KILL cmake: test" \
    "TERM sysroot"; do
    read -r signal step <<< "$trial"
    evict_app
    [ "$step" = sysroot ] && rm -f "$work/sysroot.json" # extract the sysroot again
    setsid "$xstage" --root "$here/one" --cache "$here/cache" build app > "$here/killed.log" 2>&1 &
    builder=$!
    wait_for_step "$step" "$builder" || fail "the build ended before step '$step': $(tail -3 "$here/killed.log")"
    sleep 0.3
    kill -"$signal" "$builder"
    status=0
    wait "$builder" 2> /dev/null || status=$?
    kills=$((kills + 1))
    [ "$status" -ne 0 ] || fail "the build killed by SIG$signal in step '$step' exited 0"
    left=$(tagged | wc -l)
    if [ "$signal" != KILL ]; then
        grep -q "interrupted by signal" "$here/killed.log" || fail "SIG$signal was not reported: $(tail -3 "$here/killed.log")"
        [ "$left" -eq 0 ] || fail "$left processes of the build outlived xstage after SIG$signal"
    fi
    x one build app > "$here/rebuild.log" 2>&1 || fail "the rebuild after SIG$signal in '$step' failed: $(tail -5 "$here/rebuild.log")"
    grep -qE '^app +built' "$here/rebuild.log" || fail "app was not rebuilt"
    [ -z "$(tagged)" ] || fail "processes of a killed build outlived the rebuild: $(tagged)"
    only_sysroot_and_log "a rebuild"
    echo "ok: SIG$signal in step '$step' (exit $status, $left processes left running), then a rebuild: $(grep -E '^app ' "$here/rebuild.log" | awk '{print $2, $3}') $(grep -o 'stopped [0-9]* processes' "$here/rebuild.log" || true)"
done
[ "$kills" -ge 5 ] || fail "only $kills kills"

say "--keep-work keeps a failed build's trees, and cache gc trims them"
echo 'this is not C++' >> "$here/one/examples/framegrab/src/main.cpp"
if x one build app --keep-work > "$here/failed.log" 2>&1; then fail "a broken app built"; fi
[ -d "$work/src" ] || fail "--keep-work did not keep the source tree"
x one cache gc --max-size 10G | tee "$here/gc.log"
grep -q '^trimmed 1 work directory left by earlier builds' "$here/gc.log" || fail "gc did not trim the work directory"
only_sysroot_and_log "cache gc"
if x one build app > "$here/failed.log" 2>&1; then fail "a broken app built"; fi
only_sysroot_and_log "a failed build"
cp "$source_root/examples/framegrab/src/main.cpp" "$here/one/examples/framegrab/src/main.cpp"

say "two checkouts, the same edit, at once: one builds, the other uses its result"
for name in one two; do echo "// the same edit" >> "$here/$name/examples/framegrab/src/main.cpp"; done
x one build app > "$here/same-one.log" 2>&1 &
first=$!
sleep 0.2
x two build app > "$here/same-two.log" 2>&1 || fail "the second checkout's build failed: $(tail -5 "$here/same-two.log")"
wait "$first" || fail "the first checkout's build failed: $(tail -5 "$here/same-one.log")"
cat "$here/same-one.log" "$here/same-two.log" | grep -E "^app |waiting for stage"
grep -q "waiting for stage 'app' (pid [0-9]*)" "$here/same-one.log" "$here/same-two.log" || fail "no build waited for the other"
[ "$(cat "$here/same-one.log" "$here/same-two.log" | grep -cE '^app +built')" -eq 1 ] || fail "the same key was built twice"
[ "$(cat "$here/same-one.log" "$here/same-two.log" | grep -cE '^app +hit')" -eq 1 ] || fail "the waiting build did not use the result"

say "two checkouts, different edits, at once: both build"
echo "// edit one" >> "$here/one/examples/framegrab/src/main.cpp"
echo "// edit two" >> "$here/two/examples/framegrab/src/main.cpp"
x one build app > "$here/diff-one.log" 2>&1 &
first=$!
sleep 0.2
x two build app > "$here/diff-two.log" 2>&1 || fail "the second checkout's build failed: $(tail -5 "$here/diff-two.log")"
wait "$first" || fail "the first checkout's build failed: $(tail -5 "$here/diff-one.log")"
grep -qE '^app +built' "$here/diff-one.log" && grep -qE '^app +built' "$here/diff-two.log" || fail "both edits did not build"
for name in one two; do
    [ -f "$here/cache/entries/$(x "$name" key app).json" ] || fail "checkout $name's app is not cached"
done
echo "ok: both keys cached"

say "cache gc during a build waits for it"
evict_app
x one build app > "$here/gc-build.log" 2>&1 &
builder=$!
sleep 1
x one cache gc --max-size 10G > "$here/gc-during.log" 2>&1 || fail "gc failed: $(cat "$here/gc-during.log")"
wait "$builder" || fail "the build under gc failed: $(tail -5 "$here/gc-build.log")"
cat "$here/gc-during.log"
grep -q "waiting for the builds using $here/cache to finish" "$here/gc-during.log" || fail "gc did not wait for the build"
[ -f "$here/cache/entries/$(x one key app).json" ] || fail "the build's entry is gone after gc"
x one cache verify | tee "$here/verify.log"
grep -q ' 0 entries bad, 0 blobs bad, 0 stray files$' "$here/verify.log" || fail "cache verify is not clean"

say "a full disk during extraction names the entry and the reason, and leaves nothing"
if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$here/small"
    mount -t tmpfs -o size=5M tmpfs "$here/small"
    status=0
    x one sysroot ffmpeg "$here/small/out" > "$here/full.log" 2>&1 || status=$?
    left=$(ls -A "$here/small/out" 2>/dev/null || true)
    umount "$here/small"
    cat "$here/full.log"
    [ "$status" -eq 1 ] || fail "an export onto a full disk exited $status"
    grep -q "^xstage: error: cannot extract '.*' of layer .* into $here/small/out/sysroot: No space left on device" \
        "$here/full.log" || fail "the full disk is not reported with the entry and errno"
    [ -z "$left" ] || fail "the failed export left $left"
    echo "ok: the full disk is named and the export left empty"
else
    echo "skipped: mounting a small tmpfs needs root"
fi

echo
echo "interruption and concurrency end to end: all checks passed"
