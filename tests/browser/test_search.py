"""Search in real Chromium, from file:// and from a 127.0.0.1 server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLE, Built, build_site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_site(SAMPLE, tmp_path_factory.mktemp("search") / "site")


def query(page: Any, url: str, fragment: str) -> list[str]:
    page.evaluate("() => document.documentElement.removeAttribute('data-search')") \
        if page.url.startswith(("file:", "http")) else None
    page.goto(f"{url}#{fragment}")
    page.wait_for_selector("html[data-search='done']")
    return page.locator("#results li a").all_inner_texts()


@pytest.fixture(params=["file", "http"])
def search_url(request: pytest.FixtureRequest, site: Built, http_serve: Any
               ) -> tuple[str, tuple[str, ...]]:
    if request.param == "file":
        return (site.out / "search" / "index.html").as_uri(), ()
    base = http_serve(site.out)
    return base + "search/index.html", (base,)


def test_queries(probe: Any, search_url: tuple[str, tuple[str, ...]]) -> None:
    url, allow = search_url
    tab = probe(allow=allow)
    page = tab.page
    # a word of a title, accent- and case-insensitive, and a prefix
    assert query(page, url, "q=MALMO") == ["Orthophoto Malmö väst", "Orthophoto Malmö öst"]
    assert "Orthophoto Lund" in query(page, url, "q=lun")
    # an item id finds the item
    assert query(page, url, "q=S2B_MSIL2A_20230124_T01KAV") == [
        "Sentinel-2 scene 2023-01-24 (Taveuni, across the antimeridian)"]
    # a bbox (Alps) excludes everything outside it
    alps = query(page, url, "bbox=7,45.5,11,47.5")
    assert sorted(alps) == sorted([
        "Landbedeckung 2022 – Valais / Wallis", "Landbedeckung 2022 – Graubünden",
        "Landbedeckung 2022 – Zürich", "Landbedeckung 2022 – Oberbayern (Süd)",
        "Landbedeckung 2022 – Tirol", "Landbedeckung Alpen 2022 (Alpine land cover)",
        "Open Geodata Sample Catalogue"])  # the root's extent covers the whole sample
    # a box across the antimeridian finds the scene crossing it
    assert "Sentinel-2 scene 2023-01-24 (Taveuni, across the antimeridian)" in query(
        page, url, "bbox=179.8,-17,-179.6,-16.5")
    # a date range excludes items outside it
    feb = query(page, url, "from=2023-02-01&to=2023-02-28")
    assert sorted(feb) == ["Sentinel-2 scene 2023-02-03", "Sentinel-2 scene 2023-02-13",
                           "Sentinel-2 scene 2023-02-23"]
    # a collection filter
    landcover = page.locator("#c option", has_text="Landbedeckung").get_attribute("value")
    results = query(page, url, f"c={landcover}")
    assert len(results) == 7 and all("Landbedeckung" in t or "Flächenstatistik" in t
                                     for t in results)
    # text and collection together
    assert query(page, url, f"q=zurich&c={landcover}") == ["Landbedeckung 2022 – Zürich"]
    # nothing matches: a message says so
    assert query(page, url, "q=nosuchthingatall") == []
    assert "No results" in page.locator("#status").inner_text()
    assert tab.errors == [] and tab.blocked_non_tiles == []


def test_form_hash_round_trip_and_back_button(site: Built, probe: Any) -> None:
    tab = probe()
    page = tab.page
    url = (site.out / "search" / "index.html").as_uri()
    page.goto(url)
    page.wait_for_selector("html[data-search='done']")
    assert "34 results" in page.locator("#status").inner_text()
    page.evaluate("() => document.documentElement.removeAttribute('data-search')")
    page.fill("#q", "orthophoto")
    page.select_option("#sort", "date")
    page.click("form#search-form button[type=submit]")
    page.wait_for_selector("html[data-search='done']")
    assert "q=orthophoto" in page.url and "sort=date" in page.url
    first = page.locator("#results li a").all_inner_texts()
    assert first[0] == "Orthophoto Sjöbo nord"  # newest first
    # the URL alone reproduces the results
    other = probe().page
    other.goto(page.url)
    other.wait_for_selector("html[data-search='done']")
    assert other.locator("#results li a").all_inner_texts() == first
    assert other.input_value("#q") == "orthophoto"
    # back goes to the previous query
    page.evaluate("() => document.documentElement.removeAttribute('data-search')")
    page.go_back()
    page.wait_for_selector("html[data-search='done']")
    assert "34 results" in page.locator("#status").inner_text()
    assert tab.errors == []


def test_map_view_and_pages(site: Built, probe: Any) -> None:
    tab = probe()
    page = tab.page
    url = (site.out / "search" / "index.html").as_uri()
    page.goto(url + "#page=1")
    page.wait_for_selector("html[data-search='done']")
    assert "showing 21–34" in page.locator("#status").inner_text()
    # the results map loads after the first results
    page.wait_for_function("() => window.sitegenMap && geo_json_results !== undefined")
    page.wait_for_selector('.leaflet-container[data-basemap]')
    page.evaluate("() => { document.documentElement.removeAttribute('data-search');"
                  " sitegenMap.fitBounds([[55.4, 12.8], [56.0, 13.8]], {animate: false}); }")
    page.click("#view")
    page.wait_for_selector("html[data-search='done']")
    assert "bbox=" in page.url
    titles = page.locator("#results li a").all_inner_texts()
    assert titles and all("Skåne" in t or "Orthophoto" in t or "Höjdmodell" in t
                          or "Sweden" in t or t == "Open Geodata Sample Catalogue"
                          for t in titles)
    assert not any("Sentinel" in t or "Landbedeckung" in t for t in titles)
    assert tab.errors == []


def test_header_box_on_every_page_leads_to_results(site: Built, probe: Any) -> None:
    tab = probe()
    page = tab.page
    page.goto((site.out / "sweden" / "index.html").as_uri())
    page.fill("#header-q", "höjdmodell")
    page.press("#header-q", "Enter")
    page.wait_for_selector("html[data-search='done']")
    assert len(page.locator("#results li a").all_inner_texts()) == 7  # 6 tiles + collection
    assert tab.errors == []


def test_without_javascript_the_page_says_so(site: Built, probe: Any) -> None:
    page = probe(java_script_enabled=False).page
    page.goto((site.out / "search" / "index.html").as_uri())
    assert "needs JavaScript" in page.locator("main").inner_text()


def test_index_loads_only_what_a_query_needs(tmp_path: Path, probe: Any, site: Built) -> None:
    tab = probe()
    page = tab.page
    query(page, (site.out / "search" / "index.html").as_uri(), "q=malmo")
    files = page.evaluate("() => sitegenSearch.files")
    assert "manifest.js" in files and any(f.startswith("t/") for f in files)
    shards = [f for f in files if f.startswith("s/")]
    assert len(shards) == 1
