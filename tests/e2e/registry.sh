#!/usr/bin/env bash
# The registry-backed stage cache and image push, against Debian's real
# docker-registry on 127.0.0.1 (started here, stopped on exit):
#  1. cache push sends every blob once; a second push sends zero bytes;
#  2. a pull into an empty cache makes the next build all hits;
#  3. image --push: skopeo reads the image from the registry, and its SBOM
#     from the image's referrers tag; skopeo copies an
#     xstage OCI layout there too; a second push sends zero bytes; a push to
#     another repository mounts the layers from the stage cache's;
#  4. a layer corrupted in the registry's storage is detected and not used:
#     pull fails naming the blob, build --registry rebuilds that stage;
#  5. a pull onto a full disk (a 5 MiB tmpfs, as root) ends with ENOSPC and
#     leaves no blob; it is not reported as a refused stage;
#  6. signed stages: pushed with --sign, pulled with --trust; an untrusted
#     signer's stages are refused (and built), the trusted one's (named in a
#     trusted-keys file of several) are used;
#  7. htpasswd (Basic) auth: refused without or with wrong credentials, works
#     from the environment and from a Docker config.json; the password is
#     never printed.
# Usage: registry.sh XSTAGE SOURCE_ROOT SCRATCH_DIR (reuses the cache there)
source "$(dirname "$0")/common.sh"
work=$scratch/registry
rm -rf "$work"
mkdir -p "$work"
x() { "$xstage" --root "$source_root" "$@"; }

# shellcheck source=tests/e2e/local_registry.sh
source "$source_root/tests/e2e/local_registry.sh"
trap 'for pid in "${registry_pids[@]}"; do kill "$pid" 2>/dev/null || true; done' EXIT

start_registry "$work/open"
host=$registry_host
repo=$host/xstage-cache
echo "registry at $host"

say "cache push: every blob once, then nothing"
x --cache "$cache" cache push --registry "$repo" | tee "$work/push1.log"
grep -q '^pushed 4 stages' "$work/push1.log" || fail "first push did not push 4 stages"
x --cache "$cache" cache push --registry "$repo" | tee "$work/push2.log"
grep -q '^pushed 4 stages to .*: 0 blobs sent (0 B), 8 already there$' "$work/push2.log" ||
    fail "the second push sent blobs"

say "pull into an empty cache; the next build is all hits"
x --cache "$work/pulled" cache pull --registry "$repo" | tee "$work/pull.log"
grep -q '^pulled 4 stages' "$work/pull.log" || fail "pull did not bring 4 stages"
x --cache "$work/pulled" build | tee "$work/after-pull.log"
grep -q '4 stages: 0 built, 4 hits' "$work/after-pull.log" || fail "the build after a pull was not all hits"

say "image push, read back by skopeo"
x --cache "$cache" image --push "$host/demo:v1" | tee "$work/image1.log"
x --cache "$cache" image --push "$host/demo:v1" | tee "$work/image2.log"
grep -q 'pushed .*demo:v1 (zstd layers): 0 blobs sent (0 B), 3 already there' "$work/image2.log" ||
    fail "the second image push sent blobs"
x --cache "$cache" image --push "$host/mounted:v1" --mount-from "$host/xstage-cache" | tee "$work/mounted.log"
grep -q 'pushed .*mounted:v1 (zstd layers): 1 blob sent .*, 2 mounted from .*xstage-cache, 0 already there' \
    "$work/mounted.log" || fail "the layers were not mounted from the stage cache's repository"
skopeo inspect --tls-verify=false "docker://$host/mounted:v1" | grep -q '"Architecture": "arm64"' ||
    fail "skopeo cannot read the image with mounted layers"
skopeo inspect --tls-verify=false "docker://$host/demo:v1" | tee "$work/inspect.json"
grep -q '"Architecture": "arm64"' "$work/inspect.json" || fail "skopeo cannot read the pushed image"
pushed=$(sed -n 's/.*manifest \(sha256:[0-9a-f]*\)$/\1/p' "$work/image1.log")
grep -q "\"Digest\": \"$pushed\"" "$work/inspect.json" || fail "the registry serves another manifest than $pushed"
# Its SBOM: a referrer, listed in the referrers tag registries without the referrers API use.
sbom=$(sed -n 's/^pushed its SBOM \(sha256:[0-9a-f]*\) as a referrer.*/\1/p' "$work/image1.log")
[ -n "$sbom" ] || fail "image --push did not push the SBOM"
skopeo inspect --raw --tls-verify=false "docker://$host/demo:sha256-${pushed#sha256:}" > "$work/referrers.json"
/usr/bin/python3 -c 'import json, sys
listed = [m["digest"] for m in json.load(open(sys.argv[1]))["manifests"] if m.get("artifactType") == "application/spdx+json"]
assert listed == [sys.argv[2]], listed' "$work/referrers.json" "$sbom" || fail "the referrers tag does not list the SBOM once"
skopeo inspect --raw --tls-verify=false "docker://$host/demo@$sbom" | grep -q "\"subject\":{[^}]*\"digest\":\"$pushed\"" ||
    fail "the SBOM's subject is not the pushed image"
echo "ok: the SBOM $sbom is the image's referrer in the registry"
x --cache "$cache" image --oci "$work/layout" > /dev/null
skopeo copy --dest-tls-verify=false "oci:$work/layout:latest" "docker://$host/copied:v1"
skopeo inspect --tls-verify=false "docker://$host/copied:v1" | grep -q '"Architecture": "arm64"' ||
    fail "skopeo's copy to the registry is not readable"

say "a layer corrupted in the registry is detected and not used"
app_digest=$(cached_layer "$cache" app)
hex=${app_digest#sha256:}
data=$work/open/data/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data
python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 2] ^= 1; open(p, "wb").write(b)' "$data"
if x --cache "$work/corrupt" cache pull app --registry "$repo" > "$work/corrupt.log" 2>&1; then
    fail "a corrupt layer was pulled"
fi
cat "$work/corrupt.log"
grep -q "corrupt on the registry" "$work/corrupt.log" || fail "the corruption was not named"
if ls "$work/corrupt/blobs/sha256/$hex" 2> /dev/null; then fail "the corrupt blob reached the cache"; fi
x --cache "$work/corrupt" build --registry "$repo" app | tee "$work/corrupt-build.log"
grep -qE '^app +built' "$work/corrupt-build.log" || fail "app was not rebuilt after a corrupt pull"
grep -qE '^base +hit' "$work/corrupt-build.log" || fail "base was not pulled"
rebuilt=$(cached_layer "$work/corrupt" app)
[ "$rebuilt" = "$app_digest" ] || fail "the rebuilt app layer differs: $rebuilt vs $app_digest"

say "a pull onto a full disk ends, naming ENOSPC, not as a refusal of the stage"
if [ "$(id -u)" -eq 0 ]; then
    mkdir -p "$work/small"
    mount -t tmpfs -o size=5M tmpfs "$work/small"
    status=0
    x --cache "$work/small/cache" cache pull --registry "$repo" > "$work/full.log" 2>&1 || status=$?
    left=$(find "$work/small/cache/blobs" -type f 2>/dev/null || true)
    umount "$work/small"
    cat "$work/full.log"
    [ "$status" -eq 1 ] || fail "a pull onto a full disk exited $status"
    grep -q '^xstage: error: cannot write .*: No space left on device$' "$work/full.log" ||
        fail "the full disk is not reported with the file and errno"
    if grep -q "failed verification\|refused" "$work/full.log"; then fail "a full disk was taken for a bad stage"; fi
    [ -z "$left" ] || fail "the failed pull left $left"
else
    echo "skipped: mounting a small tmpfs needs root"
fi

say "signed stages: an untrusted signer is refused, the trusted one's stages are pulled and used"
# A registry of its own: the first one's storage holds the corrupted blob.
start_registry "$work/signing"
signing=$registry_host
x keygen "$work/trusted" > /dev/null
x keygen "$work/untrusted" > /dev/null
x --cache "$cache" cache push --registry "$signing/by-untrusted" --sign "$work/untrusted" | tail -1
x --cache "$cache" cache push --registry "$signing/by-trusted" --sign "$work/trusted" | tail -1
if x --cache "$work/refused" cache pull --registry "$signing/by-untrusted" --trust "$work/trusted.pub" > "$work/refused.log" 2>&1; then
    fail "stages signed by an untrusted key were pulled"
fi
cat "$work/refused.log"
grep -q "refused$" "$work/refused.log" && grep -q ', 4 refused$' "$work/refused.log" || fail "not all 4 stages were refused"
grep -q "not pulled: stage key [0-9a-f]* is not signed by a trusted key (ed25519:[0-9a-f]*); not used" "$work/refused.log" ||
    fail "the refusal does not say why"
[ -z "$(ls -A "$work/refused/entries" 2>/dev/null)" ] || fail "a refused stage reached the cache"
# build --registry: app refused and built here; its parents are local.
cp -a "$work/corrupt" "$work/partly"
rm "$work/partly/entries/$(x key app).json"
x --cache "$work/partly" build --registry "$signing/by-untrusted" --trust "$work/trusted.pub" app > "$work/partly.log" 2>&1 ||
    fail "build --registry --trust failed: $(tail -5 "$work/partly.log")"
grep -q "stage 'app' not pulled: .* is not signed by a trusted key" "$work/partly.log" || fail "build did not refuse the untrusted app"
grep -qE '^app +built' "$work/partly.log" || fail "the refused app was not built"
# A trusted-keys file: comments and several keys, the signer's among them.
x keygen "$work/other" > /dev/null
{ echo "# release signers"; cat "$work/other.pub"; echo; echo "# CI"; cat "$work/trusted.pub"; } > "$work/trusted.keys"
x --cache "$work/trusted-cache" build --registry "$signing/by-trusted" --trust "$work/trusted.keys" | tee "$work/trusted.log"
grep -q '^pulled 4 stages' "$work/trusted.log" || fail "the trusted key's stages were not pulled"
grep -q '4 stages: 0 built, 4 hits' "$work/trusted.log" || fail "the pulled stages were not used"
echo "ok: signed by the untrusted key: refused; by the trusted key: pulled and used"

say "htpasswd auth"
password="s3cret-$RANDOM-pass"
htpasswd -Bbn ci "$password" > "$work/htpasswd"
start_registry "$work/auth" "$work/htpasswd"
auth_host=$registry_host
if x --cache "$cache" cache push ffmpeg --registry "$auth_host/cache" > "$work/noauth.log" 2>&1; then
    fail "pushed without credentials"
fi
cat "$work/noauth.log"
grep -q 'requires authentication' "$work/noauth.log" || fail "no clear error without credentials"
if XSTAGE_REGISTRY_USER=ci XSTAGE_REGISTRY_PASSWORD=wrong x --cache "$cache" cache push ffmpeg \
    --registry "$auth_host/cache" > "$work/wrongauth.log" 2>&1; then
    fail "pushed with a wrong password"
fi
cat "$work/wrongauth.log"
grep -q "refused the credentials for user 'ci'" "$work/wrongauth.log" || fail "no clear error for a wrong password"
XSTAGE_REGISTRY_USER=ci XSTAGE_REGISTRY_PASSWORD=$password \
    x --cache "$cache" cache push ffmpeg --registry "$auth_host/cache" | tee "$work/auth-push.log"
mkdir -p "$work/docker-config"
printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$auth_host" "$(printf 'ci:%s' "$password" | base64 -w0)" \
    > "$work/docker-config/config.json"
DOCKER_CONFIG=$work/docker-config x --cache "$work/auth-pulled" cache pull ffmpeg --registry "$auth_host/cache" |
    tee "$work/auth-pull.log"
grep -q '^pulled 2 stages' "$work/auth-pull.log" || fail "pull with config.json credentials failed"
if grep -rq "$password" "$work"/*.log; then fail "the password was printed"; fi
echo "ok: the password appears in no output"

echo
echo "registry end to end: all checks passed"
