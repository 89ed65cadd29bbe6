#!/usr/bin/env python3
"""Fetch pinned third-party files from the npm registry with ``npm pack``.

Every vendored package lands in its own folder with its LICENSE and a VERSION file
(name, version, npm integrity hash, date of fetching), so what we ship can be traced.
Nothing is loaded from a CDN at run time: the site ships these files.

Usage: python scripts/vendor.py [PACKAGE ...]    (default: all of VENDORED)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: package -> (version, destination folder, files to take from the tarball's package/)
VENDORED: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "@radiantearth/stac-fields": (
        "1.6.1", "sitegen/vendor/stac-fields",
        ("fields-normalized.json", "languages.json", "LICENSE", "README.md"),
    ),
}


def npm(*args: str, cwd: Path) -> str:
    return subprocess.run(["npm", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def vendor(name: str) -> None:
    version, dest_rel, files = VENDORED[name]
    dest = REPO / dest_rel
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        tarball = npm("pack", f"{name}@{version}", "--silent", cwd=work).strip().splitlines()[-1]
        integrity = json.loads(npm("view", f"{name}@{version}", "dist.integrity", "--json",
                                   cwd=work))
        with tarfile.open(work / tarball) as tar:
            tar.extractall(work / "x", filter="data")
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        for file in files:
            shutil.copyfile(work / "x" / "package" / file, dest / file)
    (dest / "VERSION").write_text(
        f"{name}@{version}\nintegrity {integrity}\nfetched {date.today().isoformat()} "
        f"with scripts/vendor.py (npm pack)\n", encoding="utf-8")
    print(f"vendored {name}@{version} -> {dest_rel}")


def main(names: list[str]) -> int:
    for name in names or list(VENDORED):
        if name not in VENDORED:
            print(f"unknown package {name!r}; known: {', '.join(VENDORED)}", file=sys.stderr)
            return 2
        vendor(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
