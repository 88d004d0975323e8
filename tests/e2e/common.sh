# What every end-to-end script shares; sourced with the script's own arguments:
#   XSTAGE SOURCE_ROOT [SCRATCH_DIR]
# Sets xstage, source_root, scratch (created; a fresh temporary directory when
# not given) and cache=$scratch/cache, and defines say, fail and cached_layer.
set -euo pipefail
xstage=$(realpath "$1")
source_root=$(realpath "$2")
scratch=$(realpath -m "${3:-$(mktemp -d /var/tmp/xstage-e2e.XXXXXX)}")
mkdir -p "$scratch"
cache=$scratch/cache

say() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*"; exit 1; }

# cached_layer CACHE STAGE: the layer digest CACHE holds for STAGE's key in
# the recipes under $source_root. Other keys of the same stage (other scripts'
# variants share the scratch cache) are not it.
cached_layer() {
    local key digest
    key=$("$xstage" --root "$source_root" key "$2")
    digest=$("$xstage" --root "$source_root" --cache "$1" cache ls |
        awk -v s="$2" -v k="${key:0:12}" '$1 == s && $2 == k {print $NF}')
    [ -n "$digest" ] || { echo "FAIL: $1 holds no $2 at key $key" >&2; return 1; }
    echo "$digest"
}
