"""Large collections keep their map data under the budget (boxes, then clusters)."""

from __future__ import annotations

import json
import math
from pathlib import Path

from sitegen.maps import MAP_BUDGET
from tests.conftest import build_site


def make_collection(root: Path, count: int, vertices: int) -> None:
    links = []
    for n in range(count):
        lon, lat = -170 + (n * 7.3) % 340, -60 + (n * 3.1) % 120
        ring = [[round(lon + 0.5 + 0.4 * math.cos(2 * math.pi * k / vertices), 6),
                 round(lat + 0.5 + 0.4 * math.sin(2 * math.pi * k / vertices), 6)]
                for k in range(vertices)]
        ring.append(ring[0])
        item = {"type": "Feature", "stac_version": "1.0.0", "id": f"i{n}",
                "bbox": [lon, lat, lon + 1, lat + 1],
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"datetime": "2020-01-01T00:00:00Z"}, "links": [], "assets": {}}
        (root / f"i{n}.json").write_text(json.dumps(item), encoding="utf-8")
        links.append({"rel": "item", "href": f"./i{n}.json"})
    (root / "collection.json").write_text(json.dumps({
        "type": "Collection", "stac_version": "1.0.0", "id": "big", "description": "Big",
        "license": "CC0-1.0", "extent": {"spatial": {"bbox": [[-180, -60, 180, 70]]},
                                         "temporal": {"interval": [[None, None]]}},
        "links": links}), encoding="utf-8")


def map_data(page: Path) -> tuple[int, dict[str, object]]:
    text = page.read_text(encoding="utf-8")
    raw = text.split('id="sitegen-map-data">')[1].split("</script>")[0]
    return len(raw.encode("utf-8")), json.loads(raw)


def test_detailed_footprints_become_boxes(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    make_collection(tmp_path / "src", 800, 300)
    built = build_site(tmp_path / "src", tmp_path / "site", items_per_page=1000)
    size, data = map_data(built.out / "index.html")
    assert size <= MAP_BUDGET
    assert "note" not in data  # the note is the page's, below the map, not the script's
    assert len(data["items"]["features"]) == 800  # type: ignore[index]
    assert "bounding boxes" in built.html("index.html").split("map-note")[1][:200]


def test_thousands_of_items_become_clusters(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    make_collection(tmp_path / "src", 3000, 4)
    built = build_site(tmp_path / "src", tmp_path / "site")
    size, data = map_data(built.out / "index.html")
    assert size <= MAP_BUDGET
    assert "3,000 items shown as" in built.html("index.html").split("map-note")[1][:200]
    features = data["items"]["features"]  # type: ignore[index]
    assert sum(f["properties"]["count"] for f in features) == 3000
