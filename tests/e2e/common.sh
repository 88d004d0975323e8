# What every end-to-end script shares; sourced with the script's own arguments:
#   XSTAGE SOURCE_ROOT [SCRATCH_DIR]
# Sets xstage, source_root, scratch (created; a fresh temporary directory when
# not given) and cache=$scratch/cache, and defines say and fail.
set -euo pipefail
xstage=$(realpath "$1")
source_root=$(realpath "$2")
scratch=$(realpath -m "${3:-$(mktemp -d /var/tmp/xstage-e2e.XXXXXX)}")
mkdir -p "$scratch"
cache=$scratch/cache

say() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*"; exit 1; }
