#!/usr/bin/env python3
"""Benchmark the client-side search on a synthetic catalog (default 100,000 items).

Builds the site with ``sitegen build``, then opens the search page in headless Chromium
(Debian's /usr/bin/chromium) from file:// and runs three typical queries, each on a
fresh page: (a) a place name, (b) a 1 x 1 degree box and one month, (c) one collection
and one year. For each it prints the bytes of index files loaded and the time to results.

    python benchmarks/bench_search.py                 # 100,000 items
    python benchmarks/bench_search.py --items 3000    # a smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]
COLLECTIONS = 10
PLACES = [f"{a}{b}" for a in ("Nor", "Sud", "Ost", "Wes", "Alt", "Neu", "Gran", "Klein", "Berg",
                              "Tal", "See", "Wald", "Feld", "Hof", "Burg", "Stein", "Brun",
                              "Hag", "Lind", "Roth")
          for b in ("heim", "dorf", "stadt", "berg", "feld", "hausen", "ingen", "bach", "au",
                    "see", "wald", "hof", "burg", "tal", "stein", "kirch", "brück", "ried",
                    "moos", "weiler", "mark", "grund", "horn", "eck", "rode")]


def generate(root: Path, n: int) -> None:
    rng = random.Random(7)
    links: list[list[str]] = [[] for _ in range(COLLECTIONS)]
    for i in range(n):
        col = i % COLLECTIONS
        lon, lat = rng.uniform(-180, 179), rng.uniform(-60, 70)
        day = rng.randrange(730)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(1609459200 + day * 86400))
        place = PLACES[rng.randrange(len(PLACES))]
        item = {"type": "Feature", "stac_version": "1.1.0", "id": f"scene-{i:07d}",
                "bbox": [round(lon, 4), round(lat, 4), round(lon + 0.3, 4), round(lat + 0.3, 4)],
                "geometry": None,
                "properties": {"title": f"Scene {i} near {place}", "datetime": stamp,
                               "platform": f"sat-{col}", "instruments": ["imager"]},
                "links": [], "assets": {}}
        folder = root / f"c{col}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"scene-{i:07d}.json").write_text(json.dumps(item))
        links[col].append(f"./scene-{i:07d}.json")
    for col in range(COLLECTIONS):
        (root / f"c{col}" / "collection.json").write_text(json.dumps({
            "type": "Collection", "stac_version": "1.1.0", "id": f"c{col}",
            "title": f"Collection {col}", "description": "Synthetic scenes for the search "
            "benchmark.", "license": "CC0-1.0",
            "extent": {"spatial": {"bbox": [[-180, -60, 180, 70]]},
                       "temporal": {"interval": [["2021-01-01T00:00:00Z", None]]}},
            "links": [{"rel": "item", "href": h} for h in links[col]]}))
    (root / "catalog.json").write_text(json.dumps({
        "type": "Catalog", "stac_version": "1.1.0", "id": "search-bench",
        "description": "Search benchmark", "links": [
            {"rel": "child", "href": f"./c{c}/collection.json"} for c in range(COLLECTIONS)]}))


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the work folder here")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: query the site already built there")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = args.keep or Path(tempfile.mkdtemp(prefix="sitegen-search-bench-"))
    reuse = args.reuse and args.keep is not None and (work / "site" / "search").is_dir()
    try:
        if reuse:
            # the theme's scripts may have changed: refresh them in the kept site
            shutil.copytree(Path(__file__).resolve().parent.parent / "themes" / "default" /
                            "static", work / "site" / "_static", dirs_exist_ok=True)
        else:
            shutil.rmtree(work / "catalog", ignore_errors=True)
            started = time.perf_counter()
            generate(work / "catalog", args.items)
            print(f"generated {args.items:,} items in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "sitegen", "build", str(work / "catalog"),
                            "-o", str(work / "site")], check=True, stderr=subprocess.DEVNULL)
            print(f"built in {time.perf_counter() - started:.1f} s")
        search = work / "site" / "search"
        manifest = (search / "manifest.js").stat().st_size
        chunks = len(list((search / "t").glob("*.js")))
        print(f"index: {folder_bytes(search) / 1e6:.1f} MB in {sum(1 for _ in search.rglob('*'))}"
              f" files; manifest {manifest / 1e3:.1f} kB ({chunks} term chunks listed in it)")
        queries = {
            "(a) text: a place name": f"q={PLACES[123].lower()}",
            "(b) 1x1 degree box + one month": "bbox=10,45,11,46&from=2021-06-01&to=2021-06-30",
            "(c) collection + one year": "c=3&from=2022-01-01&to=2022-12-31",
        }
        url = (search / "index.html").as_uri()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for label, fragment in queries.items():
                page = browser.new_page()
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
                    "file://") else r.abort())
                page.goto(f"{url}#{fragment}")
                page.wait_for_selector("html[data-search='done']", timeout=60_000)
                files = page.evaluate("() => sitegenSearch.files")
                loaded = sum((search / f).stat().st_size for f in files)
                query_ms = page.evaluate("() => sitegenSearch.lastMs")
                since_load = page.evaluate("() => sitegenSearch.sinceLoadMs")
                status = page.locator("#status").inner_text()
                print(f"{label}: {loaded / 1e3:.0f} kB in {len(files)} index files; query "
                      f"{query_ms:.0f} ms, results {since_load:.0f} ms after page start; "
                      f"{status}")
                page.close()
            browser.close()
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
