#!/usr/bin/env bash
# Checks a docker/<pipeline>.Dockerfile against what `xstage image` wrote:
#  - every ADD names a file of the build context (xstage image --context),
#    in the image's layer order, and that file is the gzip layer of the same
#    digest in the gzip OCI layout (xstage image --oci --compression gzip);
#  - ENV and ENTRYPOINT equal the image config's Env and Entrypoint.
# Usage: docker_files.sh DOCKERFILE CONTEXT_DIR GZIP_OCI_LAYOUT
set -euo pipefail
dockerfile=$1 context=$2 layout=$3
fail() { echo "FAIL: $dockerfile: $*"; exit 1; }

config=$(skopeo inspect --config "oci:$layout")
manifest=$(skopeo inspect --raw "oci:$layout")
mapfile -t layer_digests < <(python3 -c 'import json,sys; [print(l["digest"]) for l in json.load(sys.stdin)["layers"]]' <<<"$manifest")
mapfile -t adds < <(awk '$1 == "ADD" {print $2}' "$dockerfile")

[ "${#adds[@]}" -eq "${#layer_digests[@]}" ] ||
    fail "${#adds[@]} ADD lines for ${#layer_digests[@]} image layers"
for i in "${!adds[@]}"; do
    file=$context/${adds[$i]}
    [ -f "$file" ] || fail "ADD ${adds[$i]}: xstage wrote no such file in $context ($(ls "$context" | tr '\n' ' '))"
    digest=sha256:$(sha256sum "$file" | cut -d' ' -f1)
    [ "$digest" = "${layer_digests[$i]}" ] || fail "ADD ${adds[$i]} is $digest, but layer $i of the image is ${layer_digests[$i]}"
    echo "ok: ADD ${adds[$i]} is layer $i ($digest)"
done

IMAGE_CONFIG=$config python3 - "$dockerfile" <<'PY' || fail "ENV/ENTRYPOINT differ from the image config"
import json, os, sys
config = json.loads(os.environ["IMAGE_CONFIG"])["config"]
env, entrypoint = [], None
for line in open(sys.argv[1]):
    words = line.split(None, 1)
    if words and words[0] == "ENV":
        env.append(words[1].strip())
    elif words and words[0] == "ENTRYPOINT":
        entrypoint = json.loads(words[1])
ok = env == config.get("Env", []) and entrypoint == config.get("Entrypoint")
print(("ok" if ok else "differ") + ": ENV", env, "ENTRYPOINT", entrypoint, "vs config", config.get("Env"), config.get("Entrypoint"))
sys.exit(0 if ok else 1)
PY
echo "$dockerfile matches what xstage writes"
