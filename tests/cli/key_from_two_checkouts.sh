#!/usr/bin/env bash
# xstage key prints the same 64-hex key from two copies of the checkout at
# different paths, and a changed example source changes only the app's key.
# Usage: key_from_two_checkouts.sh XSTAGE SOURCE_ROOT
set -euo pipefail
xstage=$(realpath "$1")
source_root=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

for checkout in "$scratch/one" "$scratch/two/nested"; do
    mkdir -p "$checkout"
    cp -r "$source_root/cross" "$source_root/recipes" "$source_root/examples" "$checkout/"
done

for stage in base ffmpeg app; do
    one=$("$xstage" --root "$scratch/one" key "$stage")
    two=$(cd "$scratch/two/nested/recipes" && "$xstage" key "$stage")
    [[ $one =~ ^[0-9a-f]{64}$ ]] || { echo "FAIL: key of $stage is not 64 hex digits: '$one'"; exit 1; }
    [ "$one" = "$two" ] || { echo "FAIL: key of $stage differs between checkouts: $one vs $two"; exit 1; }
    echo "ok: $stage $one"
done

echo "// touched" >> "$scratch/two/nested/examples/framegrab/src/main.cpp"
[ "$("$xstage" --root "$scratch/one" key app)" != "$("$xstage" --root "$scratch/two/nested" key app)" ] ||
    { echo "FAIL: editing an app source did not change the app key"; exit 1; }
[ "$("$xstage" --root "$scratch/one" key ffmpeg)" = "$("$xstage" --root "$scratch/two/nested" key ffmpeg)" ] ||
    { echo "FAIL: editing an app source changed the ffmpeg key"; exit 1; }
echo "ok: an app source edit moves only the app key"
