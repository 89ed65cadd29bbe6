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
    "leaflet": (
        "1.9.4", "themes/default/static/vendor/leaflet",
        ("dist/leaflet.js", "dist/leaflet.css", "dist/images/layers.png",
         "dist/images/layers-2x.png", "dist/images/marker-icon.png",
         "dist/images/marker-icon-2x.png", "dist/images/marker-shadow.png", "LICENSE"),
    ),
    # STAC Browser's translations of the stac-fields labels and values (German; it has
    # no Swedish), used for field labels on pages in those languages.
    "@radiantearth/stac-browser": (
        "4.0.1", "sitegen/vendor/stac-browser-fields",
        ("src/locales/de/fields.json", "LICENSE"),
    ),
    # Deque's accessibility rules engine, injected into Chromium by the a11y tests.
    "axe-core": ("4.14.1", "tests/data/axe-core", ("axe.min.js", "LICENSE")),
    # The sitemaps.org sitemap schema (2008-03-26), for the sitemap tests.
    "sitemap": ("9.0.1", "tests/data/sitemaps", ("schema/sitemap.xsd", "LICENSE")),
    # Natural Earth 1:110m land (public domain), as TopoJSON; converted below.
    "world-atlas": (
        "2.0.2", "themes/default/static/vendor/natural-earth",
        ("land-110m.json", "LICENSE"),
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
            # dist/images/x.png -> images/x.png: keep the folder layout Leaflet's CSS expects
            target = dest / (file.split("/", 1)[1] if file.startswith(("dist/", "schema/"))
                             else file)
            if file.startswith("src/locales/"):  # src/locales/de/fields.json -> de.json
                target = dest / (file.split("/")[2] + ".json")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / "x" / "package" / file, target)
    if name == "world-atlas":
        land_script(dest / "land-110m.json", dest / "land-110m.js")
        (dest / "land-110m.json").unlink()
    (dest / "VERSION").write_text(
        f"{name}@{version}\nintegrity {integrity}\nfetched {date.today().isoformat()} "
        f"with scripts/vendor.py (npm pack)\n", encoding="utf-8")
    print(f"vendored {name}@{version} -> {dest_rel}")


#: PyPI packages: name -> (version, destination, files inside the wheel).
PYPI: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # A sitemap index schema (sitemaps.org publishes siteindex.xsd; this MIT package
    # ships a copy), for the sitemap index test.
    "sitemap-verify": ("0.1.1", "tests/data/sitemap-index",
                       ("sitemap_verify/schemas/siteindex.xsd",)),
}


def vendor_pypi(name: str) -> None:
    version, dest_rel, files = PYPI[name]
    dest = REPO / dest_rel
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp,
                        f"{name}=={version}"], check=True)
        wheel = next(Path(tmp).glob("*.whl"))
        import zipfile

        with zipfile.ZipFile(wheel) as archive:
            for file in files:
                (dest / Path(file).name).write_bytes(archive.read(file))
            licenses = [n for n in archive.namelist() if "/licenses/" in n or
                        n.endswith(".dist-info/LICENSE")]
            if licenses:
                (dest / f"LICENSE-{name}").write_bytes(archive.read(licenses[0]))
    with open(dest / "VERSION", "a", encoding="utf-8") as fh:
        fh.write(f"{name}=={version} (PyPI) {', '.join(files)}\n")
    print(f"vendored {name}=={version} -> {dest_rel}")


def topojson_to_geojson(topo: dict) -> dict:
    """Decode a TopoJSON GeometryCollection into a GeoJSON FeatureCollection."""
    scale, translate = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append([round(x * scale[0] + translate[0], 3),
                           round(y * scale[1] + translate[1], 3)])
        arcs.append(points)

    def ring(indexes: list[int]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in indexes:
            points = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
            out.extend(points if not out else points[1:])
        # Rings that cross the antimeridian jump from 180 to -180 between two vertices;
        # drawn as they are, that is a band across the whole map. Unwrap them so that
        # consecutive longitudes never differ by more than 180 (the map draws world
        # copies at -360 and +360, so the part beyond 180 shows where it belongs).
        for k in range(1, len(out)):
            while out[k][0] - out[k - 1][0] > 180:
                out[k][0] = round(out[k][0] - 360, 3)
            while out[k][0] - out[k - 1][0] < -180:
                out[k][0] = round(out[k][0] + 360, 3)
        return out

    features = []
    for obj in topo["objects"].values():
        for geom in obj["geometries"]:
            if geom["type"] == "Polygon":
                coords = [ring(r) for r in geom["arcs"]]
            else:
                coords = [[ring(r) for r in poly] for poly in geom["arcs"]]
            features.append({"type": "Feature", "properties": {},
                             "geometry": {"type": geom["type"], "coordinates": coords}})
    return {"type": "FeatureCollection", "features": features}


def land_script(source: Path, target: Path) -> None:
    """Natural Earth land as a classic script (file:// pages cannot fetch() JSON)."""
    data = topojson_to_geojson(json.loads(source.read_text(encoding="utf-8")))
    target.write_text(
        "/* Natural Earth 1:110m land (public domain, naturalearthdata.com), via world-atlas"
        " 2.0.2 (ISC). Generated by scripts/vendor.py. */\n"
        "window.SITEGEN_LAND = " + json.dumps(data, separators=(",", ":")) + ";\n",
        encoding="utf-8")


def main(names: list[str]) -> int:
    for name in names or [*VENDORED, *PYPI]:
        if name in VENDORED:
            vendor(name)
        elif name in PYPI:
            vendor_pypi(name)
        else:
            print(f"unknown package {name!r}; known: {', '.join([*VENDORED, *PYPI])}",
                  file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
