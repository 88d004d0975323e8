#!/usr/bin/env bash
# The demo app's Debian package, tried as a Debian arm64 user would:
#  1. `xstage package app --deb` twice gives the same bytes; a third run
#     takes it from the cache, and a cached package altered on disk is
#     noticed and written again;
#  2-4. ci/check-deb.sh: lintian finds no error in it; its Depends (computed
#     from the program's shared libraries and the base lock's shlibs files)
#     resolve with apt against an empty arm64 system, and everything is
#     unpacked into a fresh root; the installed /usr/bin/framegrab decodes the
#     installed test video under qemu, with no LD_LIBRARY_PATH;
#  5. a package whose program needs a library no locked package declares is
#     refused, naming the library, and writes nothing.
# Usage: package.sh XSTAGE SOURCE_ROOT [SCRATCH_DIR]  (the demo's stages cached in SCRATCH_DIR/cache)
source "$(dirname "$0")/common.sh"
dir=$scratch/package
x() { "$xstage" --root "$source_root" --cache "$cache" "$@"; }

rm -rf "$dir"
mkdir -p "$dir/a" "$dir/b"

say "the same package twice, then from the cache; a cached package altered on disk is written again"
rm -rf "$cache/packages"
x package app --deb "$dir/a/framegrab.deb" | tee "$dir/package.log"
rm -rf "$cache/packages"
x package app --deb "$dir/b/framegrab.deb" >/dev/null
a=$(sha256sum < "$dir/a/framegrab.deb")
b=$(sha256sum < "$dir/b/framegrab.deb")
[ "$a" = "$b" ] || fail "two runs gave different packages: $a and $b"
x package app --deb "$dir/c.deb" | tee "$dir/cached.log"
grep -q "(from the cache" "$dir/cached.log" || fail "the third run did not take the package from the cache"
cmp -s "$dir/a/framegrab.deb" "$dir/c.deb" || fail "the cached package differs from the written one"
cached=$(ls "$cache"/packages/*.deb)
printf 'X' | dd of="$cached" bs=1 seek=100 conv=notrunc status=none
x package app --deb "$dir/d.deb" | tee "$dir/altered.log"
grep -q "(from the cache" "$dir/altered.log" && fail "an altered cached package was used"
cmp -s "$dir/a/framegrab.deb" "$dir/d.deb" || fail "the package written again differs"
deb=$dir/a/framegrab.deb
dpkg-deb --info "$deb" > "$dir/info.txt"
depends=$(dpkg-deb --field "$deb" Depends)
[[ "$depends" == *"libqt6widgets6"* && "$depends" == *"libc6 (>="* && "$depends" == *"qt6-qpa-plugins"* ]] ||
    fail "Depends lacks the Qt libraries, libc6 or the recipe's qt6-qpa-plugins: $depends"
dpkg-deb --contents "$deb" > "$dir/contents.txt"
for path in ./usr/bin/framegrab ./usr/share/framegrab/tiny.mp4 ./usr/share/applications/framegrab.desktop \
    ./usr/share/doc/framegrab/copyright ./usr/share/doc/framegrab/changelog.gz; do
    grep -q " $path\$" "$dir/contents.txt" || fail "the package lacks $path: $(cat "$dir/contents.txt")"
done
grep -q ' ./opt' "$dir/contents.txt" && fail "the package ships /opt: $(grep ' ./opt' "$dir/contents.txt")"
grep -q 'postinst' "$dir/info.txt" || fail "the recipe's postinst is not in the package"
echo "ok: the same sha256 twice ($a), then from the cache; Depends: $depends"

say "lintian; apt resolves its Depends against an empty arm64 system; it runs from /usr/bin (ci/check-deb.sh)"
bash "$source_root/ci/check-deb.sh" "$deb" "$dir/install" -- /usr/bin/framegrab \
    --save "$dir/frame.png" @ROOT@/usr/share/framegrab/tiny.mp4 | tee "$dir/check-deb.log"
grep -q "framegrab: 5 frames, first 64x48" "$dir/install/run.log" && [ -s "$dir/frame.png" ] ||
    fail "the installed framegrab did not decode the installed video: $(cat "$dir/install/run.log")"
echo "ok: the installed /usr/bin/framegrab decoded /usr/share/framegrab/tiny.mp4"

say "a library no locked package declares is refused, naming it"
copy=$dir/copy
mkdir -p "$copy"
cp -r "$source_root/cross" "$source_root/recipes" "$source_root/examples" "$copy/"
# The app links a shared library of its own that no locked package declares.
sed -i "s|'-DBUILD_TESTING=ON',|'-DBUILD_TESTING=OFF', '-DCMAKE_EXE_LINKER_FLAGS=-Wl,--no-as-needed -L$copy/extra -lunlocked',|" \
    "$copy/recipes/demo/app.ini"
mkdir -p "$copy/extra"
echo 'int unlocked(void) { return 1; }' > "$copy/extra/unlocked.c"
aarch64-linux-gnu-gcc -shared -fPIC -Wl,-soname,libunlocked.so.1 -o "$copy/extra/libunlocked.so" "$copy/extra/unlocked.c"
if "$xstage" --root "$copy" --cache "$cache" package app --deb "$dir/refused.deb" > "$dir/refused.log" 2>&1; then
    fail "a package needing libunlocked.so.1 was written"
fi
grep -q "libunlocked.so.1 (needed by opt/framegrab/bin/framegrab)" "$dir/refused.log" ||
    { cat "$dir/refused.log"; fail "the error does not name libunlocked.so.1"; }
[ ! -e "$dir/refused.deb" ] || fail "a refused package was written"
echo "ok: $(grep -o 'no package locked.*libunlocked.so.1 ([^)]*)' "$dir/refused.log")"
