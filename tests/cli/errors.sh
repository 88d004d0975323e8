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
