#!/usr/bin/env python3
"""Write the bundled sample catalog (``sample_catalog/``), deterministically.

The catalog is fictional but shaped like a real publisher's: a root catalog, a
national sub-catalog, four collections and 28 items with small PNG thumbnails,
markdown descriptions, providers, licenses, eo / proj / file / scientific fields,
an item crossing the antimeridian, an item with null geometry, and non-ASCII text.
Data assets point at example.org (reserved for examples); thumbnails are real files.

Usage: python scripts/make_sample_catalog.py [OUTPUT_DIR]
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import sys
import zlib
from pathlib import Path

STAC = "1.1.0"
EXT = {
    "eo": "https://stac-extensions.github.io/eo/v2.0.0/schema.json",
    "proj": "https://stac-extensions.github.io/projection/v2.0.0/schema.json",
    "file": "https://stac-extensions.github.io/file/v2.1.0/schema.json",
    "sci": "https://stac-extensions.github.io/scientific/v1.0.0/schema.json",
    "storage": "https://stac-extensions.github.io/storage/v2.0.0/schema.json",
    "alternate": "https://stac-extensions.github.io/alternate-assets/v1.2.0/schema.json",
}
DATA_HOST = "https://data.example.org/open-geodata"


def png(width: int, height: int, seed: str, palette: tuple[tuple[int, int, int], ...]) -> bytes:
    """A small deterministic PNG: soft bands of the palette, varied by ``seed``."""
    digest = hashlib.sha256(seed.encode()).digest()
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            v = (x * digest[0] // 7 + y * digest[1] // 5 + (x * y) // (digest[2] % 17 + 3)) % 64
            a, b = palette[(v // 16) % len(palette)], palette[(v // 16 + 1) % len(palette)]
            t = (v % 16) / 16
            row += bytes(int(a[i] * (1 - t) + b[i] * t) for i in range(3))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


def checksum(text: str) -> str:
    """A sha2-256 multihash (as the file extension writes it) of ``text``."""
    return "1220" + hashlib.sha256(text.encode()).hexdigest()


def box(west: float, south: float, east: float, north: float) -> dict:
    """A GeoJSON polygon for a bbox (split at the antimeridian when west > east)."""
    if west > east:
        return {"type": "MultiPolygon", "coordinates": [
            [[[west, south], [180.0, south], [180.0, north], [west, north], [west, south]]],
            [[[-180.0, south], [east, south], [east, north], [-180.0, north],
              [-180.0, south]]],
        ]}
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north],
                                                [west, north], [west, south]]]}


PROVIDERS_SE = [
    {"name": "Geodatabyrån Skåne (fictional)", "roles": ["producer", "licensor"],
     "url": "https://geodata.example.org/skane",
     "description": "Regional mapping office that flies and processes the imagery."},
    {"name": "Open Geodata Hosting", "roles": ["host"], "url": "https://data.example.org/"},
]


def write(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def link(rel: str, href: str, title: str | None = None, media: str = "application/json") -> dict:
    out = {"rel": rel, "href": href, "type": media}
    if title:
        out["title"] = title
    return out


def make_collection(out: Path, folder: str, meta: dict, items: list[dict], depth: int,
                    palette: tuple[tuple[int, int, int], ...]) -> None:
    """Write a collection, its thumbnail and its items (one folder per item)."""
    up = "../" * depth
    col_dir = out / folder
    col_dir.mkdir(parents=True, exist_ok=True)
    (col_dir / "thumbnail.png").write_bytes(png(96, 96, meta["id"], palette))
    links = [link("root", f"{up}catalog.json", "Sample catalog"),
             link("parent", "../catalog.json" if depth > 1 else f"{up}catalog.json")]
    links += meta.pop("extra_links", [])
    for item in items:
        links.append(link("item", f"./{item['id']}/{item['id']}.json", item["title"],
                          "application/geo+json"))
    collection = {
        "type": "Collection", "stac_version": STAC, "stac_extensions": meta.pop("extensions"),
        "id": meta["id"], "title": meta["title"], "description": meta["description"],
        "keywords": meta["keywords"], "license": meta["license"],
        "providers": meta["providers"], "extent": meta["extent"],
        "summaries": meta["summaries"],
        "assets": {"thumbnail": {"href": "./thumbnail.png", "type": "image/png",
                                 "title": "Collection preview", "roles": ["thumbnail"]}},
        "links": links,
    }
    for key in ("sci:doi", "sci:citation", "sci:publications"):
        if key in meta:
            collection[key] = meta[key]
    write(col_dir / "collection.json", collection)
    for item in items:
        item_dir = col_dir / item["id"]
        item_dir.mkdir(parents=True, exist_ok=True)
        (item_dir / "thumbnail.png").write_bytes(png(64, 64, item["id"], palette))
        doc = {
            "type": "Feature", "stac_version": STAC, "stac_extensions": item["extensions"],
            "id": item["id"], "geometry": item["geometry"],
            **({"bbox": item["bbox"]} if item["bbox"] is not None else {}),
            "properties": item["properties"],
            "links": [link("root", f"../{up}catalog.json", "Sample catalog"),
                      link("parent", "../collection.json", meta["title"]),
                      link("collection", "../collection.json", meta["title"])],
            "assets": {"thumbnail": {"href": "./thumbnail.png", "type": "image/png",
                                     "title": "Thumbnail", "roles": ["thumbnail"]},
                       **item["assets"]},
            "collection": meta["id"],
        }
        write(item_dir / f"{item['id']}.json", doc)


def data_asset(path: str, title: str, media: str, size: int, roles: list[str],
               **extra: object) -> dict:
    return {"href": f"{DATA_HOST}/{path}", "type": media, "title": title, "roles": roles,
            "file:size": size, "file:checksum": checksum(path), **extra}


COG = "image/tiff; application=geotiff; profile=cloud-optimized"


def orthophotos() -> tuple[dict, list[dict]]:
    items = []
    tiles = [(12.9, 55.5), (13.1, 55.5), (13.3, 55.5), (13.5, 55.5),
             (12.9, 55.7), (13.1, 55.7), (13.3, 55.7), (13.5, 55.7)]
    places = ["Malmö väst", "Malmö öst", "Svedala", "Sjöbo syd", "Lomma", "Lund",
              "Dalby", "Sjöbo nord"]
    for n, ((lon, lat), place) in enumerate(zip(tiles, places, strict=True)):
        tile = f"ortho-2023-{n + 1:02d}"
        bbox = [lon, lat, round(lon + 0.2, 3), round(lat + 0.2, 3)]
        items.append({
            "id": tile, "title": f"Orthophoto {place}", "bbox": bbox, "geometry": box(*bbox),
            "extensions": [EXT["proj"], EXT["file"]],
            "properties": {
                "title": f"Orthophoto {place}",
                "datetime": f"2023-06-{10 + n:02d}T10:{15 + n:02d}:00Z",
                "platform": "aircraft", "instruments": ["UltraCam Eagle"], "gsd": 0.25,
                "proj:code": "EPSG:3006", "created": "2023-09-01T08:00:00Z",
                "updated": "2024-02-12T12:30:00Z",
            },
            "assets": {"image": data_asset(f"ortho/2023/{tile}.tif", "RGB orthophoto (COG)",
                                           COG, 412_000_000 + n * 1_234_567, ["data"]),
                       "metadata": data_asset(f"ortho/2023/{tile}.xml", "Flight metadata",
                                              "application/xml", 14_200 + n, ["metadata"])},
        })
    meta = {
        "id": "orthophoto-skane-2023", "title": "Orthophotos Skåne 2023",
        "description": (
            "True-colour **orthophotos** of south-west Skåne, flown in June 2023 at 25 cm "
            "ground sample distance.\n\nEach tile covers about 13 × 22 km and is delivered "
            "as a Cloud-Optimized GeoTIFF in SWEREF 99 TM (EPSG:3006).\n\n"
            "* Flight altitude: 3 700 m\n* Camera: UltraCam Eagle Mark 3\n\n"
            "See the [product description](https://geodata.example.org/skane/ortho) for "
            "accuracy figures."),
        "keywords": ["orthophoto", "aerial imagery", "Skåne", "Sverige", "INSPIRE"],
        "license": "CC-BY-4.0", "providers": PROVIDERS_SE,
        "extensions": [EXT["proj"], EXT["file"]],
        "extent": {"spatial": {"bbox": [[12.9, 55.5, 13.7, 55.9]]},
                   "temporal": {"interval": [["2023-06-10T00:00:00Z",
                                              "2023-06-17T23:59:59Z"]]}},
        "summaries": {"gsd": [0.25], "platform": ["aircraft"],
                      "proj:code": ["EPSG:3006"], "instruments": ["UltraCam Eagle"]},
    }
    return meta, items


def elevation() -> tuple[dict, list[dict]]:
    items = []
    for n in range(6):
        lon, lat = 13.0 + (n % 3) * 0.35, 55.4 + (n // 3) * 0.3
        bbox = [round(lon, 2), round(lat, 2), round(lon + 0.35, 2), round(lat + 0.3, 2)]
        tile = f"dem-skane-{n + 1:02d}"
        items.append({
            "id": tile, "title": f"Höjdmodell tile {n + 1}", "bbox": bbox,
            "geometry": box(*bbox), "extensions": [EXT["proj"], EXT["file"]],
            "properties": {
                "title": f"Höjdmodell tile {n + 1}", "datetime": None,
                "start_datetime": "2019-04-01T00:00:00Z", "end_datetime": "2022-10-31T23:59:59Z",
                "proj:code": "EPSG:3006", "gsd": 1.0,
                "height_reference": "RH 2000",
            },
            "assets": {"dem": data_asset(f"dem/{tile}.tif", "Elevation (1 m grid)", COG,
                                         88_000_000 + n * 765_432, ["data"])},
        })
    meta = {
        "id": "elevation-skane", "title": "Höjdmodell Skåne – 1 m elevation model",
        "description": (
            "A 1 m digital elevation model (*höjdmodell*) of Skåne compiled from airborne "
            "laser scanning between 2019 and 2022. Heights refer to RH 2000.\n\n"
            "> Cite the dataset with its DOI when you use it in research."),
        "keywords": ["elevation", "DEM", "lidar", "höjdmodell", "Skåne"],
        "license": "CC0-1.0", "providers": PROVIDERS_SE,
        "extensions": [EXT["proj"], EXT["file"], EXT["sci"]],
        "extent": {"spatial": {"bbox": [[13.0, 55.4, 14.05, 56.0]]},
                   "temporal": {"interval": [["2019-04-01T00:00:00Z",
                                              "2022-10-31T23:59:59Z"]]}},
        "summaries": {"gsd": [1.0], "proj:code": ["EPSG:3006"]},
        "sci:doi": "10.5281/zenodo.0000000",
        "sci:citation": "Geodatabyrån Skåne (2023): Höjdmodell Skåne 1 m. Sample data.",
    }
    return meta, items


def sentinel() -> tuple[dict, list[dict]]:
    items = []
    scenes = [
        ("S2B_MSIL2A_20230104_T60KWE", [177.9, -18.2, 178.9, -17.2], 12.5),
        ("S2A_MSIL2A_20230114_T60KXE", [178.8, -18.2, 179.8, -17.2], 3.1),
        ("S2B_MSIL2A_20230124_T01KAV", [179.6, -17.2, -179.4, -16.2], 41.0),
        ("S2A_MSIL2A_20230203_T60KYF", [178.4, -17.0, 179.4, -16.0], 0.4),
        ("S2B_MSIL2A_20230213_T60KWF", [177.5, -17.6, 178.5, -16.6], 67.8),
        ("S2A_MSIL2A_20230223_T60KXF", [178.0, -16.9, 179.0, -15.9], 22.2),
        ("S2B_MSIL2A_20230305_T60KWD", [177.3, -19.1, 178.3, -18.1], 8.0),
        ("S2A_MSIL2A_20230315_T60KXD", [178.2, -19.0, 179.2, -18.0], 15.6),
    ]
    bands = [("B02", "blue", 0.49), ("B03", "green", 0.56), ("B04", "red", 0.665),
             ("B08", "nir", 0.842)]
    for n, (scene, bbox, cloud) in enumerate(scenes):
        day = scene.split("_")[2]
        stamp = f"{day[:4]}-{day[4:6]}-{day[6:]}T22:{10 + n:02d}:41.024Z"
        assets = {
            b: data_asset(f"sentinel-2/{scene}/{b}.tif", f"Band {b} ({common})", COG,
                          120_000_000 + n * 1000 + i, ["data", "reflectance"],
                          bands=[{"name": b, "eo:common_name": common,
                                  "eo:center_wavelength": wl}])
            for i, (b, common, wl) in enumerate(bands)
        }
        assets["visual"] = data_asset(
            f"sentinel-2/{scene}/TCI.tif", "True colour image", COG, 98_000_000 + n,
            ["visual"], alternate={"s3": {
                "href": f"s3://example-sentinel-bucket/{scene}/TCI.tif",
                "title": "Same file in S3", "storage:refs": ["aws"]}})
        assets["cloud-mask"] = {"href": f"s3://example-sentinel-bucket/{scene}/CLD.tif",
                                "type": COG, "title": "Cloud probability",
                                "roles": ["data", "cloud"], "storage:refs": ["aws"]}
        title = f"Sentinel-2 scene {day[:4]}-{day[4:6]}-{day[6:]}"
        if bbox[0] > bbox[2]:
            title += " (Taveuni, across the antimeridian)"
        items.append({
            "id": scene, "title": title, "bbox": bbox, "geometry": box(*bbox),
            "extensions": [EXT["eo"], EXT["proj"], EXT["file"], EXT["storage"],
                           EXT["alternate"]],
            "properties": {
                "storage:schemes": {"aws": {
                    "type": "aws-s3", "platform": "https://{bucket}.s3.{region}.amazonaws.com",
                    "bucket": "example-sentinel-bucket", "region": "eu-central-1",
                    "requester_pays": True}},
                "title": title, "datetime": stamp, "platform": f"sentinel-2{scene[2].lower()}",
                "constellation": "sentinel-2", "instruments": ["msi"], "eo:cloud_cover": cloud,
                "proj:code": f"EPSG:{32760 if 'T60' in scene else 32701}",
                "view:sun_elevation": round(60.5 - n * 1.3, 2),
            },
            "assets": assets,
        })
    meta = {
        "id": "sentinel-2-l2a-fiji", "title": "Sentinel-2 L2A – Fiji",
        "description": (
            "Atmospherically corrected **Sentinel-2** surface reflectance scenes over Fiji, "
            "January to March 2023. One scene crosses the antimeridian (180°).\n\n"
            "Contains modified Copernicus Sentinel data 2023."),
        "keywords": ["Sentinel-2", "Copernicus", "Fiji", "surface reflectance"],
        "license": "other",
        "providers": [{"name": "European Space Agency", "roles": ["producer", "licensor"],
                       "url": "https://sentinel.esa.int/"},
                      {"name": "Open Geodata Hosting", "roles": ["host", "processor"],
                       "url": "https://data.example.org/"}],
        "extensions": [EXT["eo"], EXT["proj"], EXT["file"]],
        "extent": {"spatial": {"bbox": [[177.3, -19.1, -179.4, -15.9]]},
                   "temporal": {"interval": [["2023-01-04T00:00:00Z", None]]}},
        "summaries": {"eo:cloud_cover": {"minimum": 0.4, "maximum": 67.8},
                      "platform": ["sentinel-2a", "sentinel-2b"], "instruments": ["msi"],
                      "constellation": ["sentinel-2"]},
        "extra_links": [link("license", "https://sentinel.esa.int/documents/247904/690755/"
                             "Sentinel_Data_Legal_Notice", "Sentinel data legal notice",
                             "text/html")],
    }
    return meta, items


def landcover() -> tuple[dict, list[dict]]:
    items = []
    regions = [("zuerich", "Zürich", [8.35, 47.15, 8.95, 47.7]),
               ("graubuenden", "Graubünden", [8.65, 46.15, 10.5, 47.07]),
               ("tirol", "Tirol", [10.1, 46.65, 12.97, 47.75]),
               ("bayern-sued", "Oberbayern (Süd)", [10.8, 47.27, 13.1, 47.9]),
               ("valais", "Valais / Wallis", [6.77, 45.85, 8.48, 46.66])]
    for n, (slug, name, bbox) in enumerate(regions):
        items.append({
            "id": f"landcover-2022-{slug}", "title": f"Landbedeckung 2022 – {name}",
            "bbox": bbox, "geometry": box(*bbox), "extensions": [EXT["file"]],
            "properties": {
                "title": f"Landbedeckung 2022 – {name}", "datetime": "2022-07-01T00:00:00Z",
                "classes": ["Wald", "Grünland", "Siedlung", "Gewässer", "Fels/Eis"],
                "accuracy": {"overall": 0.912 - n * 0.01, "kappa": 0.87},
            },
            "assets": {"map": data_asset(f"landcover/2022/{slug}.tif", "Land cover map", COG,
                                         35_000_000 + n * 4321, ["data"])},
        })
    items.append({
        "id": "landcover-2022-statistics", "title": "Flächenstatistik 2022 (no footprint)",
        "bbox": None, "geometry": None, "extensions": [EXT["file"]],
        "properties": {"title": "Flächenstatistik 2022 (no footprint)",
                       "description": "Area statistics per region as a table. This item "
                                      "has **no geometry**: it describes a table, not a "
                                      "place.",
                       "datetime": "2022-12-31T00:00:00Z"},
        "assets": {"table": data_asset("landcover/2022/statistics.csv", "Statistics (CSV)",
                                       "text/csv", 18_432, ["data"])},
    })
    meta = {
        "id": "alpine-landcover-2022", "title": "Landbedeckung Alpen 2022 (Alpine land cover)",
        "description": (
            "Land cover of the central Alps in five classes (*Wald, Grünland, Siedlung, "
            "Gewässer, Fels/Eis*), derived from Sentinel-2 composites of summer 2022.\n\n"
            "| Class | Share |\n|---|---|\n| Wald | 34 % |\n| Fels/Eis | 21 % |\n"),
        "keywords": ["Landbedeckung", "land cover", "Alpen", "Österreich", "Schweiz"],
        "license": "CC-BY-SA-4.0",
        "providers": [{"name": "Alpenforschungsinstitut (fiktiv)",
                       "roles": ["producer", "licensor"], "url": "https://alpen.example.org/"},
                      {"name": "Open Geodata Hosting", "roles": ["host"],
                       "url": "https://data.example.org/"}],
        "extensions": [EXT["file"], EXT["sci"]],
        "extent": {"spatial": {"bbox": [[6.77, 45.85, 13.1, 47.9]]},
                   "temporal": {"interval": [["2022-06-01T00:00:00Z",
                                              "2022-12-31T00:00:00Z"]]}},
        "summaries": {"classes": ["Wald", "Grünland", "Siedlung", "Gewässer", "Fels/Eis"]},
        "sci:doi": "10.5281/zenodo.0000001",
        "sci:publications": [{"doi": "10.1000/example.2023.001",
                              "citation": "Muster, A. & Beispiel, B. (2023): Alpine land "
                                          "cover from Sentinel-2. Journal of Examples 1(2)."}],
    }
    return meta, items


def main(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    ortho, ortho_items = orthophotos()
    dem, dem_items = elevation()
    s2, s2_items = sentinel()
    lc, lc_items = landcover()
    write(out / "catalog.json", {
        "type": "Catalog", "stac_version": STAC, "id": "sample-open-geodata",
        "title": "Open Geodata Sample Catalogue",
        "description": (
            "A small, realistic sample catalogue bundled with **stac-sitegen**: aerial "
            "orthophotos and an elevation model of Skåne (Sweden), Sentinel-2 scenes over "
            "Fiji (one across the antimeridian) and an Alpine land cover map.\n\n"
            "All data links point at `data.example.org`; only the thumbnails are real."),
        "links": [link("root", "./catalog.json", "Open Geodata Sample Catalogue"),
                  link("child", "./sweden/catalog.json", "Sweden – Skåne"),
                  link("child", "./sentinel-2-l2a-fiji/collection.json", s2["title"]),
                  link("child", "./alpine-landcover-2022/collection.json", lc["title"])],
    })
    write(out / "sweden" / "catalog.json", {
        "type": "Catalog", "stac_version": STAC, "id": "sweden-skane",
        "title": "Sweden – Skåne",
        "description": "Geodata of Skåne län, the southernmost county of Sweden (*Sverige*).",
        "links": [link("root", "../catalog.json", "Open Geodata Sample Catalogue"),
                  link("parent", "../catalog.json"),
                  link("child", "./orthophoto-skane-2023/collection.json", ortho["title"]),
                  link("child", "./elevation-skane/collection.json", dem["title"])],
    })
    green = ((34, 94, 48), (120, 160, 80), (200, 190, 140), (90, 130, 160))
    grey = ((60, 60, 70), (140, 120, 100), (210, 200, 190), (100, 90, 80))
    sea = ((10, 60, 110), (30, 120, 150), (230, 220, 190), (60, 140, 80))
    alps = ((240, 240, 245), (120, 130, 140), (40, 100, 50), (150, 180, 90))
    make_collection(out, "sweden/orthophoto-skane-2023", ortho, ortho_items, 2, green)
    make_collection(out, "sweden/elevation-skane", dem, dem_items, 2, grey)
    make_collection(out, "sentinel-2-l2a-fiji", s2, s2_items, 1, sea)
    make_collection(out, "alpine-landcover-2022", lc, lc_items, 1, alps)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else \
        Path(__file__).resolve().parent.parent / "sample_catalog"
    main(target)
    print(f"wrote {target}")
