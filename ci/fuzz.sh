#!/usr/bin/env bash
# Runs every libFuzzer harness under fuzz/ for a fixed time, from seed corpora
# made of the project's own test data, after replaying the regression inputs
# of earlier findings (fuzz/regressions/<harness>/). Prints the executions of
# each harness; a finding fails the run and leaves its input under
# BUILD_DIR/fuzz-findings/.
# Usage: fuzz.sh BUILD_DIR [SECONDS_PER_HARNESS] (BUILD_DIR configured with
# -Dfuzz=true by clang; see ci/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "$1")
seconds=${2:-30}
harnesses=(machine_file recipe layer elf registry cache_entry)
corpus=$build/fuzz-corpus
findings=$build/fuzz-findings
mkdir -p "$findings"

# Seeds: what the project's tests and recipes already hold.
seed() { mkdir -p "$corpus/$1"; }
for harness in "${harnesses[@]}"; do seed "$harness"; done
cp cross/*.ini recipes/*/*.ini recipes/*/sources/*.ini "$corpus/machine_file/" 2>/dev/null || true
find recipes -maxdepth 2 -name '*.ini' ! -name options.ini -exec cp {} "$corpus/recipe/" \;
python3 - "$corpus/layer" <<'PYTHON'
import io, sys, tarfile
sys.path.insert(0, "tests/e2e")
import forge_layer  # the hostile layers of the e2e tests, as plain tars

out = sys.argv[1]
for kind in ["dotdot", "symlink", "absolute", "device", "setuid", "hardlink", "diffid"]:
    with open(f"{out}/{kind}.tar", "wb") as f:
        forge_layer.write_tar(kind, f)
buffer = io.BytesIO()
with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
    for name, kind in [("usr/", tarfile.DIRTYPE), ("usr/lib/", tarfile.DIRTYPE)]:
        info = tarfile.TarInfo(name); info.type = kind; tar.addfile(info)
    data = b"\x7fELF library\n"
    info = tarfile.TarInfo("usr/lib/libx.so.1"); info.size = len(data); tar.addfile(info, io.BytesIO(data))
    link = tarfile.TarInfo("usr/lib/libx.so"); link.type = tarfile.SYMTYPE; link.linkname = "libx.so.1"; tar.addfile(link)
    hard = tarfile.TarInfo("usr/lib/liby.so.1"); hard.type = tarfile.LNKTYPE; hard.linkname = "usr/lib/libx.so.1"; tar.addfile(hard)
    long = tarfile.TarInfo("usr/" + "d" * 120 + "/file"); long.size = 0; tar.addfile(long, io.BytesIO(b""))
with open(f"{out}/tree.tar", "wb") as f:
    f.write(buffer.getvalue())
PYTHON
for elf in /bin/true /usr/lib/x86_64-linux-gnu/libz.so.1 /usr/aarch64-linux-gnu/lib/libdl.so.2 \
    /usr/lib/aarch64-linux-gnu/libz.so.1; do
    [ -f "$elf" ] && cp "$(realpath "$elf")" "$corpus/elf/$(basename "$elf")"
done
printf '%s\n%s' '127.0.0.1:5000/demo:v1' 'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:demo:pull,push"' > "$corpus/registry/bearer"
printf '%s\n%s' 'registry.example.com/team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' 'Basic realm="Registry Realm"' > "$corpus/registry/basic"
printf '%s\n%s' 'localhost/a/b/c:tag' 'Bearer realm="http://127.0.0.1/t", error="insufficient_scope"' > "$corpus/registry/scope"
hex=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
printf '{"key":"%s","stage":"app","created":1700000000,"manifest":{"stage":"app","parents":{"base":"%s"}},"layer":{"digest":"sha256:%s","size":10,"diff_id":"sha256:%s","uncompressed_size":10240}}' \
    "$hex" "$hex" "$hex" "$hex" > "$corpus/cache_entry/entry.json"

status=0
for harness in "${harnesses[@]}"; do
    program=$build/fuzz/fuzz_$harness
    regressions=fuzz/regressions/$harness
    if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
        "$program" "$regressions"/* > "$build/fuzz-$harness-regressions.log" 2>&1 ||
            { tail -30 "$build/fuzz-$harness-regressions.log"; echo "fuzz: $harness fails a regression input"; status=1; }
    fi
    # -timeout: an input that takes 10 s is a hang; -rss_limit_mb: memory.
    if "$program" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$findings/$harness-" -print_final_stats=1 "$corpus/$harness" \
        > "$build/fuzz-$harness.log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/fuzz-$harness.log")
        echo "fuzz: $harness: $runs executions in ${seconds} s, no finding"
    else
        tail -40 "$build/fuzz-$harness.log"
        echo "fuzz: $harness: FINDING, input in $findings/"
        status=1
    fi
done
exit $status
