#!/usr/bin/env python3
"""Replaces a cache entry's layer with a hostile one whose digests are valid,
so that only xstage's layer checks stand between it and the disk or an image.

Usage: forge_layer.py KIND CACHE_DIR STAGE_KEY [--stamp]

KIND: dotdot, symlink (escaping paths), absolute, device, setuid, hardlink
(to /etc/passwd), bomb (256 MiB of zeros under an entry that records 10 KiB
uncompressed), diffid (a benign tar under an entry with another diff_id),
backdoor (the stage's own layer plus usr/bin/backdoor, a valid layer that
only a look at its files can tell).
--stamp also writes the cache's "verified" stamp for the forged blob, as if it
had passed a restore: then only the reader in use can refuse it.
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import threading


class Zeros(io.RawIOBase):
    """Reads as `size` zero bytes, without holding them."""

    def __init__(self, size):
        self.left = size

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


def add_file(tar, path, data=b"owned\n", mode=0o644):
    info = tarfile.TarInfo(path)
    info.size = len(data)
    info.mode = mode
    tar.addfile(info, io.BytesIO(data))


def write_tar(kind, out, original=None):
    """The hostile tar of `kind` into `out`; `original` is the layer blob a
    backdoor is added to (ci/fuzz.sh seeds its corpus with the other kinds)."""
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        if kind == "backdoor":
            tar_bytes = subprocess.run(["zstd", "-q", "-d", "-c", original], check=True,
                                       stdout=subprocess.PIPE).stdout
            with tarfile.open(fileobj=io.BytesIO(tar_bytes), mode="r|") as layer:
                for member in layer:
                    tar.addfile(member, layer.extractfile(member) if member.isfile() else None)
            add_file(tar, "usr/bin/backdoor", b"#!/bin/sh\nexec nc -l 4444\n", 0o755)
        elif kind == "dotdot":
            add_file(tar, "usr/../../evil")
        elif kind == "symlink":
            link = tarfile.TarInfo("usr/escape")
            link.type = tarfile.SYMTYPE
            link.linkname = "../../../../etc"
            tar.addfile(link)
            add_file(tar, "usr/escape/evil")
        elif kind == "absolute":
            add_file(tar, "/etc/evil")
        elif kind == "device":
            node = tarfile.TarInfo("dev/evil")
            node.type = tarfile.CHRTYPE
            node.devmajor, node.devminor = 1, 3
            tar.addfile(node)
        elif kind == "setuid":
            add_file(tar, "usr/bin/evil", b"#!/bin/sh\n", 0o4755)
        elif kind == "hardlink":
            link = tarfile.TarInfo("usr/passwd")
            link.type = tarfile.LNKTYPE
            link.linkname = "/etc/passwd"
            tar.addfile(link)
        elif kind == "bomb":
            info = tarfile.TarInfo("zeros")
            info.size = 256 << 20
            tar.addfile(info, Zeros(info.size))
        elif kind == "diffid":
            add_file(tar, "usr/share/benign", b"benign\n")
        else:
            sys.exit(f"unknown kind {kind}")


class Hashing(io.RawIOBase):
    """A sink that hashes and counts what passes into `out`."""

    def __init__(self, out):
        self.out, self.hash, self.size = out, hashlib.sha256(), 0

    def writable(self):
        return True

    def write(self, data):
        self.hash.update(data)
        self.size += len(data)
        self.out.write(data)
        return len(data)


def main():
    kind, cache, key = sys.argv[1:4]
    stamp = "--stamp" in sys.argv[4:]
    entry_path = os.path.join(cache, "entries", key + ".json")
    with open(entry_path) as f:
        entry = json.load(f)
    original = os.path.join(cache, "blobs", "sha256", entry["layer"]["digest"].split(":")[1])
    zstd = subprocess.Popen(["zstd", "-q", "-c"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    tar = Hashing(zstd.stdin)
    # zstd's output is read while the tar is written, so neither pipe fills.
    chunks = []
    reader = threading.Thread(target=lambda: chunks.append(zstd.stdout.read()))
    reader.start()
    write_tar(kind, tar, original)
    zstd.stdin.close()
    reader.join()
    if zstd.wait() != 0:
        sys.exit("zstd failed")
    blob = chunks[0]
    digest = hashlib.sha256(blob).hexdigest()
    blob_path = os.path.join(cache, "blobs", "sha256", digest)
    with open(blob_path, "wb") as out:
        out.write(blob)
    entry["layer"] = {
        "digest": "sha256:" + digest,
        "size": len(blob),
        "diff_id": "sha256:" + ("e" * 64 if kind == "diffid" else tar.hash.hexdigest()),
        "uncompressed_size": 10240 if kind == "bomb" else tar.size,
    }
    with open(entry_path, "w") as f:
        json.dump(entry, f)
    if stamp:
        st = os.stat(blob_path)
        os.makedirs(os.path.join(cache, "verified"), exist_ok=True)
        with open(os.path.join(cache, "verified", digest), "w") as f:
            f.write(
                f"{st.st_size} {st.st_ino} {st.st_mtime_ns // 10**9}.{st.st_mtime_ns % 10**9:09} "
                f"{st.st_ctime_ns // 10**9}.{st.st_ctime_ns % 10**9:09}\n"
            )


if __name__ == "__main__":
    main()
