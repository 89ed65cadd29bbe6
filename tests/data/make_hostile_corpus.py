#!/usr/bin/env python3
"""Write a hostile and broken STAC corpus (DESIGN section 7) into a folder.

Every string a page shows carries a payload that would run if it were ever put into a
page, a script or a shell command unescaped; hrefs try other schemes and path
traversal; documents are broken in the ways real catalogs are. The tests build the
corpus and check that nothing executes, nothing is written outside the output and
every problem is a warning naming its file.

    python tests/data/make_hostile_corpus.py OUT_DIR           # OUT_DIR/corpus/catalog.json
    python tests/data/make_hostile_corpus.py OUT_DIR --large   # + 50,000 children,
                                                                #   10 MB text, 1M vertices

The corpus is generated, not committed: the large cases are tens of megabytes.
``CASES`` lists every case with the place it lands; the tests count them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

#: A marker the browser test watches for: any dialog or console message carrying it
#: means catalog content ran.
MARK = "SITEGEN-XSS"
#: Breaks out of HTML text, attributes (both quotes), <script> blocks, JSON-LD,
#: XML (sitemaps, meta4), template syntax and shell words, and runs code if it can.
PAYLOAD = (f"<script>alert('{MARK}')</script><img src=x onerror=alert('{MARK}')>"
           f"\"'><svg onload=alert('{MARK}')></script>]]>{{{{7*7}}}}"
           f"$(echo {MARK} >&2)`echo {MARK} >&2`;echo {MARK} >&2")
#: A shell word that must stay a word: written as a file name or URL in download.sh.
SHELL = f"$(touch /tmp/{MARK}-shell)`touch /tmp/{MARK}-tick`'\"; touch /tmp/{MARK}-semi"
UNSAFE_HREFS = [f"javascript:alert('{MARK}')", f"JAVASCRIPT:alert('{MARK}')",
                f" javascript:alert('{MARK}')", f"java\tscript:alert('{MARK}')",
                f"data:text/html,<script>alert('{MARK}')</script>",
                f"vbscript:msgbox('{MARK}')"]
TRAVERSAL = ["../../../../tmp/sitegen-evil", "/tmp/sitegen-evil-abs", "%2e%2e/%2e%2e/evil",
             "..\\..\\evil", "evil\u0000nul", "./../outside/catalog.json"]

#: (case, where it lands) for every case the corpus holds.
CASES: list[tuple[str, str]] = []


def case(name: str, where: str) -> None:
    CASES.append((name, where))


def p(label: str) -> str:
    """A payload tagged with where it was put, so a failure says which field leaked."""
    return f"{label} {PAYLOAD}"


def write(path: Path, doc: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, allow_nan=True), encoding="utf-8")


def link(rel: str, href: str, **extra: Any) -> dict[str, Any]:
    return {"rel": rel, "href": href, **extra}


def item(item_id: str, *, props: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "type": "Feature", "stac_version": "1.0.0", "id": item_id,
        "bbox": [10.0, 50.0, 11.0, 51.0],
        "geometry": {"type": "Polygon", "coordinates": [[[10, 50], [11, 50], [11, 51],
                                                         [10, 51], [10, 50]]]},
        "properties": {"datetime": "2022-01-01T00:00:00Z", **(props or {})},
        "links": [link("root", "../catalog.json"), link("parent", "./collection.json")],
        "assets": {},
    }
    doc.update(extra)
    return doc


def payload_collection(root: Path) -> list[str]:
    """A Collection and items with a payload in every string a page shows."""
    folder = root / "payloads"
    hrefs = []
    assets = {
        "data": {"href": f"https://data.example.org/{SHELL}.tif", "title": p("asset title"),
                 "description": p("asset description"), "type": p("media type"),
                 "roles": ["data", p("role")], "file:checksum": p("checksum"),
                 "bands": [{"name": p("band name"), "description": p("band description"),
                            "eo:common_name": p("common name")}],
                 "alternate": {"s3": {"href": f"s3://bucket/{SHELL}.tif",
                                      "title": p("alternate title")}}},
        "relative": {"href": f"./{SHELL}.tif", "roles": ["data"]},
        "quote": {"href": "https://data.example.org/it's \"quoted\" & <b>.tif",
                  "roles": ["data"]},
        "newline": {"href": "https://data.example.org/a\nrm -rf ~\n.tif", "roles": ["data"]},
        "thumbnail": {"href": f"javascript:alert('{MARK}')", "roles": ["thumbnail"],
                      "type": "image/png"},
    }
    case("asset title, description, media type, role, checksum", "item page, JSON-LD")
    case("band name, description, common name", "band table")
    case("alternate href (s3) and title", "asset card")
    case("asset href with $(), backticks, quotes and ;", "download.sh, urls.txt, meta4")
    case("asset href with a newline", "download.sh (must be skipped, not split)")
    case("relative asset href with shell syntax", "download.sh get_site line")
    case("javascript: thumbnail", "img src, og:image, map overlay")
    for n, unsafe in enumerate(UNSAFE_HREFS):
        assets[f"unsafe-{n}"] = {"href": unsafe, "title": f"unsafe href {n}",
                                 "roles": ["data"]}
    case(f"{len(UNSAFE_HREFS)} javascript:/data:/vbscript: asset hrefs", "asset buttons")
    props = {
        "title": p("item title"), "description": p("item description"),
        "keywords": [p("item keyword")], "platform": p("platform"),
        "instruments": [p("instrument")], "constellation": p("constellation"),
        p("property key"): p("property value"),
        "nested": {p("nested key"): [p("nested value")]},
        "sci:citation": p("citation"), "sci:doi": p("doi"),
        "license": p("license"),
        "providers": [{"name": p("item provider"), "url": f"javascript:alert('{MARK}')",
                       "roles": [p("provider role")]}],
    }
    for key in ("item title", "item description", "item keyword", "platform", "instrument",
                "constellation", "property key and value", "nested key and value",
                "sci:citation and sci:doi", "license", "provider name, url and role"):
        case(key, "item page, JSON-LD, search index")
    doc = item(p("item id"), props=props, assets=assets)
    doc["links"] += [link("derived_from", f"javascript:alert('{MARK}')", title=p("link title")),
                     link("via", f"https://example.org/{SHELL}", title=p("via title")),
                     link("license", f"data:text/html,{PAYLOAD}")]
    case("item id", "page path, title, search index, download.sh comment")
    case("link titles and javascript:/data: link hrefs", "related links, JSON copy")
    write(folder / "evil-item.json", doc)
    # Item ids that try to leave the output or collide.
    items = ["evil-item.json"]
    for n, bad_id in enumerate(TRAVERSAL):
        name = f"traversal-{n}.json"
        write(folder / name, item(bad_id, props={"title": f"traversal id {n}"}))
        items.append(name)
    case(f"{len(TRAVERSAL)} traversal item ids (../, absolute, encoded, \\, NUL)",
         "page and JSON paths")
    for n in range(2):
        write(folder / f"dup-{n}.json", item("duplicated-id", props={"title": f"dup {n}"}))
        items.append(f"dup-{n}.json")
    case("two items with the same id", "page paths (both kept)")
    collection = {
        "type": "Collection", "stac_version": "1.0.0", "id": p("collection id"),
        "title": p("collection title"), "description": p("collection description"),
        "keywords": [p("collection keyword")], "license": "proprietary",
        "providers": [{"name": p("provider"), "url": f"javascript:alert('{MARK}')",
                       "description": p("provider description"),
                       "roles": ["producer", p("role")]}],
        "extent": {"spatial": {"bbox": [[10, 50, 11, 51]]},
                   "temporal": {"interval": [["2022-01-01T00:00:00Z", None]]}},
        "summaries": {p("summary key"): [p("summary value")],
                      "eo:bands": [{"name": p("summary band")}],
                      "gsd": {"minimum": p("summary minimum"), "maximum": 10}},
        "item_assets": {"data": {"title": p("item_assets title"), "roles": ["data"]}},
        "assets": {"readme": {"href": f"vbscript:msgbox('{MARK}')", "title": p("readme")}},
        "links": [link("root", "../catalog.json"), link("parent", "../catalog.json"),
                  link("license", f"javascript:alert('{MARK}')", title=p("license title")),
                  *[link("item", f"./{name}") for name in items]],
    }
    for key in ("collection id, title, description, keywords", "provider name, url, role",
                "summaries (keys, values, bands, ranges)", "item_assets", "collection asset",
                "license link"):
        case(key, "collection page, JSON-LD, search index, map popups")
    write(folder / "collection.json", collection)
    hrefs.append("./payloads/collection.json")
    return hrefs


def broken_documents(root: Path) -> list[str]:
    """Documents that do not parse or hold nonsense values."""
    folder = root / "broken"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "invalid.json").write_text('{"type": "Feature", "id": ', encoding="utf-8")
    (folder / "utf8.json").write_bytes(b'{"type": "Feature", "id": "bad \xff\xfe utf-8"}')
    (folder / "empty.json").write_bytes(b"")
    (folder / "array.json").write_text("[1, 2, 3]", encoding="utf-8")
    (folder / "html.json").write_text("<html><body>not json</body></html>", encoding="utf-8")
    case("invalid JSON, invalid UTF-8, empty file, JSON array, HTML", "crawl warnings")
    write(folder / "nan.json", item("nan-item", props={"eo:cloud_cover": math.nan,
                                                      "gsd": math.inf, "x": -math.inf},
                                    bbox=[math.nan, 50, 11, math.inf]))
    case("NaN and Infinity in properties and bbox", "property table, map, JSON-LD")
    # json.dumps writes these as "\\ud800" escapes: valid JSON text, but no UTF-8
    # output can hold an unpaired surrogate (orjson refuses the document).
    write(folder / "surrogates.json", {
        **item("surrogates-\ud800", props={"title": "lone \ud800 and \udfff"}),
        "assets": {"data\udc00": {"href": "./data-\ud800.tif", "title": "band \ud800",
                                   "roles": ["data"]}}})
    case("unpaired surrogate escapes in id, title, asset key and href",
         "item page, JSON copy, download lists, search index")
    bad_boxes = {"bbox-short": [1, 2, 3], "bbox-strings": ["a", "b", "c", "d"],
                 "bbox-flipped": [10, 51, 11, 50], "bbox-huge": [-999, -99, 999, 99],
                 "bbox-3d": [10, 50, -5, 11, 51, 100], "bbox-null": None}
    for name, bbox in bad_boxes.items():
        write(folder / f"{name}.json", item(name, bbox=bbox))
    case(f"{len(bad_boxes)} invalid, 3D and null bboxes", "map, JSON-LD box, search")
    dates = {"date-garbage": "yesterday", "date-empty": "", "date-number": 12345,
             "date-year-0": "0000-00-00T00:00:00Z", "date-range-reversed": None}
    for name, value in dates.items():
        props = {"datetime": value}
        if name == "date-range-reversed":
            props.update(start_datetime="2023-01-01T00:00:00Z",
                         end_datetime="2020-01-01T00:00:00Z")
        write(folder / f"{name}.json", item(name, props=props))
    case(f"{len(dates)} datetimes that do not parse", "dates, sitemap lastmod, search")
    geometries = {"geom-string": "POLYGON((0 0))", "geom-open-ring":
                  {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]},
                  "geom-unknown": {"type": "Sphere", "coordinates": [0, 0]},
                  "geom-nan": {"type": "Point", "coordinates": [math.nan, 1]}}
    for name, geometry in geometries.items():
        write(folder / f"{name}.json", item(name, geometry=geometry))
    case(f"{len(geometries)} broken geometries", "map")
    wrong_types = item("wrong-types", props={"title": 5, "description": ["a"],
                                             "keywords": "not a list"},
                       assets=["not", "a", "dict"], links="nope")
    write(folder / "wrong-types.json", wrong_types)
    case("fields of the wrong JSON type", "every renderer")
    names = ["invalid", "utf8", "empty", "array", "html", "nan", "surrogates", *bad_boxes, *dates,
             *geometries, "wrong-types", "missing"]
    collection = {
        "type": "Collection", "stac_version": "1.0.0", "id": "broken",
        "description": "Broken documents.", "license": "CC-BY-4.0",
        "extent": {"spatial": {"bbox": [[1, 2, 3]]}, "temporal": {"interval": [["never"]]}},
        "links": [link("item", f"./{name}.json") for name in names],
    }
    case("broken link to a missing item", "crawl warning")
    case("invalid collection extent", "collection page, JSON-LD")
    write(folder / "collection.json", collection)
    return ["./broken/collection.json"]


def graph_cases(root: Path) -> list[str]:
    """Cycles, self-links, links up and out, and a chain 200 catalogs deep."""
    cyc = root / "cycles"
    write(cyc / "a" / "catalog.json", {
        "type": "Catalog", "stac_version": "1.0.0", "id": "cycle-a", "description": "A",
        "links": [link("child", "./catalog.json"), link("child", "../b/catalog.json"),
                  link("child", "../../catalog.json"), link("item", "../a/catalog.json")]})
    write(cyc / "b" / "catalog.json", {
        "type": "Catalog", "stac_version": "1.0.0", "id": "cycle-b", "description": "B",
        "links": [link("child", "../a/catalog.json"), link("item", "./catalog.json")]})
    case("self-link, mutual cycle, link to the root, item link to a catalog", "crawl")
    depth = 200
    deep = root / "deep"
    for level in range(depth):
        folder = deep / "/".join(f"d{i}" for i in range(level + 1))
        links = [link("child", f"./d{level + 1}/catalog.json")] if level + 1 < depth else \
            [link("item", "./leaf.json")]
        write(folder / "catalog.json", {"type": "Catalog", "stac_version": "1.0.0",
                                        "id": f"level-{level}", "description": "Deep.",
                                        "links": links})
    leaf = deep / "/".join(f"d{i}" for i in range(depth)) / "leaf.json"
    write(leaf, item("leaf"))
    case(f"nesting {depth} catalogs deep", "paths, breadcrumbs, relative links")
    outside = root.parent / "outside"
    write(outside / "catalog.json", {"type": "Catalog", "stac_version": "1.0.0",
                                     "id": "outside", "description": "Outside the root.",
                                     "links": []})
    case("child link to a catalog outside the root folder", "_external/ pages")
    return ["./cycles/a/catalog.json", "./deep/d0/catalog.json",
            f"../{outside.name}/catalog.json", *TRAVERSAL, *UNSAFE_HREFS]


def large_cases(root: Path, children: int = 50_000) -> list[str]:
    """A catalog with 50,000 children, a 10 MB description, a 1,000,000-vertex geometry."""
    wide = root / "wide"
    wide.mkdir(parents=True, exist_ok=True)
    for n in range(children):
        with open(wide / f"c{n}.json", "w", encoding="utf-8") as fh:
            fh.write(f'{{"type":"Catalog","stac_version":"1.0.0","id":"c{n}",'
                     f'"description":"Child {n}.","links":[]}}')
    write(wide / "catalog.json", {
        "type": "Catalog", "stac_version": "1.0.0", "id": "wide",
        "description": f"{children:,} children.",
        "links": [link("child", f"./c{n}.json") for n in range(children)]})
    case(f"one catalog with {children:,} children", "list pages, map, sitemap")
    big = root / "big"
    text = ("A long description with **markdown** and <b>tags</b>. " * 200_000)[:10_000_000]
    ring = [[10 + math.cos(2 * math.pi * i / 1_000_000), 50 + math.sin(2 * math.pi * i /
                                                                     1_000_000)]
            for i in range(1_000_000)]
    ring.append(ring[0])
    write(big / "huge.json", item("huge", props={"description": text},
                                  geometry={"type": "Polygon", "coordinates": [ring]}))
    write(big / "collection.json", {
        "type": "Collection", "stac_version": "1.0.0", "id": "big",
        "description": text, "license": "CC0-1.0",
        "extent": {"spatial": {"bbox": [[9, 49, 11, 51]]},
                   "temporal": {"interval": [["2022-01-01T00:00:00Z", None]]}},
        "links": [link("item", "./huge.json")]})
    case("10 MB description (collection and item)", "pages, JSON-LD, search")
    case("geometry with 1,000,000 vertices", "map budget, search bbox")
    return ["./wide/catalog.json", "./big/collection.json"]


def write_corpus(folder: Path, large: bool = False) -> list[tuple[str, str]]:
    """Write the corpus: its root is ``folder/corpus/catalog.json``; ``folder/outside``
    holds a catalog the corpus links to from outside its root folder."""
    CASES.clear()
    root = folder / "corpus"
    root.mkdir(parents=True, exist_ok=True)
    children = payload_collection(root) + broken_documents(root) + graph_cases(root)
    if large:
        children += large_cases(root)
    write(root / "catalog.json", {
        "type": "Catalog", "stac_version": "1.0.0", "id": p("root id"),
        "title": p("root title"), "description": p("root description"),
        "links": [link("self", "https://evil.example/catalog.json"),
                  *[link("child", href, title=p("child link title")) for href in children]],
    })
    case("root id, title, description and child link titles", "every page's header, JSON-LD")
    return list(CASES)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write (created)")
    parser.add_argument("--large", action="store_true",
                        help="add 50,000 children, a 10 MB description and 1M vertices")
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        print(f"{args.out} is not empty", file=sys.stderr)
        return 2
    cases = write_corpus(args.out, args.large)
    for name, where in cases:
        print(f"- {name}: {where}")
    files = sum(len(names) for _, _, names in os.walk(args.out))
    print(f"{len(cases)} cases in {files} files below {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
