#!/usr/bin/env bash
# The CLI reports bad input once, as "xstage: error: ...", with exit status 1.
# Usage: errors.sh XSTAGE SOURCE_ROOT
set -euo pipefail
xstage=$(realpath "$1")
source_root=$2

expect_error() {
    local expected=$1
    shift
    local output status=0
    output=$("$xstage" --root "$source_root" "$@" 2>&1 >/dev/null) || status=$?
    if [ "$status" -ne 1 ] || [ "$output" != "$expected" ]; then
        printf 'FAIL: xstage %s\n  expected (exit 1): %s\n  got (exit %s): %s\n' "$*" "$expected" "$status" "$output"
        exit 1
    fi
    echo "ok: xstage $*"
}

expect_error "xstage: error: unknown stage 'ffmepg' in pipeline 'demo'; did you mean 'ffmpeg'?; stages: base, ffmpeg, app, runtime" \
    key ffmepg
expect_error "xstage: error: unknown pipeline 'nope' (no directory recipes/nope); pipelines: demo, openterface" \
    --pipeline nope plan
expect_error "xstage: error: --mount-from '127.0.0.2:5000/cache' must be a repository (HOST/REPO, no tag) on the registry pushed to (127.0.0.1:5000): blobs mount only within one registry" \
    image --push 127.0.0.1:5000/demo:v1 --mount-from 127.0.0.2:5000/cache
expect_error "xstage: error: --mount-from only applies to --push" \
    image --oci /nonexistent/out --mount-from 127.0.0.1:5000/cache

# Pipeline options: unknown names, unlisted values and refused combinations.
expect_error "xstage: error: -D qt_verison=6.4.2: unknown option 'qt_verison'; did you mean 'qt_version'?; recipes/openterface/options.ini declares qt_version, ffmpeg_version, openterface_ref" \
    --pipeline openterface -D qt_verison=6.4.2 plan
expect_error "xstage: error: -D qt_version=6.4.1: '6.4.1' is not a value of option 'qt_version'; did you mean '6.4.2'?; allowed: 6.5.3, 6.4.2, 6.8.2 (recipes/openterface/options.ini:7)" \
    --pipeline openterface -D qt_version=6.4.1 plan
expect_error "xstage: error: option openterface_ref=0.5.1 requires qt_version >= 6.6.3, but qt_version is 6.4.2 (recipes/openterface/options.ini:25)" \
    plan --pipeline openterface -D openterface_ref=0.5.1 -D qt_version=6.4.2
expect_error "xstage: error: -D x=1: this pipeline has no options (recipes/demo/options.ini does not exist)" \
    -D x=1 plan

# Global options work before and after the subcommand, as with git and meson.
before=$("$xstage" --root "$source_root" --pipeline openterface -D qt_version=6.4.2 key qtbase)
after=$("$xstage" key qtbase --root "$source_root" --pipeline openterface -D qt_version=6.4.2)
default=$("$xstage" --root "$source_root" --pipeline openterface key qtbase)
[ "$before" = "$after" ] && [ "$before" != "$default" ] || { echo "FAIL: options after the subcommand"; exit 1; }
echo "ok: xstage key qtbase --pipeline openterface -D qt_version=6.4.2 ($after)"
# `build` reads --pipeline on either side (the unknown name shows it was read).
expect_error "xstage: error: unknown pipeline 'nope' (no directory recipes/nope); pipelines: demo, openterface" \
    build --pipeline nope
expect_error "xstage: error: unknown pipeline 'nope' (no directory recipes/nope); pipelines: demo, openterface" \
    --pipeline nope build
# A repeatable option takes one value: the stage after it stays the stage.
swallowed=$("$xstage" --root "$source_root" key --cross-file "$source_root/cross/aarch64.ini" app) ||
    { echo "FAIL: --cross-file took the stage as a second cross file"; exit 1; }
[ "$swallowed" = "$("$xstage" --root "$source_root" key app)" ] || { echo "FAIL: key after --cross-file"; exit 1; }
echo "ok: xstage key --cross-file FILE app"
"$xstage" --version | grep -qx 'xstage [0-9.]* (recipe format [0-9]*)' || { echo "FAIL: --version"; exit 1; }
echo "ok: xstage --version"
expect_error "xstage: error: --ccache-remote 'cache.example.com:6379': 'cache.example.com:6379' is not a ccache remote storage URL (redis://HOST:PORT, redis+unix:PATH, http://HOST/PATH or file:PATH)" \
    build --ccache-remote cache.example.com:6379

# Names that would become paths: a recipe file "...ini" is not stage "..",
# and a pipeline is never "..", whose work directory holds every pipeline's.
hostile=$(mktemp -d)
trap 'rm -rf "$hostile"' EXIT
mkdir -p "$hostile/recipes/demo"
cp -r "$source_root/cross" "$hostile/"
cp "$source_root/recipes/demo/base.ini" "$hostile/recipes/demo/"
cp "$source_root/recipes/demo/base.ini" "$hostile/recipes/demo/...ini"
expect_hostile() {
    local expected=$1
    shift
    local output status=0
    output=$("$xstage" --root "$hostile" --cache "$hostile/cache" "$@" 2>&1 >/dev/null) || status=$?
    if [ "$status" -ne 1 ] || [ "$output" != "$expected" ]; then
        printf 'FAIL: xstage %s\n  expected (exit 1): %s\n  got (exit %s): %s\n' "$*" "$expected" "$status" "$output"
        exit 1
    fi
    echo "ok: xstage $* (hostile project)"
}
expect_hostile "xstage: error: recipes/demo/...ini: a stage is named after its file, and '..' is not a name: use letters, digits, '_' and '-' (like ffmpeg.ini)" \
    build ..
rm "$hostile/recipes/demo/...ini"
expect_hostile "xstage: error: unknown pipeline '..' (no directory recipes/..); pipelines: demo" \
    --pipeline .. build
expect_hostile "xstage: error: cannot read /dev/zero: it is not a regular file" \
    --cross-file /dev/zero plan
[ ! -e "$hostile/cache" ] || { echo "FAIL: a refused build left $hostile/cache"; exit 1; }

# Red-team inputs, each refused with its culprit named and nothing written.
{
    echo "[constants]"
    echo "a0 = 'xx'"
    for i in $(seq 1 40); do echo "a$i = a$((i - 1)) + a$((i - 1))"; done
} > "$hostile/recipes/demo/doubling.ini"
expect_hostile "xstage: error: recipes/demo/doubling.ini:22:11: value grows past 1048576 bytes or elements (do constants double at each use?)
a20 = a19 + a19
          ^" plan
rm "$hostile/recipes/demo/doubling.ini"
printf "[stage]\ndescription = 'escapes'\nbuilder = 'configure'\nparents = ['base']\n\n[source]\npath = 'src'\n\n[options]\nprefix = '/../../tmp/escaped'\n" \
    > "$hostile/recipes/demo/escape.ini"
mkdir -p "$hostile/src"
expect_hostile "xstage: error: recipes/demo/escape.ini:10:1: prefix '/../../tmp/escaped' must be an absolute path that stays inside the stage's install tree, like '/opt/ffmpeg'
prefix = '/../../tmp/escaped'
^" build escape
rm "$hostile/recipes/demo/escape.ini"
expect_hostile "xstage: error: refusing to write /dev/full: it is a character device, and xstage replaces only regular files" \
    image --docker-archive /dev/full
[ -c /dev/full ] || { echo "FAIL: /dev/full is no longer a device"; exit 1; }
[ ! -e "$hostile/cache" ] || { echo "FAIL: a refused command left $hostile/cache"; exit 1; }

# cache verify names an unreadable entry, evicts it and fails.
key=$(printf 'a%.0s' $(seq 64))
mkdir -p "$hostile/cache/entries"
echo '{' > "$hostile/cache/entries/$key.json"
expect_hostile "xstage: error: cache verify found problems in $hostile/cache; what was bad is evicted" cache verify
report=$("$xstage" --root "$hostile" --cache "$hostile/cache" cache verify 2>/dev/null || true)
[ ! -e "$hostile/cache/entries/$key.json" ] || { echo "FAIL: the unreadable entry was kept"; exit 1; }
echo '{"key": "'"$key"'"}' > "$hostile/cache/entries/$key.json"
report=$("$xstage" --root "$hostile" --cache "$hostile/cache" cache verify 2>/dev/null) && { echo "FAIL: verify passed"; exit 1; }
grep -qx "evicted: entry $hostile/cache/entries/$key.json has no 'stage'" <<< "$report" || { echo "FAIL: verify said: $report"; exit 1; }
echo "ok: cache verify names a bad entry: $report"
output=$("$xstage" --root "$hostile" --cache "$hostile/nowhere" cache verify 2>&1) && { echo "FAIL: verify of nothing passed"; exit 1; }
[ "$output" = "xstage: error: there is no cache at $hostile/nowhere: nothing was stored there (is --cache right?)" ] ||
    { echo "FAIL: verify of nothing said: $output"; exit 1; }
echo "ok: $output"

# keygen: a private key only its owner reads, a public key beside it, both
# readable by openssl; an existing key is never replaced.
keys=$hostile/keys
mkdir -p "$keys"
"$xstage" keygen "$keys/ci" | grep -qx "wrote $keys/ci (private, mode 0600) and $keys/ci.pub: key ed25519:[0-9a-f]\{16\}" ||
    { echo "FAIL: keygen output"; exit 1; }
[ "$(stat -c %a "$keys/ci")" = 600 ] && [ "$(stat -c %a "$keys/ci.pub")" = 644 ] || { echo "FAIL: key file modes"; exit 1; }
openssl pkey -in "$keys/ci" -noout && openssl pkey -pubin -in "$keys/ci.pub" -noout || { echo "FAIL: openssl cannot read the keys"; exit 1; }
before=$(sha256sum "$keys/ci")
output=$("$xstage" keygen "$keys/ci" 2>&1) && { echo "FAIL: keygen replaced a key"; exit 1; }
[ "$output" = "xstage: error: $keys/ci exists; xstage keygen never replaces a key" ] || { echo "FAIL: keygen said: $output"; exit 1; }
[ "$(sha256sum "$keys/ci")" = "$before" ] || { echo "FAIL: the key changed"; exit 1; }
echo "ok: xstage keygen (0600, openssl reads it, never replaced)"
