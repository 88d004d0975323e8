#!/usr/bin/env bash
# ci/check-includes.py accepts the real tree, and refuses a copy with an
# include its folder's row does not allow or a folder without a row.
# Usage: check_includes_test.sh CHECK_INCLUDES SOURCE_ROOT
set -euo pipefail
check=$(realpath "$1")
source_root=$(realpath "$2")

fail() {
    printf 'FAIL: %s\n' "$*"
    exit 1
}

python3 "$check" "$source_root" || fail "the real tree does not pass"
echo "ok: the real tree passes"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# A fresh copy of src/ and ARCHITECTURE.md under $scratch/$1.
copy_tree() {
    mkdir -p "$scratch/$1"
    cp -r "$source_root/src" "$source_root/ARCHITECTURE.md" "$scratch/$1/"
}

# expect_refusal NAME EXPECTED: the check fails on $scratch/NAME, printing EXPECTED.
expect_refusal() {
    local output status=0
    output=$(python3 "$check" "$scratch/$1") || status=$?
    if [ "$status" -ne 1 ] || [ "$output" != "$2" ]; then
        fail "$1: expected (exit 1): $2; got (exit $status): $output"
    fi
    echo "ok: $1 is refused"
}

copy_tree forbidden
lines=$(wc -l <"$scratch/forbidden/src/recipe/recipe.cpp")
echo '#include "key/stage_key.hpp"' >>"$scratch/forbidden/src/recipe/recipe.cpp"
expect_refusal forbidden "src/recipe/recipe.cpp:$((lines + 1)): folder 'recipe' may not include 'key/stage_key.hpp' (ARCHITECTURE.md allows: machine_file, util)"

copy_tree unlisted
mkdir "$scratch/unlisted/src/extra"
echo '#include "util/error.hpp"' >"$scratch/unlisted/src/extra/extra.cpp"
expect_refusal unlisted "src/extra: folder 'extra' has no row in ARCHITECTURE.md's table of folders"

copy_tree loose
sed -i 's/^\(| `src\/process\/` .*\)| util |$/\1| registry, util |/' "$scratch/loose/ARCHITECTURE.md"
expect_refusal loose "ARCHITECTURE.md: 'process' may include 'registry', but nothing in src/process does; remove it from the row"

copy_tree cycle
sed -i 's/^\(| `src\/layer\/` .*\)| util |$/\1| cache, util |/' "$scratch/cycle/ARCHITECTURE.md"
echo '#include "cache/cache.hpp"' >>"$scratch/cycle/src/layer/extract.cpp"
expect_refusal cycle "ARCHITECTURE.md: the table allows a cycle: layer -> cache -> layer"
