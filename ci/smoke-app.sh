#!/usr/bin/env bash
# Proof of life for an app stage: its thin image (xstage image, gzip layers)
# is unpacked with umoci, `file` must say the entrypoint is aarch64, and the
# entrypoint must stay up under qemu for the whole timeout with
# QT_QPA_PLATFORM=offscreen. Reaching the timeout is a pass; a crash or an
# early exit is a failure, with the program's last output.
# Usage: ci/smoke-app.sh STAGE [SECONDS] [-- XSTAGE_OPTION...]
#   XSTAGE (environment): the xstage program (default: build/src/xstage)
# Example: ci/smoke-app.sh openterface 20 -- --pipeline openterface -D qt_version=6.4.2 -D ffmpeg_version=5.1.9
set -euo pipefail
stage=${1:?usage: ci/smoke-app.sh STAGE [SECONDS] [-- XSTAGE_OPTION...]}
seconds=20
shift
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    seconds=$1
    shift
fi
[ "${1:-}" = "--" ] && shift
xstage=${XSTAGE:-build/src/xstage}
work=$(mktemp -d /var/tmp/xstage-smoke.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$xstage" "$@" image "$stage" --compression gzip --oci "$work/oci"
umoci unpack --rootless --image "$work/oci:latest" "$work/bundle" >/dev/null
rootfs=$work/bundle/rootfs
entry=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["process"]["args"][0])' "$work/bundle/config.json")
file "$rootfs$entry"
file "$rootfs$entry" | grep -q 'ARM aarch64' || { echo "smoke: $entry is not an aarch64 program"; exit 1; }

# qemu-user's -L does not redirect Qt's plugin directory scan (a real
# container needs none of this); a static Qt has its plugins linked in.
env=(-E QT_QPA_PLATFORM=offscreen)
for plugins in "$rootfs"/usr/lib/*/qt6/plugins; do
    [ -d "$plugins" ] && env+=(-E "QT_PLUGIN_PATH=$plugins")
done
status=0
timeout "$seconds" qemu-aarch64-static -L "$rootfs" "${env[@]}" "$rootfs$entry" > "$work/out.log" 2>&1 || status=$?
if [ "$status" -ne 124 ]; then
    echo "smoke: $entry exited with $status before ${seconds} s; its last output:"
    tail -n 30 "$work/out.log"
    exit 1
fi
echo "smoke: $entry ran for ${seconds} s under qemu (QT_QPA_PLATFORM=offscreen) until the timeout: pass"
echo "smoke: its first output lines:"
head -n 5 "$work/out.log"
