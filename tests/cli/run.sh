#!/usr/bin/env bash
# xstage run: every exec of an aarch64 program in the command's tree goes
# through the export's emulator, however it is started (the command itself,
# sh, make, env's execvp, python's subprocess, posix_spawn), and nothing else
# does. A static aarch64 program stands in for a test binary; the emulator is
# qemu with a marker, as `xstage sysroot` writes it with a sysroot.
# Usage: run.sh XSTAGE SOURCE_ROOT
set -euo pipefail
xstage=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() {
    printf 'FAIL: %s\n' "$*"
    exit 1
}

cat > hello.c <<'EOF'
#include <stdio.h>
int main(int argc, char** argv) {
  printf("aarch64:");
  for (int i = 0; i < argc; ++i) printf(" [%s]", argv[i]);
  printf("\n");
  return argc > 1 && argv[1][0] == 'x' ? 3 : 0;
}
EOF
aarch64-linux-gnu-gcc -static -o hello hello.c
mkdir export
cat > export/emulator <<'EOF'
#!/bin/sh
echo "emulated" >> "${EMULATED_LOG:?}"
exec qemu-aarch64-static -U LD_PRELOAD "$@"
EOF
chmod +x export/emulator
export EMULATED_LOG=$work/emulated.log

expect() {
    local expected=$1
    shift
    : > "$EMULATED_LOG"
    local output
    output=$("$xstage" run --sysroot "$work/export" -- "$@" 2>&1) || fail "xstage run -- $*: exit $?: $output"
    [ "$output" = "$expected" ] || fail "xstage run -- $*: expected '$expected', got '$output'"
    echo "ok: xstage run -- $*"
}

# Without xstage run, the kernel refuses the program: the test can fail.
if output=$(./hello 2>&1); then
    fail "./hello ran natively: $output (is binfmt_misc registered? this test needs it not to be)"
fi

expect "aarch64: [./hello] [a b] [c]" ./hello "a b" c
# A target program without execute permission is refused as the kernel
# refuses any such file, with a message, not handed to the emulator.
cp hello hello-noexec
chmod -x hello-noexec
: > "$EMULATED_LOG"
if output=$("$xstage" run --sysroot "$work/export" -- sh -c ./hello-noexec 2>&1); then
    fail "a program without execute permission ran: $output"
fi
[[ "$output" == *"Permission denied"* ]] || fail "no 'Permission denied' for a program without execute permission: $output"
[ ! -s "$EMULATED_LOG" ] || fail "a program without execute permission was handed to the emulator"
echo "ok: a program without execute permission: $output"
# A script whose interpreter is a target program: the kernel refuses the
# interpreter, and glibc would hand the script to /bin/sh.
printf '#!%s from-shebang\n' "$work/hello" > script.sh
chmod +x script.sh
expect "aarch64: [$work/hello] [from-shebang] [./script.sh] [a]" ./script.sh a
expect "aarch64: [$work/hello] [from-shebang] [./script.sh] [sh]" sh -c './script.sh sh'
expect "aarch64: [./hello] [sh]" sh -c './hello sh'
expect "aarch64: [./hello] [env]" env ./hello env
expect "aarch64: [./hello] [python]" python3 -c 'import subprocess; subprocess.run(["./hello", "python"])'
printf 'check:\n\t@./hello make\n\t@echo host: $$(uname -m)\n' > Makefile
expect "aarch64: [./hello] [make]
host: x86_64" make -s check
# posix_spawn and posix_spawnp (a PATH lookup), as GNU make 4.4 and many
# test runners start their children.
spawn='import os, sys; pid = getattr(os, sys.argv[1])(sys.argv[2], sys.argv[2:], os.environ); sys.exit(os.waitpid(pid, 0)[1])'
expect "aarch64: [./hello] [spawn]" python3 -c "$spawn" posix_spawn ./hello spawn
PATH=$work:$PATH expect "aarch64: [hello] [spawnp]" python3 -c "$spawn" posix_spawnp hello spawnp
[ "$(wc -l < "$EMULATED_LOG")" = 1 ] || fail "the emulator ran $(wc -l < "$EMULATED_LOG") times for one program"

# The program's exit status comes back through make and xstage run.
: > "$EMULATED_LOG"
status=0
"$xstage" run --sysroot "$work/export" -- sh -c './hello x' > /dev/null || status=$?
[ "$status" = 3 ] || fail "exit status $status, expected the program's 3"
echo "ok: the program's exit status"

# XSTAGE_SYSROOT (configure.env sets it) stands for --sysroot, and the
# export's sysroot/ directory names the export too.
mkdir export/sysroot
[ "$(XSTAGE_SYSROOT=$work/export/sysroot "$xstage" run -- ./hello e)" = "aarch64: [./hello] [e]" ] ||
    fail "XSTAGE_SYSROOT was not used"
echo "ok: XSTAGE_SYSROOT"

errors=$("$xstage" run --sysroot "$work" -- true 2>&1) && fail "a directory without an emulator was accepted"
[ "$errors" = "xstage: error: $work has no emulator script: give the directory \`xstage sysroot\` wrote (--sysroot DIR or XSTAGE_SYSROOT)" ] ||
    fail "unexpected error: $errors"
errors=$(env -u XSTAGE_SYSROOT "$xstage" run -- true 2>&1) && fail "no sysroot was accepted"
[[ "$errors" == "xstage: error: xstage run needs a sysroot: "* ]] || fail "unexpected error: $errors"
echo "ok: errors name what is missing"
