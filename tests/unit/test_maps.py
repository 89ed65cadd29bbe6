from __future__ import annotations

import json
from typing import Any

import orjson
import pytest

from sitegen.maps import (
    MAP_BUDGET,
    OSM_ATTRIBUTION,
    OSM_TILES,
    bbox_polygon,
    bounds_of,
    crosses_antimeridian,
    footprint_bytes,
    item_geometry,
    items_layer,
    node_map_data,
    prepare_geometry,
    script_json,
    shifted_bounds,
    skeleton_scripts,
    union,
)

SPLIT = {"type": "MultiPolygon", "coordinates": [
    [[[179.6, -17.2], [180, -17.2], [180, -16.2], [179.6, -16.2], [179.6, -17.2]]],
    [[[-180, -17.2], [-179.4, -17.2], [-179.4, -16.2], [-180, -16.2], [-180, -17.2]]]]}


def test_skeletons_define_globals_and_load_nothing_from_cdns() -> None:
    scripts = skeleton_scripts(OSM_TILES, OSM_ATTRIBUTION)
    assert set(scripts) == {"item", "collection", "catalog", "search"}
    assert "var map_item = L.map(" in scripts["item"]
    assert "var geo_json_footprint" in scripts["item"]
    assert "var geo_json_items" in scripts["collection"]
    assert "var tile_layer_base" in scripts["catalog"]
    for script in scripts.values():
        for cdn in ("cdn.jsdelivr", "code.jquery", "bootstrap", "cloudflare", "fontawesome"):
            assert cdn not in script
    assert "tile_layer" not in skeleton_scripts(None, "")["item"]


def test_antimeridian_geometry_is_drawn_contiguous() -> None:
    assert crosses_antimeridian(SPLIT, None)
    prepared = prepare_geometry(SPLIT, (179.6, -17.2, -179.4, -16.2), 1000)
    assert prepared is not None
    bounds = bounds_of([prepared])
    assert bounds == [[-17.2, 179.6], [-16.2, 180.6]]  # one degree wide, not the globe
    assert shifted_bounds((179.6, -17.2, -179.4, -16.2)) == [[-17.2, 179.6], [-16.2, 180.6]]
    normal = {"type": "Polygon", "coordinates": [[[10, 50], [11, 50], [11, 51], [10, 50]]]}
    assert not crosses_antimeridian(normal, (10, 50, 11, 51))


def test_geometry_is_thinned_and_invalid_is_refused() -> None:
    ring = [[i / 1000, (i % 7) / 1000] for i in range(50_000)] + [[0, 0]]
    thin = prepare_geometry({"type": "Polygon", "coordinates": [ring]}, None, 1000)
    assert thin is not None and len(thin["coordinates"][0]) <= 1100
    assert thin["coordinates"][0][0] == thin["coordinates"][0][-1] == [0.0, 0.0]
    assert prepare_geometry(None, None, 10) is None
    assert prepare_geometry({"type": "Polygon", "coordinates": "x"}, None, 10) is None
    assert prepare_geometry({"type": "Point", "coordinates": [float("nan"), 1]}, None, 10) is None


def test_huge_multipart_item_falls_back_to_its_bbox() -> None:
    parts = [[[[x, y], [x + 0.001, y], [x + 0.001, y + 0.001], [x, y]]]
             for x in range(200) for y in range(60)]
    geometry, note = item_geometry({"type": "MultiPolygon", "coordinates": parts},
                                   (0, 0, 200, 60))
    assert geometry is not None and geometry["type"] == "Polygon" and note
    assert len(footprint_bytes({"type": "MultiPolygon", "coordinates": parts},
                               (0, 0, 200, 60))) < 200


def test_union_is_antimeridian_aware() -> None:
    assert union([(179.6, -17.2, -179.4, -16.2), (177, -19, 178, -18)]) == \
        (177, -19, -179.4, -16.2)
    assert union([(-180, -90, 180, 90), (10, 0, 20, 5)]) == (-180, -90, 180, 90)
    assert union([]) is None


def test_items_layer_stays_within_the_budget() -> None:
    small = [(f"i{n}", f"i{n}.html", orjson.dumps(bbox_polygon((n % 90, 0, n % 90 + 1, 1))),
              (n % 90, 0.0, n % 90 + 1.0, 1.0)) for n in range(100)]
    layer, note = items_layer(small)
    assert note is None and layer is not None
    assert len(json.loads(orjson.dumps(layer))["features"]) == 100
    big_footprint = b'{"type":"Point","coordinates":[' + b"1" * 5000 + b",1]}"
    boxed = [(t, u, big_footprint, b) for t, u, _f, b in small]
    layer, note = items_layer(boxed, budget=200_000)
    assert note and "bounding boxes" in note
    many = [(f"i{n}", f"i{n}.html", b"", (n % 360 - 180, n % 80, n % 360 - 179, n % 80 + 1))
            for n in range(20_000)]
    layer, note = items_layer(many)
    assert note and "clusters" in note and layer is not None
    assert len(orjson.dumps(layer)) <= MAP_BUDGET
    counts = sum(f["properties"]["count"] for f in json.loads(orjson.dumps(layer))["features"])
    assert counts == 20_000


def test_items_layer_makes_links_only_for_the_items_it_shows() -> None:
    asked: list[str] = []

    def url(page: str) -> str:
        asked.append(page)
        return f"../{page}"

    boxed = [(f"i{n}", f"i{n}.html", b"", (n % 90, 0.0, n % 90 + 1.0, 1.0))
             for n in range(5_000)]
    layer, note = items_layer(boxed[:100], url=url)
    shown = json.loads(orjson.dumps(layer))["features"]
    assert note and "bounding boxes" in note
    assert [f["properties"]["u"] for f in shown] == [f"../i{n}.html" for n in range(100)]
    assert asked == [f"i{n}.html" for n in range(100)]
    asked.clear()
    # too many for boxes: clusters, after the boxes that fitted in the budget
    layer, note = items_layer(boxed[:200], budget=30_000, url=url)
    assert note and "clusters" in note
    assert asked == [f"i{n}.html" for n in range(len(asked))] and 100 < len(asked) < 200
    asked.clear()
    # so many that even the shortest boxes could not fit: clusters without trying
    layer, note = items_layer(boxed, budget=30_000, url=url)
    assert note and "clusters" in note and asked == []


def test_clusters_are_those_of_a_grid_made_at_each_size_in_turn() -> None:
    """The cell size is found from merged counts, then the points grouped once: the same
    clusters as grouping all points again at each size until few enough cells."""
    import math
    import random

    from sitegen.maps import feature, grid_clusters

    def regrouped(pts: list[tuple[float, float, str]], cells: int) -> list[dict[str, Any]]:
        size = 0.25
        while True:
            grid: dict[tuple[int, int], list[float]] = {}
            for lon, lat, _ in pts:
                cell = grid.setdefault((math.floor(lon / size), math.floor(lat / size)),
                                       [0.0, 0.0, 0.0])
                cell[0] += lon
                cell[1] += lat
                cell[2] += 1
            if len(grid) <= cells or size >= 45:
                break
            size *= 2
        return [feature({"type": "Point", "coordinates": [round(x / n, 4), round(y / n, 4)]},
                        count=int(n)) for x, y, n in (grid[k] for k in sorted(grid))]

    rnd = random.Random(7)
    for _ in range(60):
        spread = rnd.choice([0.01, 1.0, 30.0, 180.0])
        centre = rnd.choice([0.0, 179.99, -179.5, 45.25])
        lat = min(spread, 90.0)
        pts = [(centre + rnd.uniform(-spread, spread), rnd.uniform(-lat, lat), "")
               for _ in range(rnd.choice([1, 7, 300, 3000]))]
        cells = rnd.choice([1, 10, 1500])
        assert grid_clusters(pts, cells) == regrouped(pts, cells)


def test_node_map_data_and_script_json_escaping() -> None:
    data = node_map_data("catalog", [], [("</script><b>x", "c/index.html", "collection",
                                          (1, 2, 3, 4))], [])
    assert data is not None and data["bounds"] == [[2, 1], [4, 3]]
    text = script_json(data)
    assert "</script" not in text and "\\u003c/script\\u003e" in text
    assert json.loads(text)["children"]["features"][0]["properties"]["t"] == "</script><b>x"
    assert node_map_data("collection", [], [], []) is None


@pytest.mark.parametrize("char", ["<", ">", "&", "\u2028", "\u2029"])
def test_script_json_escapes_each_unsafe_character_alone(char: str) -> None:
    text = script_json({"t": f"a{char}b"})
    assert char not in text and f"\\u{ord(char):04x}" in text
    assert json.loads(text) == {"t": f"a{char}b"}
    assert script_json({"t": "plain é"}) == '{"t":"plain é"}'


def test_geometry_checks_repair_or_refuse() -> None:
    from sitegen.maps import check_geometry

    ring = [[-115.2, 36.1], [-115.2, 36.2], [-115.1, 36.2], [-115.1, 36.1]]
    repaired, problem = check_geometry({"type": "Polygon", "coordinates": ring})
    assert repaired == {"type": "Polygon", "coordinates": [ring]} and problem
    swapped = {"type": "Polygon", "coordinates": [[[65.2, 114.5], [71.1, 117.5], [70, 128.6],
                                                   [65.2, 114.5]]]}
    assert check_geometry(swapped) == (None, "geometry has latitudes beyond ±90° "
                                             "(longitude and latitude swapped?)")
    assert check_geometry({"type": "Point", "coordinates": [[1, 2]]})[0] is None
    assert check_geometry({"type": "Blob"})[0] is None
    assert check_geometry(None) == (None, None)


def test_a_geometry_is_checked_once_for_its_page_map_and_footprint(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen import maps

    calls: list[object] = []
    check = maps._check

    def counting(geometry: object) -> maps.Checked:
        calls.append(geometry)
        return check(geometry)

    monkeypatch.setattr(maps, "_check", counting)
    # a polygon lacking its outer array: repaired by the check, drawn from the repair
    geometry = {"type": "Polygon", "coordinates": [[0, 0], [1, 0], [1, 1], [0, 0]]}
    repaired, problem = maps.check_geometry(geometry)
    assert repaired is not None and problem
    drawn = maps.prepare_geometry(geometry, None, 100)
    assert drawn == {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    assert maps.footprint_bytes(geometry, None) == b'{"type":"Polygon","coordinates":' \
        b'[[[0.0,0.0],[1.0,0.0],[1.0,1.0],[0.0,0.0]]]}'
    assert len(calls) == 1
    # another geometry (even an equal one) is checked anew
    assert maps.check_geometry(dict(geometry)) == (repaired, problem) and len(calls) == 2
