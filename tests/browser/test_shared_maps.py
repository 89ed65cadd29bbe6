"""Every page of ../shared/catalogs with a geometry or extent shows a correct map from
file:// with the network cut."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED, build_site, needs_shared, shared_roots

ROOTS = shared_roots()
LAYER = {"item": "geo_json_footprint", "collection": "geo_json_extent",
         "catalog": "geo_json_children"}


@needs_shared
@pytest.mark.parametrize(("tree", "root"), [(t, r) for t, r, _ in ROOTS],
                         ids=[f"{t}/{r}" for t, r, _ in ROOTS])
def test_every_map_draws_offline(tmp_path: Path, probe: Any, tree: str, root: str) -> None:
    built = build_site(SHARED / tree / root, tmp_path / "site")
    tab = probe()
    page = tab.page
    checked = 0
    for html in sorted(built.out.rglob("*.html")):
        text = html.read_text(encoding="utf-8")
        if 'id="sitegen-map-data"' not in text:
            continue
        data = json.loads(text.split('id="sitegen-map-data">')[1].split("</script>")[0])
        if data["kind"] == "search":
            continue  # the results map, tested with the search
        page.goto(html.as_uri())
        try:
            page.wait_for_selector('.leaflet-container[data-basemap="natural-earth"]')
        except Exception as error:  # Playwright's timeout, named with the page
            pytest.fail(f"no land layer on {html.relative_to(built.out)}: {error}, "
                        f"console: {tab.errors}")
        layer = LAYER[data["kind"]]
        if data["kind"] == "collection" and not data["extent"]["features"]:
            layer = "geo_json_items"
        if data["kind"] == "catalog" and not data["children"]["features"]:
            layer = "geo_json_children"
        count = page.evaluate(f"() => window.{layer}.getLayers().length")
        assert count > 0, (html, layer)
        inside = page.evaluate(f"""() => {{
            const view = map_{data["kind"]}.getBounds().pad(0.05);
            return view.contains(window.{layer}.getBounds()) ||
                   map_{data["kind"]}.getZoom() === map_{data["kind"]}.getMinZoom(); }}""")
        assert inside, html
        checked += 1
    assert tab.errors == [] and tab.blocked_non_tiles == []
    # every item with a geometry and every collection with an extent had a map
    assert checked >= sum(1 for p in built.out.rglob("*.html") if p.name != "404.html") - \
        _pages_without_map(built.out)


def _pages_without_map(out: Path) -> int:
    return sum(1 for p in out.rglob("*.html")
               if p.name != "404.html" and ('id="sitegen-map-data"' not in
                                            p.read_text(encoding="utf-8")
                                            or p.parent.name == "search"))
