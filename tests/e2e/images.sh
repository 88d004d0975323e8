#!/usr/bin/env bash
# Runtime images of the demo, end to end with real tools and no daemon:
#  1. `xstage image --oci` (zstd, as cached): skopeo inspects it, copies it to
#     another layout and converts it to gzip; umoci unpacks the conversion;
#  2. `--compression gzip`: transcoded once (a second export transcodes
#     nothing), same manifest digest every time; umoci unpacks it;
#  3. the demo app runs from the unpacked rootfs under qemu-aarch64-static;
#  4. the image is under a quarter of the sysroot the app was built against;
#  5. `--docker-archive` is read by skopeo; docker/demo.Dockerfile matches the
#     build context `--context` writes;
#  6. the SPDX SBOM (--sbom, and the layout's referrer) passes ci/check-spdx.py,
#     and lists the runtime layer's files: a forged layer's extra file is named
#     and lists every package of the runtime layer's lock and FFmpeg's source
#     digest; skopeo still reads the layout that holds it.
# Usage: images.sh XSTAGE SOURCE_ROOT SCRATCH_DIR (a cache from demo_pipeline.sh
# there is reused; missing stages are built)
source "$(dirname "$0")/common.sh"
out=$scratch/images
rm -rf "$out"
mkdir -p "$out"
x() { "$xstage" --root "$source_root" --cache "$cache" "$@"; }
manifest_digest() { sed -n 's/.*manifest \(sha256:[0-9a-f]*\).*/\1/p' "$1" | head -1; }

say "zstd image: the cached layers as they are"
x image --oci "$out/zstd" | tee "$out/zstd.log"
grep -q 'runtime check: .* and [1-9][0-9]* it loads at run time .* all in the image' "$out/zstd.log" ||
    fail "no runtime check of the app and Qt's plugins reported"
skopeo inspect "oci:$out/zstd:latest" | tee "$out/inspect.json"
grep -q '"Architecture": "arm64"' "$out/inspect.json" || fail "skopeo does not see arm64"
skopeo inspect --raw "oci:$out/zstd:latest" > "$out/zstd-manifest.json"
[ "$(grep -o 'tar+zstd' "$out/zstd-manifest.json" | wc -l)" -eq 2 ] || fail "layers are not zstd: $(cat "$out/zstd-manifest.json")"
for stage in runtime app; do
    digest=$(cached_layer "$cache" "$stage")
    grep -q "$digest" "$out/zstd-manifest.json" || fail "the $stage layer is not the cached blob $digest"
done
echo "ok: both layers are the cached blobs, unchanged"

say "the image is under a quarter of the app's sysroot"
percent=$(sed -n 's/^image size .*: \([0-9]*\)%$/\1/p' "$out/zstd.log")
[ -n "$percent" ] && [ "$percent" -lt 25 ] || fail "image is ${percent:-?}% of the sysroot"
echo "ok: $percent% of the sysroot"

say "skopeo copies it, and converts it to gzip for umoci"
skopeo copy "oci:$out/zstd:latest" "oci:$out/copy:latest"
skopeo copy --dest-compress-format gzip "oci:$out/zstd:latest" "oci:$out/converted:latest"
umoci unpack --rootless --image "$out/converted:latest" "$out/bundle-converted" > /dev/null

say "gzip image: transcoded once, same digest every time"
rm -rf "$cache/transcoded" # from an earlier run on this scratch directory
x image --oci "$out/gzip" --compression gzip | tee "$out/gzip1.log"
grep -q 'gzip layers, 2 transcoded' "$out/gzip1.log" || fail "the first gzip export did not transcode both layers"
skopeo inspect "oci:$out/gzip:latest" | grep -q '"Architecture": "arm64"' || fail "skopeo does not read the gzip image"
skopeo inspect --raw "oci:$out/gzip:latest" > "$out/gzip-manifest.json"
[ "$(grep -o 'tar+gzip' "$out/gzip-manifest.json" | wc -l)" -eq 2 ] || fail "layers are not gzip: $(cat "$out/gzip-manifest.json")"
echo "ok: skopeo reads the gzip image too"
x image --oci "$out/gzip-again" --compression gzip | tee "$out/gzip2.log"
grep -q 'gzip layers, 0 transcoded' "$out/gzip2.log" || fail "the second gzip export transcoded again"
[ "$(manifest_digest "$out/gzip1.log")" = "$(manifest_digest "$out/gzip2.log")" ] || fail "manifest digests differ"
x image --oci "$out/zstd-again" | tee "$out/zstd2.log"
[ "$(manifest_digest "$out/zstd.log")" = "$(manifest_digest "$out/zstd2.log")" ] || fail "zstd manifest digests differ"
umoci unpack --rootless --image "$out/gzip:latest" "$out/bundle" > /dev/null
echo "ok: umoci unpacked both"

say "the demo app runs from the unpacked rootfs under qemu"
for bundle in bundle bundle-converted; do
    rootfs=$out/$bundle/rootfs
    # qemu-user's -L does not redirect Qt's plugin directory scan; in a
    # container the compiled-in path is right and this is not needed.
    QT_QPA_PLATFORM=offscreen QT_PLUGIN_PATH=$rootfs/usr/lib/aarch64-linux-gnu/qt6/plugins \
        qemu-aarch64-static -L "$rootfs" "$rootfs/opt/framegrab/bin/framegrab" \
        --save "$out/$bundle.png" "$rootfs/opt/framegrab/share/framegrab/tiny.mp4" 2>&1 | grep -v '^QStandardPaths\|swscaler'
    # Not `tee /dev/stderr`: reopening it truncates a log that stderr goes to.
    frame=$(file "$out/$bundle.png")
    echo "$frame"
    grep -q 'PNG image data, 64 x 48' <<< "$frame" || fail "no frame from $bundle"
done

say "docker archive and Dockerfile"
x image --docker-archive "$out/demo.tar" --context "$out/context" | tee "$out/docker.log"
skopeo inspect "docker-archive:$out/demo.tar" | grep -q '"Architecture": "arm64"' || fail "skopeo cannot read the docker archive"
bash "$source_root/tests/docker_files.sh" "$source_root/docker/demo.Dockerfile" "$out/context" "$out/gzip:latest"
sed 's/framegrab"\]/framegrab", "--wrong"]/' "$source_root/docker/demo.Dockerfile" > "$out/wrong.Dockerfile"
if bash "$source_root/tests/docker_files.sh" "$out/wrong.Dockerfile" "$out/context" "$out/gzip:latest" > /dev/null; then
    fail "a Dockerfile with another entrypoint passed the check"
fi
echo "ok: a Dockerfile that differs is caught"

say "layers forged into the cache are refused by image before anything is written"
# Each forgery has valid digests and a "verified" stamp, as if it had passed a
# restore: the image's own reading of its layers must refuse it.
app_key=$(x key app)
cp "$cache/entries/$app_key.json" "$out/app-entry.json"
refused() { # KIND TEXT
    python3 "$source_root/tests/e2e/forge_layer.py" "$1" "$cache" "$app_key" --stamp
    if x image --oci "$out/forged-$1" --docker-archive "$out/forged-$1.tar" > "$out/forged-$1.log" 2>&1; then
        fail "an image was made of a forged layer ($1)"
    fi
    grep -F "xstage: error: " "$out/forged-$1.log"
    grep -qF "$2" "$out/forged-$1.log" || fail "the $1 forgery was not refused with: $2"
    [ ! -e "$out/forged-$1/index.json" ] && [ ! -e "$out/forged-$1.tar" ] || fail "the $1 forgery left an image"
    echo "ok: $1 refused"
}
refused absolute "entry '/etc/evil' is an absolute path"
refused device "entry 'dev/evil' is a character device"
refused setuid "entry 'usr/bin/evil' has setuid or setgid bits"
refused hardlink "entry 'usr/passwd' is a hard link to '/etc/passwd', which leaves the root"
refused bomb "unpacks to more than the 10240 bytes recorded for it; reading stopped there"
refused diffid "not the recorded diff_id sha256:eeeeeeee"

say "cache verify finds a diff_id forgery, evicts it and fails"
python3 "$source_root/tests/e2e/forge_layer.py" diffid "$cache" "$app_key"
if x cache verify > "$out/verify.log" 2>&1; then fail "cache verify passed a diff_id forgery"; fi
cat "$out/verify.log"
grep -q "^evicted app ($(cut -c1-12 <<< "$app_key")): layer .* not the recorded diff_id sha256:eeeeeeee" "$out/verify.log" ||
    fail "verify did not name the forged entry"
[ ! -e "$cache/entries/$app_key.json" ] || fail "verify kept the forged entry"
cp "$out/app-entry.json" "$cache/entries/$app_key.json"
x cache verify | tail -1
echo "ok: the real entry verifies again"

say "the SBOM: an SPDX 2.3 document, also the layout's referrer of the image"
x image --oci "$out/sbom-layout" --sbom "$out/sbom.spdx.json" | tee "$out/sbom.log"
# Debian's python3 and python3-jsonschema (toolchain/setup.sh), whatever python3 PATH finds first.
/usr/bin/python3 "$source_root/ci/check-spdx.py" "$out/sbom.spdx.json"
# The check can fail: a misspelt field and a relationship to nothing are refused.
/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1])); d["packages"][0]["nmae"] = d["packages"][0].pop("name")
d["relationships"].append({"spdxElementId": "SPDXRef-Nothing", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-Image"})
json.dump(d, open(sys.argv[2], "w"))' "$out/sbom.spdx.json" "$out/broken.spdx.json"
if /usr/bin/python3 "$source_root/ci/check-spdx.py" "$out/broken.spdx.json" 2> "$out/broken.log"; then
    fail "check-spdx.py passed a broken document"
fi
grep -q "'nmae' was unexpected" "$out/broken.log" && grep -q "SPDXRef-Nothing is not an element" "$out/broken.log" ||
    fail "check-spdx.py did not name both faults: $(cat "$out/broken.log")"
if [ -n "${XSTAGE_SPDX_SCHEMA:-}" ]; then # the upstream schema, where a machine has it
    /usr/bin/python3 "$source_root/ci/check-spdx.py" --schema "$XSTAGE_SPDX_SCHEMA" "$out/sbom.spdx.json"
fi
/usr/bin/python3 - "$out/sbom.spdx.json" "$source_root/recipes/demo/runtime.lock" "$source_root/recipes/demo/ffmpeg.ini" <<'PY'
import json, re, sys
document = json.load(open(sys.argv[1]))
packages = {(p["name"], p.get("versionInfo"), p["checksums"][0]["checksumValue"] if "checksums" in p else None)
            for p in document["packages"]}
locked = [line.split() for line in open(sys.argv[2]) if line.startswith("package ")]
missing = [f"{w[1]} {w[2]}" for w in locked if (w[1], w[2], w[5]) not in packages]
assert not missing, f"runtime packages missing from the SBOM: {missing[:5]}"
pin = re.search(r"sha256 = '([0-9a-f]{64})'", open(sys.argv[3]).read()).group(1)
sources = [p for p in document["packages"] if p["name"] == "ffmpeg-source"]
assert sources and sources[0]["checksums"][0]["checksumValue"] == pin, "FFmpeg's source digest is not in the SBOM"
print(f"ok: the SBOM lists the {len(locked)} locked runtime packages and FFmpeg's source sha256:{pin[:12]}")
PY
referrer=$(sed -n 's/.*SBOM referrer \(sha256:[0-9a-f]*\).*/\1/p' "$out/sbom.log")
/usr/bin/python3 - "$out/sbom-layout" "$referrer" "$(manifest_digest "$out/sbom.log")" "$out/sbom.spdx.json" <<'PY'
import json, pathlib, sys
blobs = pathlib.Path(sys.argv[1], "blobs", "sha256")
referrer = json.loads((blobs / sys.argv[2].split(":")[1]).read_text())
assert referrer["subject"]["digest"] == sys.argv[3], "the SBOM's subject is not the image"
document = blobs / referrer["layers"][0]["digest"].split(":")[1]
assert document.read_bytes() == pathlib.Path(sys.argv[4]).read_bytes(), "the layout's SBOM is not the --sbom file"
index = json.loads(pathlib.Path(sys.argv[1], "index.json").read_text())
assert [m.get("artifactType") for m in index["manifests"]] == [None, "application/spdx+json"], index
PY
skopeo inspect "oci:$out/sbom-layout:latest" | grep -q '"Architecture": "arm64"' || fail "skopeo does not read the layout with its SBOM"
echo "ok: the layout's referrer holds the same document; skopeo reads the layout"

say "the SBOM lists what the layers hold: a forged runtime layer's extra file is named"
/usr/bin/python3 - "$out/sbom.spdx.json" <<'PY'
import json, sys
files = json.load(open(sys.argv[1]))["files"]
stray = [f["fileName"] for f in files if "comment" in f]
assert not stray, f"files of the real runtime layer that no locked package installs: {stray[:5]}"
print(f"ok: all {len(files)} files of the runtime layer are installed by its locked packages, unchanged")
PY
runtime_key=$(x key runtime)
cp "$cache/entries/$runtime_key.json" "$out/runtime-entry.json"
python3 "$source_root/tests/e2e/forge_layer.py" backdoor "$cache" "$runtime_key"
x image --oci "$out/forged-layout" --sbom "$out/forged.spdx.json" > "$out/forged.log"
/usr/bin/python3 "$source_root/ci/check-spdx.py" "$out/forged.spdx.json"
/usr/bin/python3 - "$out/forged.spdx.json" <<'PY'
import json, sys
document = json.load(open(sys.argv[1]))
stray = [f for f in document["files"] if "comment" in f]
assert [f["fileName"] for f in stray] == ["./usr/bin/backdoor"], [f["fileName"] for f in stray]
assert stray[0]["comment"] == "in the layer of stage 'runtime', installed by none of its locked packages", stray[0]
print(f"ok: the SBOM of the forged image names {stray[0]['fileName']}: {stray[0]['comment']}")
PY
cp "$out/runtime-entry.json" "$cache/entries/$runtime_key.json"

echo
echo "images end to end: all checks passed"
