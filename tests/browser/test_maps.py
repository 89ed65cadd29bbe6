"""Maps in real Chromium from file:// with the network cut: layers, bounds, fallback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLE, Built, build_site

ANTIMERIDIAN = "sentinel-2-l2a-fiji/S2B_MSIL2A_20230124_T01KAV/index.html"
ORTHO = "sweden/orthophoto-skane-2023/ortho-2023-03/index.html"
NULL_GEOMETRY = "alpine-landcover-2022/landcover-2022-statistics/index.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_site(SAMPLE, tmp_path_factory.mktemp("maps") / "site")


def open_map(probe: Any, site: Built, rel: str) -> Any:
    tab = probe()
    tab.page.goto((site.out / rel).as_uri())
    # tiles cannot load here, so the bundled Natural Earth layer must take over
    tab.page.wait_for_selector('.leaflet-container[data-basemap="natural-earth"]')
    tab.page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-sitegen-land-pane path').length > 0")
    return tab


def bounds(page: Any, layer: str) -> list[float]:
    return page.evaluate(f"""() => {{ const b = window.{layer}.getBounds();
        return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }}""")


def test_item_footprint_fitted_with_preview_overlay(site: Built, probe: Any) -> None:
    tab = open_map(probe, site, ORTHO)
    page = tab.page
    west, south, east, north = bounds(page, "geo_json_footprint")
    assert (west, south, east, north) == pytest.approx((13.3, 55.5, 13.5, 55.7))
    assert page.evaluate("() => map_item.getBounds().contains(geo_json_footprint.getBounds())")
    overlay = page.locator("img.leaflet-image-layer")
    assert overlay.count() == 1 and overlay.get_attribute("src") == "thumbnail.png"
    slider = page.locator(".opacity-control input")
    slider.fill("20")
    assert page.evaluate("() => getComputedStyle(document.querySelector("
                         "'img.leaflet-image-layer')).opacity") == "0.2"
    assert tab.errors == [] and tab.blocked_non_tiles == []


def test_antimeridian_item_is_drawn_as_on_the_globe(site: Built, probe: Any) -> None:
    tab = open_map(probe, site, ANTIMERIDIAN)
    west, south, east, north = bounds(tab.page, "geo_json_footprint")
    assert east - west == pytest.approx(1.0)  # one degree wide, not a band round the world
    assert west == pytest.approx(179.6) and east == pytest.approx(180.6)
    view = tab.page.evaluate("() => { const b = map_item.getBounds();"
                             " return b.getEast() - b.getWest(); }")
    assert view < 10
    assert tab.errors == [] and tab.blocked_non_tiles == []


def test_null_geometry_item_has_no_map(site: Built, probe: Any) -> None:
    tab = probe()
    tab.page.goto((site.out / NULL_GEOMETRY).as_uri())
    assert tab.page.locator(".leaflet-container").count() == 0
    assert tab.page.locator(".no-map").is_visible()
    assert tab.errors == [] and tab.blocked == []  # no map, not even tiles


def test_collection_map_links_footprints_to_items(site: Built, probe: Any) -> None:
    tab = open_map(probe, site, "sentinel-2-l2a-fiji/index.html")
    page = tab.page
    assert page.evaluate("() => geo_json_items.getLayers().length") == 8
    assert page.evaluate("() => geo_json_extent.getLayers().length") == 1
    west, _s, east, _n = bounds(page, "geo_json_extent")
    assert west == pytest.approx(177.3) and east == pytest.approx(180.6)  # -179.4 + 360
    page.evaluate("() => geo_json_items.getLayers()[2].fire('click')")
    page.wait_for_url("**/S2B_MSIL2A_20230124_T01KAV/index.html")
    assert tab.errors == [] and tab.blocked_non_tiles == []


def test_catalog_map_shows_children_extents(site: Built, probe: Any) -> None:
    tab = open_map(probe, site, "index.html")
    titles = tab.page.evaluate(
        "() => geo_json_children.getLayers().map(l => l.feature.properties.t).sort()")
    assert titles == ["Landbedeckung Alpen 2022 (Alpine land cover)",
                      "Sentinel-2 L2A – Fiji", "Sweden – Skåne"]
    assert tab.errors == [] and tab.blocked_non_tiles == []


def test_offline_build_never_requests_tiles(tmp_path: Path, probe: Any) -> None:
    built = build_site(SAMPLE, tmp_path / "site", offline=True)
    tab = open_map(probe, built, ANTIMERIDIAN)
    assert tab.blocked == []
    assert tab.page.evaluate("() => window.tile_layer_base === undefined")
    assert tab.errors == []


def test_screenshot_shows_footprint_and_land(site: Built, probe: Any, tmp_path: Path) -> None:
    tab = open_map(probe, site, ANTIMERIDIAN)
    shot = tab.page.locator(".map").screenshot()
    assert len(shot) > 5_000  # a drawn map, not an empty box


def test_land_shown_when_tiles_failed_before_the_map_script(tmp_path: Path,
                                                             probe: Any) -> None:
    # Offline, the tiles can fail before sitegen-map.js runs (it loads after the map's
    # own script), with no one listening for their tileerror. An extent this wide
    # keeps the first view, so no later tile fails either: the land must still come.
    (tmp_path / "world").mkdir()
    (tmp_path / "world" / "collection.json").write_text(json.dumps({
        "type": "Collection", "stac_version": "1.0.0", "id": "world",
        "description": "Everywhere.", "license": "CC0-1.0", "links": [],
        "extent": {"spatial": {"bbox": [[-180, -56, 180, 83]]},
                   "temporal": {"interval": [["2020-01-01T00:00:00Z", None]]}}}))
    built = build_site(tmp_path / "world" / "collection.json", tmp_path / "site")
    tab = probe()
    held: list[Any] = []
    tab.context.route("**/sitegen-map.js", lambda route: held.append(route))  # asked first
    page = tab.page
    page.goto((built.out / "index.html").as_uri(), wait_until="commit")
    page.wait_for_function("() => { const t = document.querySelectorAll('img.leaflet-tile');"
                           " return t.length > 0 && [...t].every("
                           "i => i.complete && i.naturalWidth === 0); }")
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_selector('.leaflet-container[data-basemap="natural-earth"]', timeout=10_000)
    assert page.evaluate("() => map_collection.getZoom()") <= 1  # the view it began with
    assert tab.errors == [] and tab.blocked_non_tiles == []
