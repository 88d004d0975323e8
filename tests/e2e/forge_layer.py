#!/usr/bin/env python3
"""Replaces a cache entry's layer with a hostile one whose digests are valid,
so that only the extractor's checks stand between it and the disk.

Usage: forge_layer.py dotdot|symlink CACHE_DIR STAGE_KEY
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile


def hostile_tar(kind):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        if kind == "dotdot":
            data = b"owned\n"
            info = tarfile.TarInfo("usr/../../evil")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        else:
            link = tarfile.TarInfo("usr/escape")
            link.type = tarfile.SYMTYPE
            link.linkname = "../../../../etc"
            tar.addfile(link)
            data = b"owned\n"
            info = tarfile.TarInfo("usr/escape/evil")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def main():
    kind, cache, key = sys.argv[1:4]
    tar = hostile_tar(kind)
    blob = subprocess.run(["zstd", "-q", "-c"], input=tar, check=True, capture_output=True).stdout
    digest = hashlib.sha256(blob).hexdigest()
    with open(os.path.join(cache, "blobs", "sha256", digest), "wb") as out:
        out.write(blob)
    entry_path = os.path.join(cache, "entries", key + ".json")
    with open(entry_path) as f:
        entry = json.load(f)
    entry["layer"] = {
        "digest": "sha256:" + digest,
        "size": len(blob),
        "diff_id": "sha256:" + hashlib.sha256(tar).hexdigest(),
        "uncompressed_size": len(tar),
    }
    with open(entry_path, "w") as f:
        json.dump(entry, f)


if __name__ == "__main__":
    main()
