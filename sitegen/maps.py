"""Maps: folium skeletons built once per page type, and each page's map data.

The only module that imports folium. A folium Map costs about 6.5 ms, so it is never
built per page: :func:`skeleton_scripts` renders one skeleton per page type (item,
collection, catalog) at the start of a build, written to ``_static/maps/KIND.js``, and
each page carries only its data as JSON. ``_static/sitegen-map.js`` adds the data,
fits the view, overlays the thumbnail and falls back to the bundled Natural Earth land
layer when tiles cannot load (or always, offline).

Geometry crossing the antimeridian is shifted here (negative longitudes + 360), so it
is drawn as it lies on the globe rather than as a band across the whole map.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from sitegen.i18n import M_

KINDS = ("item", "collection", "catalog", "search")
#: Map data per page stays under this many bytes (issue: about 300 KB).
MAP_BUDGET = 300_000
#: Largest footprint (vertices) sent for one item on a collection map.
FOOTPRINT_VERTICES = 400
#: Largest geometry (vertices) drawn on an item page, and its size in bytes.
ITEM_VERTICES = 20_000
ITEM_BUDGET = MAP_BUDGET
#: Largest footprint of one item on a collection map, in bytes (else its bbox).
FOOTPRINT_BYTES = 8_000
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = ('&copy; <a href="https://www.openstreetmap.org/copyright">'
                   "OpenStreetMap</a> contributors")

BBox = tuple[float, float, float, float]


def skeleton_scripts(tiles: str | None, attribution: str) -> dict[str, str]:
    """The JavaScript of an empty map for each page type, built with folium.

    Element ids are fixed, so the script defines ``map_KIND``, ``tile_layer_base`` and
    ``geo_json_LAYER`` as globals for ``sitegen-map.js``; folium's CDN includes (jQuery,
    Bootstrap, Font Awesome, Leaflet) are not used: the pages load the vendored Leaflet.
    """
    import folium

    layers = {"item": ("footprint",), "collection": ("extent", "items"),
              "catalog": ("children",), "search": ("results",)}
    scripts = {}
    for kind in KINDS:
        fmap = folium.Map(location=None, zoom_start=2, tiles=None, control_scale=True,
                          world_copy_jump=False)
        fmap._id = kind
        if tiles:
            layer = folium.TileLayer(tiles=tiles, attr=attribution, name="Map tiles",
                                     max_zoom=19, overlay=False, control=False)
            layer._id = "base"
            layer.add_to(fmap)
        for name in layers[kind]:
            geo = folium.GeoJson({"type": "FeatureCollection", "features": []}, name=name)
            geo._id = name
            geo.add_to(fmap)
        html = fmap.get_root().render()
        script = html.split("</body>", 1)[1]
        script = script.split("<script>", 1)[1].rsplit("</script>", 1)[0]
        scripts[kind] = (f"/* Map skeleton for {kind} pages, generated with folium "
                         f"{getattr(folium, '__version__', '')}. */\n") + script.strip() + "\n"
    return scripts


def _lon_span(coords: Iterable[tuple[float, float]]) -> tuple[float, float]:
    lons = [c[0] for c in coords]
    return (min(lons), max(lons)) if lons else (0.0, 0.0)


_NUMBER = (int, float)  # exact types: ``bool`` is not a coordinate


def _is_position(value: Any) -> bool:
    return isinstance(value, list) and len(value) >= 2 and type(value[0]) in _NUMBER \
        and type(value[1]) in _NUMBER


def _positions(geometry: dict[str, Any]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []

    def walk(value: Any) -> None:
        if not isinstance(value, list):
            return
        if _is_position(value):
            out.append((float(value[0]), float(value[1])))
            return
        if value and _is_position(value[0]):
            # a ring or line: one loop, no call per vertex (footprints reach 10^6)
            for p in value:
                if isinstance(p, list) and len(p) >= 2 and type(p[0]) in _NUMBER and \
                        type(p[1]) in _NUMBER:
                    out.append((float(p[0]), float(p[1])))
                else:
                    walk(p)
            return
        for sub in value:
            walk(sub)

    if geometry.get("type") == "GeometryCollection":
        for sub in geometry.get("geometries") or []:
            if isinstance(sub, dict):
                out.extend(_positions(sub))
    else:
        walk(geometry.get("coordinates"))
    return out


def crosses_antimeridian(geometry: dict[str, Any] | None, bbox: BBox | None,
                         positions: list[tuple[float, float]] | None = None) -> bool:
    """True when a footprint should be drawn across 180°: its bbox says so, or its
    longitudes span more than half the globe (a polygon cut at ±180). ``positions``
    are the geometry's, when the caller has already walked it."""
    if bbox is not None and bbox[0] > bbox[2]:
        return True
    if geometry is None:
        return False
    west, east = _lon_span(_positions(geometry) if positions is None else positions)
    return east - west > 180 and west < 0 < east


#: Nesting depth of coordinates for each GeoJSON geometry type (a position counts 1).
_DEPTH = {"Point": 1, "MultiPoint": 2, "LineString": 2, "MultiLineString": 3, "Polygon": 3,
          "MultiPolygon": 4}


def _depth(value: Any) -> int:
    depth = 0
    while isinstance(value, list) and value:
        depth += 1
        value = value[0]
    return depth if isinstance(value, int | float) and not isinstance(value, bool) else -1


def check_geometry(geometry: object) -> tuple[dict[str, Any] | None, str | None]:
    """A geometry fit to draw, repaired when the mistake is unambiguous, and a problem.

    Returns ``(geometry, None)`` when valid; ``(repaired, message)`` for a polygon that
    lacks its outer array (seen in real catalogs); ``(None, message)`` when it cannot be
    placed on a map (bad nesting, latitudes beyond 90, not GeoJSON). ``(None, None)``
    for a null geometry.
    """
    checked, problem, _ = _checked(geometry)
    return checked, problem


Checked = tuple[dict[str, Any] | None, str | None, list[tuple[float, float]]]
#: The last geometry checked and its check (held, so its id cannot be reused): an item
#: page checks its geometry three times (the page, its map, the collection map's
#: footprint). One tuple, swapped whole: threads see a pair or the other.
_last_check: tuple[object, Checked] = (None, (None, None, []))


def _checked(geometry: object) -> Checked:
    """:func:`check_geometry`, also returning the positions it had to walk (which the
    callers only read)."""
    global _last_check
    last = _last_check
    if geometry is last[0] and geometry is not None:
        return last[1]
    result = _check(geometry)
    _last_check = (geometry, result)
    return result


def _check(geometry: object) -> Checked:
    if geometry is None:
        return None, None, []
    if not isinstance(geometry, dict) or not isinstance(geometry.get("type"), str):
        return None, M_("geometry is not a GeoJSON geometry"), []
    kind = geometry["type"]
    if kind == "GeometryCollection":
        parts = [_check(g) for g in geometry.get("geometries") or []]
        good = [g for g, _, _ in parts if g is not None]
        problems = [p for _, p, _ in parts if p]
        return ({"type": kind, "geometries": good} if good else None,
                problems[0] if problems else None,
                [pos for g, _, positions in parts if g is not None for pos in positions])
    if kind not in _DEPTH:
        return None, M_("geometry type %(type)s is not GeoJSON", type=repr(kind)), []
    coords = geometry.get("coordinates")
    depth = _depth(coords)
    problem = None
    if depth == _DEPTH[kind] - 1 and kind in ("Polygon", "MultiPolygon"):
        coords = [coords]
        problem = M_("%(type)s coordinates lack their outer array; drawn as if they had it",
                     type=kind)
    elif depth != _DEPTH[kind]:
        return None, M_("%(type)s coordinates are not nested as GeoJSON requires", type=kind), []
    positions = _positions({"type": kind, "coordinates": coords})
    if positions:
        xs = [x for x, _ in positions]
        ys = [y for _, y in positions]
        if not (all(map(math.isfinite, xs)) and all(map(math.isfinite, ys))):
            return None, M_("geometry has coordinates that are not numbers"), []
        if min(ys) < -90 or max(ys) > 90 or min(xs) < -540 or max(xs) > 540:
            return (None, M_("geometry has latitudes beyond ±90° (longitude and latitude "
                             "swapped?)"), [])
    return {"type": kind, "coordinates": coords}, problem, positions


def prepare_geometry(geometry: object, bbox: BBox | None, max_vertices: int,
                     digits: int = 6) -> dict[str, Any] | None:
    """A geometry ready to draw: valid, antimeridian-shifted, rounded, vertex-capped."""
    geometry, _problem, positions = _checked(geometry)
    if geometry is None or not positions:
        return None
    shift = crosses_antimeridian(geometry, bbox, positions)
    step = max(1, -(-len(positions) // max_vertices))

    def fix(value: Any) -> Any:
        if _is_position(value):
            lon = float(value[0]) + (360.0 if shift and value[0] < 0 else 0.0)
            return [round(lon, digits), round(float(value[1]), digits)]
        if isinstance(value, list) and value and _is_position(value[0]):
            # a ring or line: thin out long ones (before rounding: footprints reach 10^6
            # vertices), keep first and last (closure)
            if step > 1 and len(value) > 4:
                value = [*value[:-1:step], value[-1]]
            return [fix(v) for v in value]
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value

    if geometry["type"] == "GeometryCollection":
        parts = [prepare_geometry(g, bbox, max_vertices, digits)
                 for g in geometry.get("geometries") or []]
        return {"type": "GeometryCollection", "geometries": [p for p in parts if p]}
    return {"type": geometry["type"], "coordinates": fix(geometry.get("coordinates"))}


def bbox_polygon(bbox: BBox) -> dict[str, Any]:
    """A bbox as a polygon; one crossing the antimeridian extends past 180°."""
    west, south, east, north = bbox
    if west > east:
        east += 360
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north],
                                                [west, north], [west, south]]]}


def bounds_of(geometries: Iterable[dict[str, Any]]) -> list[list[float]] | None:
    """Leaflet bounds ``[[south, west], [north, east]]`` of prepared geometries."""
    xs: list[float] = []
    ys: list[float] = []
    for geometry in geometries:
        for x, y in _positions(geometry):
            xs.append(x)
            ys.append(y)
    if not xs:
        return None
    return [[min(ys), min(xs)], [max(ys), max(xs)]]


def shifted_bounds(bbox: BBox) -> list[list[float]]:
    """Leaflet bounds of a STAC bbox (east + 360 across the antimeridian)."""
    west, south, east, north = bbox
    return [[south, west], [north, east + 360 if west > east else east]]


def union(boxes: Iterable[BBox]) -> BBox | None:
    """The box around several boxes, antimeridian-aware (east may exceed 180)."""
    west = south = math.inf
    east = north = -math.inf
    for w, s, e, n in boxes:
        if w > e:
            e += 360
        west, south, east, north = min(west, w), min(south, s), max(east, e), max(north, n)
    if west == math.inf:
        return None
    if east - west >= 360:
        return -180.0, south, 180.0, north
    if east > 180:
        return west, south, east - 360, north
    return west, south, east, north


def feature(geometry: dict[str, Any], **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def grid_clusters(points: Iterable[tuple[float, float, str]], cells: int = 1500
                  ) -> list[dict[str, Any]]:
    """Item centroids aggregated into grid cells (a count per cell), for big collections."""
    pts = list(points)
    if not pts:
        return []
    size = 0.25
    # The cell size from counts alone: the finest grid's cells merged in pairs, as a
    # size twice as large would group the points (sizes are powers of two, so halving
    # a cell's number is exact). Then one pass over the points at that size, summing
    # in their order: the means are those of a grid made at that size.
    counts = Counter((math.floor(lon / size), math.floor(lat / size)) for lon, lat, _ in pts)
    while len(counts) > cells and size < 45:
        size *= 2
        merged: Counter[tuple[int, int]] = Counter()
        for (x, y), n in counts.items():
            merged[(x >> 1, y >> 1)] += n
        counts = merged
    grid: dict[tuple[int, int], list[float]] = {}
    for lon, lat, _ in pts:
        key = (math.floor(lon / size), math.floor(lat / size))
        cell = grid.setdefault(key, [0.0, 0.0, 0.0])
        cell[0] += lon
        cell[1] += lat
        cell[2] += 1
    return [feature({"type": "Point", "coordinates": [round(x / n, 4), round(y / n, 4)]},
                    count=int(n))
            for (x, y, n) in (grid[k] for k in sorted(grid))]


_UNSAFE_IN_SCRIPT = re.compile(r"[<>&\u2028\u2029]")


def script_json(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: ``<``, ``>``, ``&`` escaped."""
    text = orjson.dumps(data).decode("utf-8")
    if "<" in text or ">" in text or "&" in text or "\u2028" in text or "\u2029" in text:
        return _UNSAFE_IN_SCRIPT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text  # (most: the expression's scan costs 5 microseconds a kilobyte)


def item_geometry(geometry: object, bbox: BBox | None) -> tuple[dict[str, Any] | None,
                                                                 str | None]:
    """The geometry to draw on an item page, within :data:`ITEM_BUDGET` bytes.

    Thinned and rounded first; a geometry still too large (thousands of small parts)
    is drawn as its bounding box, with a note: the full geometry is in the JSON copy.
    """
    for digits, vertices in ((6, ITEM_VERTICES), (5, ITEM_VERTICES // 4)):
        prepared = prepare_geometry(geometry, bbox, vertices, digits)
        if prepared is None:
            return None, None
        if len(orjson.dumps(prepared)) <= ITEM_BUDGET:
            return prepared, None
    box = bbox or _bbox_of(prepared)
    if box is None:
        return None, None
    return bbox_polygon(box), M_("The footprint is too detailed to draw here; its bounding "
                                 "box is shown. The full geometry is in the STAC JSON.")


def _bbox_of(geometry: dict[str, Any] | None) -> BBox | None:
    bounds = bounds_of([geometry]) if geometry else None
    if bounds is None:
        return None
    (south, west), (north, east) = bounds
    return west, south, east if east <= 180 else east - 360, north


def footprint_bytes(geometry: object, bbox: BBox | None) -> bytes:
    """A compact footprint for collection maps (5 decimals, capped), or b"".

    Footprints larger than :data:`FOOTPRINT_BYTES` are replaced by their bbox.
    """
    prepared = prepare_geometry(geometry, bbox, FOOTPRINT_VERTICES, digits=5)
    data = orjson.dumps(prepared) if prepared is not None else b""
    if len(data) > FOOTPRINT_BYTES or not data:
        box = bbox or _bbox_of(prepared)
        data = orjson.dumps(bbox_polygon(box)) if box is not None else b""
    return data


ItemEntry = tuple[str, str, bytes, "BBox | None"]


def _same(text: str) -> str:
    return text


def items_layer(items: list[ItemEntry], budget: int = MAP_BUDGET,
                url: Callable[[str], str] = _same,
                ) -> tuple[orjson.Fragment | None, str | None]:
    """Item footprints for a collection or catalog map, kept under ``budget`` bytes.

    Real footprints when they fit; else bounding boxes; else centroids counted in grid
    cells. Returns the FeatureCollection (pre-serialised) and a note for the reader.
    ``url`` makes an item's link from its entry's (a page path, say): only for the
    items shown one by one (a 10,000-item collection shows about 1,500 boxes, or none).
    """
    if not items:
        return None, None
    if any(footprint for _t, _u, footprint, _b in items):
        parts = []
        size = 0
        for title, link, footprint, bbox in items:
            if not footprint and bbox is not None:
                footprint = orjson.dumps(bbox_polygon(bbox))
            if not footprint:
                continue
            part = (b'{"type":"Feature","geometry":' + footprint + b',"properties":'
                    + orjson.dumps({"t": title, "u": url(link)}) + b"}")
            size += len(part) + 1
            if size > budget:
                break
            parts.append(part)
        else:
            return _collection(parts), None
    parts, size = [], 0
    boxed = [(t, u, b) for t, u, _f, b in items if b is not None]
    # (not tried when even the shortest boxes could not all fit: a large collection)
    if len(boxed) * (_BOX_FEATURE + 1) <= budget:
        for title, link, bbox in boxed:
            part = orjson.dumps(feature(bbox_polygon(bbox), t=title, u=url(link)))
            size += len(part) + 1
            if size > budget:
                break
            parts.append(part)
        else:
            return _collection(parts), M_("%(items)s items: footprints simplified to "
                                          "bounding boxes.", items=len(parts))
    def centre(b: BBox) -> tuple[float, float, str]:
        east = b[2] + 360 if b[0] > b[2] else b[2]
        return ((b[0] + east) / 2, (b[1] + b[3]) / 2, "")

    clusters = grid_clusters(centre(b) for _t, _u, b in boxed)
    return (_collection([orjson.dumps(c) for c in clusters]),
            M_("%(items)s items shown as %(clusters)s clusters of item centres.",
               items=len(boxed), clusters=len(clusters)))


#: The shortest a bounding box's feature can be (one-digit numbers, no title, no link).
_BOX_FEATURE = len(orjson.dumps(feature(bbox_polygon((0, 0, 0, 0)), t="", u="")))


def _collection(parts: list[bytes]) -> orjson.Fragment:
    return orjson.Fragment(b'{"type":"FeatureCollection","features":[' + b",".join(parts)
                           + b"]}")


def node_map_data(kind: str, extents: list[BBox], children: list[tuple[str, str, str, BBox]],
                  items: list[ItemEntry], url: Callable[[str], str] = _same,
                  ) -> dict[str, Any] | None:
    """Map data of a Collection (extent boxes, item footprints) or a Catalog (the
    extents of its children, each linking to its page, and its own items; their links
    made by ``url``, see :func:`items_layer`)."""
    layer, note = items_layer(items, url=url)
    boxes = list(extents) + [c[3] for c in children] + [i[3] for i in items if i[3]]
    overall = union(boxes)
    if overall is None:
        return None
    data: dict[str, Any] = {"kind": kind, "bounds": shifted_bounds(overall)}
    if kind == "collection":
        data["extent"] = {"type": "FeatureCollection", "features": [
            feature(bbox_polygon(b), overall=(i == 0 and len(extents) > 1))
            for i, b in enumerate(extents)]}
        data["items"] = layer
    else:
        data["children"] = {"type": "FeatureCollection", "features": [
            feature(bbox_polygon(b), t=title, u=url, k=child_kind)
            for title, url, child_kind, b in children]}
        data["items"] = layer
    if note:
        data["note"] = note
    return data
