#!/usr/bin/env python3
"""Benchmark a full ``sitegen build`` of a synthetic Sentinel-2-like catalog.

Generates N items (default 10,000; about 15 assets each, eo / proj / file fields) with
a streaming generator, builds the site with the real command line in a child
process, samples the memory of the whole process tree, and prints items per second,
peak memory and output size. In the same run it measures:

- the floor: read every item file with orjson and write the same number of bytes,
  in the same number of files and folders, with as many processes as the build;
- a naive baseline on a 2,000-item subset (pystac ``get_items(recursive=True)``,
  ``to_dict``, a folium Map, a Jinja render, a write per item), extrapolated;
- the ratios build/floor and naive/build;
- rebuilds with the build cache: nothing changed, and one item's title edited.

    python benchmarks/bench_build.py                 # 10,000 items
    python benchmarks/bench_build.py --large         # 100,000 items
    python benchmarks/bench_build.py --items 300     # a smoke run (CI)

Timings are printed, never asserted: speed is measured here, not in tests.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import psutil

BANDS = [("B01", "coastal", 0.443, 60), ("B02", "blue", 0.49, 10), ("B03", "green", 0.56, 10),
         ("B04", "red", 0.665, 10), ("B05", "rededge", 0.704, 20), ("B06", "rededge", 0.74, 20),
         ("B07", "rededge", 0.783, 20), ("B08", "nir", 0.842, 10), ("B8A", "nir08", 0.865, 20),
         ("B09", "nir09", 0.945, 60), ("B11", "swir16", 1.61, 20), ("B12", "swir22", 2.19, 20)]
EXTENSIONS = ["https://stac-extensions.github.io/eo/v2.0.0/schema.json",
              "https://stac-extensions.github.io/projection/v2.0.0/schema.json",
              "https://stac-extensions.github.io/file/v2.1.0/schema.json",
              "https://stac-extensions.github.io/view/v1.0.0/schema.json"]
COG = "image/tiff; application=geotiff; profile=cloud-optimized"
COLLECTIONS = 10


def items(n: int, seed: int = 42) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(collection index, item dict)`` one at a time (never all in memory)."""
    rng = random.Random(seed)
    for i in range(n):
        col = i % COLLECTIONS
        lon = -180 + rng.random() * 359
        lat = -60 + rng.random() * 130
        size = 1.0
        bbox = [round(lon, 4), round(lat, 4), round(lon + size, 4), round(lat + size * 0.9, 4)]
        day = i // max(1, n // 730)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1609459200 + day * 86400 +
                                                                rng.randrange(86400)))
        item_id = f"S2{'AB'[i % 2]}_MSIL2A_{stamp[:10].replace('-', '')}_{i:07d}"
        base = f"https://data.example.org/s2/{item_id}"
        assets: dict[str, Any] = {}
        for name, common, wavelength, gsd in BANDS:
            assets[name] = {"href": f"{base}/{name}.tif", "type": COG,
                            "title": f"Band {name} ({common})", "roles": ["data"],
                            "gsd": gsd, "file:size": rng.randrange(10**7, 2 * 10**8),
                            "bands": [{"name": name, "eo:common_name": common,
                                       "eo:center_wavelength": wavelength}]}
        assets["visual"] = {"href": f"{base}/TCI.tif", "type": COG, "title": "True colour",
                            "roles": ["visual"], "file:size": rng.randrange(10**7, 10**8)}
        assets["thumbnail"] = {"href": f"{base}/preview.jpg", "type": "image/jpeg",
                               "title": "Thumbnail", "roles": ["thumbnail"]}
        assets["metadata"] = {"href": f"{base}/metadata.xml", "type": "application/xml",
                              "title": "Original metadata", "roles": ["metadata"]}
        yield col, {
            "type": "Feature", "stac_version": "1.1.0", "stac_extensions": EXTENSIONS,
            "id": item_id, "bbox": bbox,
            "geometry": {"type": "Polygon", "coordinates": [[
                [bbox[0], bbox[1]], [bbox[2], bbox[1]], [bbox[2], bbox[3]],
                [bbox[0], bbox[3]], [bbox[0], bbox[1]]]]},
            "properties": {"datetime": stamp, "platform": f"sentinel-2{'ab'[i % 2]}",
                           "constellation": "sentinel-2", "instruments": ["msi"],
                           "eo:cloud_cover": round(rng.random() * 100, 2),
                           "proj:code": f"EPSG:326{1 + int((lon + 180) // 6):02d}",
                           "view:sun_elevation": round(20 + rng.random() * 50, 2),
                           "s2:mgrs_tile": f"{1 + int((lon + 180) // 6):02d}ABC"},
            "links": [{"rel": "root", "href": "../../catalog.json", "type": "application/json"},
                      {"rel": "parent", "href": "../collection.json",
                       "type": "application/json"},
                      {"rel": "collection", "href": "../collection.json",
                       "type": "application/json"}],
            "assets": assets,
            "collection": f"sentinel-2-l2a-part-{col}",
        }


def generate(root: Path, n: int) -> int:
    """Write the catalog below ``root``; returns the bytes written."""
    written = 0
    item_links: list[list[dict[str, str]]] = [[] for _ in range(COLLECTIONS)]
    for col, item in items(n):
        folder = root / f"part-{col}" / item["id"]
        folder.mkdir(parents=True, exist_ok=True)
        data = orjson.dumps(item, option=orjson.OPT_INDENT_2)
        (folder / f"{item['id']}.json").write_bytes(data)
        written += len(data)
        item_links[col].append({"rel": "item", "href": f"./{item['id']}/{item['id']}.json",
                                "type": "application/geo+json"})
    for col in range(COLLECTIONS):
        collection = {
            "type": "Collection", "stac_version": "1.1.0", "id": f"sentinel-2-l2a-part-{col}",
            "title": f"Sentinel-2 L2A, part {col}",
            "description": "Synthetic **Sentinel-2** scenes for benchmarking.",
            "license": "other", "extent": {"spatial": {"bbox": [[-180, -60, 180, 70]]},
                                           "temporal": {"interval": [["2021-01-01T00:00:00Z",
                                                                      None]]}},
            "links": [{"rel": "root", "href": "../catalog.json"},
                      {"rel": "parent", "href": "../catalog.json"}, *item_links[col]],
        }
        data = orjson.dumps(collection, option=orjson.OPT_INDENT_2)
        (root / f"part-{col}" / "collection.json").write_bytes(data)
        written += len(data)
    catalog = {"type": "Catalog", "stac_version": "1.1.0", "id": "bench",
               "description": "Synthetic benchmark catalog.",
               "links": [{"rel": "child", "href": f"./part-{c}/collection.json"}
                         for c in range(COLLECTIONS)]}
    (root / "catalog.json").write_bytes(orjson.dumps(catalog, option=orjson.OPT_INDENT_2))
    return written


class TreeMemory:
    """Samples the summed RSS of a process and all its children."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.process, *self.process.children(recursive=True)]
                total = 0
                for proc in procs:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                return
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def tree_bytes(path: Path) -> tuple[int, int]:
    files = total = 0
    for dirpath, _dirs, names in os.walk(path):
        for name in names:
            total += os.lstat(os.path.join(dirpath, name)).st_size
            files += 1
    return files, total


def item_files(catalog: Path) -> list[Path]:
    """The item files of a generated catalog, in generation order of their folders."""
    return sorted(p for p in catalog.glob("part-*/*/*.json"))


def _floor_worker(args: tuple[list[str], str, int, int]) -> int:
    paths, out, files_per_item, bytes_per_file = args
    blob = b"x" * bytes_per_file
    read = 0
    for path in paths:
        with open(path, "rb") as fh:
            doc = orjson.loads(fh.read())
        read += len(doc)
        folder = os.path.join(out, os.path.basename(os.path.dirname(path)))
        os.makedirs(folder, exist_ok=True)
        for k in range(files_per_item):
            with open(os.path.join(folder, f"f{k}"), "wb") as fh:
                fh.write(blob)
    return read


def floor(catalog: Path, out: Path, files: int, size: int, jobs: int) -> float:
    """Seconds to read every item with orjson and write ``size`` bytes in ``files`` files.

    The work is split over ``jobs`` processes, like the build's.
    """
    from concurrent.futures import ProcessPoolExecutor

    paths = [str(p) for p in item_files(catalog)]
    per_item = max(1, round(files / max(1, len(paths))))
    per_file = size // max(1, per_item * len(paths))
    shares = [(paths[i::jobs], str(out), per_item, per_file) for i in range(jobs)]
    os.sync()
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(_floor_worker, shares))
    return time.perf_counter() - started


NAIVE_TEMPLATE = """<!doctype html><html><head><title>{{ item.id }}</title>
{{ map_head }}</head><body><h1>{{ item.id }}</h1>{{ map_body }}
<table>{% for k, v in item.properties.items() %}<tr><th>{{ k }}</th><td>{{ v }}</td></tr>
{% endfor %}</table>
{% for key, a in item.assets.items() %}<div><h3>{{ a.title or key }}</h3>
<a href="{{ a.href }}">Download</a> {{ a.type }}<table>{% for k, v in a.items() %}
<tr><th>{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table></div>{% endfor %}
<pre>{{ item | tojson(indent=2) }}</pre></body></html>"""


def naive(catalog: Path, out: Path, limit: int) -> tuple[int, float]:
    """The straightforward build on the first ``limit`` items: (items, seconds)."""
    import folium
    import jinja2
    import pystac

    template = jinja2.Environment(autoescape=True).from_string(NAIVE_TEMPLATE)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    root = pystac.Catalog.from_file(str(catalog / "catalog.json"))
    done = 0
    for item in root.get_items(recursive=True):
        data = item.to_dict()
        fmap = folium.Map(location=[0, 0], zoom_start=5)
        folium.GeoJson(data["geometry"]).add_to(fmap)
        west, south, east, north = data["bbox"]
        fmap.fit_bounds([[south, west], [north, east]])
        figure: Any = fmap.get_root()
        figure.render()
        html = template.render(item=data, map_head=figure.header.render(),
                               map_body=figure.html.render())
        (out / f"{item.id}.html").write_text(html, encoding="utf-8")
        done += 1
        if done >= limit:
            break
    return done, time.perf_counter() - started


def map_costs(samples: int = 2000) -> tuple[float, float]:
    """Per-item map cost (ms): our skeleton + data injection vs. one folium Map per item."""
    import folium

    from sitegen.maps import item_geometry, script_json

    item = next(items(1))[1]
    started = time.perf_counter()
    for _ in range(samples):
        geometry, _note = item_geometry(item["geometry"], tuple(item["bbox"]))
        script_json({"kind": "item", "footprint": geometry, "bounds": None})
    ours = (time.perf_counter() - started) * 1000 / samples
    started = time.perf_counter()
    for _ in range(20):
        fmap = folium.Map(location=[0, 0], zoom_start=5)
        folium.GeoJson(item["geometry"]).add_to(fmap)
        fmap.fit_bounds([[item["bbox"][1], item["bbox"][0]], [item["bbox"][3], item["bbox"][2]]])
        fmap.get_root().render()
    naive = (time.perf_counter() - started) * 1000 / 20
    return ours, naive


def timed(command: list[str], env: dict[str, str], label: str = "",
          ) -> tuple[int, float, int]:
    """Run a build: ``(return code, seconds, peak memory of the process tree)``. With a
    label, the build's own ``--timings`` are printed under it."""
    started = time.perf_counter()
    proc = subprocess.Popen([*command, "--timings"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=env)
    memory = TreeMemory(proc.pid)
    _, stderr = proc.communicate()
    seconds = time.perf_counter() - started
    peak = memory.stop()
    if proc.returncode != 0:
        print(stderr, file=sys.stderr)
    elif label:
        steps = [line for line in stderr.splitlines() if line.startswith("  ")]
        print(f"{label} steps:\n" + "\n".join(steps))
    return proc.returncode, seconds, peak


def edit_one_item(catalog: Path) -> str:
    """Change the title of one item in the middle of the catalog; returns its name."""
    files = item_files(catalog)
    path = files[len(files) // 2]
    doc = orjson.loads(path.read_bytes())
    doc["properties"]["title"] = "Edited for the rebuild benchmark"
    path.write_bytes(orjson.dumps(doc))
    return path.name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000, help="items to generate")
    parser.add_argument("--large", action="store_true", help="100,000 items")
    parser.add_argument("--naive-items", type=int, default=2_000,
                        help="size of the subset the naive baseline builds")
    parser.add_argument("--jobs", type=int, default=None, help="sitegen --jobs")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where to put the catalog and site (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the catalog and site")
    args = parser.parse_args()
    if args.large:
        args.items = 100_000

    work = args.workdir or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    catalog, site = work / "catalog", work / "site"
    shutil.rmtree(catalog, ignore_errors=True)
    shutil.rmtree(site, ignore_errors=True)
    try:
        started = time.perf_counter()
        source_bytes = generate(catalog, args.items)
        print(f"generated {args.items:,} items ({source_bytes / 1e6:.1f} MB of JSON) "
              f"in {time.perf_counter() - started:.1f} s")
        # A base URL turns on everything that needs one (sitemap, absolute JSON-LD URLs).
        command = [sys.executable, "-m", "sitegen", "build", str(catalog), "-o", str(site),
                   "--base-url", "https://bench.example/"]
        if args.jobs:
            command += ["--jobs", str(args.jobs)]
        # The build cache goes to the work folder, so it is removed with it. The builds
        # run with their modules' byte code, as an installed package does (pip compiles
        # modules when it installs them), even from a source checkout in an environment
        # that turns writing byte code off: the first build writes sitegen's.
        env = {**os.environ, "SITEGEN_CACHE_DIR": str(work / "cache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        shutil.rmtree(work / "cache", ignore_errors=True)
        os.sync()  # the generator's writes must not slow the build down
        returncode, seconds, peak = timed(command, env, "full build")
        if returncode != 0:
            return returncode
        files, size = tree_bytes(site)
        cores = os.cpu_count() or 1
        print(f"build: {seconds:.1f} s for {args.items:,} items = "
              f"{args.items / seconds:,.0f} items/s ({cores} cores, jobs={args.jobs or cores})")
        print(f"peak memory (process tree): {peak / 2**20:,.0f} MiB")
        print(f"output: {files:,} files, {size / 1e6:,.1f} MB "
              f"({size / max(1, args.items) / 1e3:.1f} kB per item)")
        per_item_ms = seconds * 1000 / max(1, args.items) * min(cores, args.jobs or cores)
        print(f"cost per item: {per_item_ms:.2f} ms of worker time")
        if math.isfinite(seconds) and args.items:
            print(f"extrapolated to 100,000 items: {seconds * 100_000 / args.items:,.0f} s")
        # Rebuilds with the build cache: nothing changed, then one item's title changed.
        os.sync()
        returncode, noop_s, _ = timed(command, env)
        edited = edit_one_item(catalog)
        os.sync()
        returncode2, edit_s, edit_peak = timed(command, env, "rebuild after one edit")
        if returncode or returncode2:
            return returncode or returncode2
        print(f"rebuild, nothing changed: {noop_s:.1f} s; after editing the title of one "
              f"item ({edited}): {edit_s:.1f} s, peak {edit_peak / 2**20:,.0f} MiB")
        jobs = args.jobs or cores
        floor_s = floor(catalog, work / "floor", files, size, jobs)
        print(f"floor: {floor_s:.1f} s (orjson read of every item and {size / 1e6:,.1f} MB "
              f"written in {files:,} files, {jobs} processes)")
        shutil.rmtree(work / "floor", ignore_errors=True)
        subset, naive_s = naive(catalog, work / "naive", min(args.naive_items, args.items))
        naive_full = naive_s * args.items / max(1, subset)
        print(f"naive: {naive_s:.1f} s for {subset:,} items = {subset / naive_s:,.0f} items/s "
              f"(pystac walk, to_dict, folium Map, Jinja, write); extrapolated to "
              f"{args.items:,} items: {naive_full:,.0f} s")
        shutil.rmtree(work / "naive", ignore_errors=True)
        print(f"ratios: build/floor {seconds / floor_s:.2f}, naive/build "
              f"{naive_full / seconds:.1f}")
        ours, naive_map = map_costs()
        print(f"map per item page: {ours:.3f} ms (skeleton built once + page data) vs "
              f"{naive_map:.2f} ms for a folium Map per page")
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
