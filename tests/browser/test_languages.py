"""The scripts speak the site's language too: search, copy buttons, map controls."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SAMPLE, Built, build_site

ITEM = "sentinel-2-l2a-fiji/S2B_MSIL2A_20230124_T01KAV/index.html"


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_site(SAMPLE, tmp_path_factory.mktemp("de") / "site", language="de")


@pytest.fixture(scope="module")
def swedish(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_site(SAMPLE, tmp_path_factory.mktemp("sv") / "site", language="sv")


def search(page: Any, site: Built, fragment: str) -> str:
    # A new fragment on the same page runs the search after goto returns: the mark of
    # the previous search must not be taken for this one's.
    if page.url.startswith(("file:", "http")):
        page.evaluate("() => document.documentElement.removeAttribute('data-search')")
    page.goto(f"{(site.out / 'search' / 'index.html').as_uri()}#{fragment}")
    page.wait_for_selector("html[data-search='done']")
    return str(page.locator("#status").inner_text())


def test_search_in_german_and_swedish(german: Built, swedish: Built, probe: Any) -> None:
    tab = probe()
    page = tab.page
    assert search(page, german, "q=landbedeckung") == "7 Treffer, gezeigt: 1–7."
    assert page.locator("#results .result-meta").first.inner_text().startswith("Element")
    assert search(page, german, "q=nothing-like-this") == (
        "Keine Treffer. Versuchen Sie weniger Wörter, einen längeren Zeitraum oder ein "
        "größeres Gebiet.")
    assert search(page, swedish, "q=landbedeckung") == "7 träffar, visar 1–7."
    page.locator("#draw").click()
    assert page.locator("#draw").inner_text() == "Klicka på två hörn på kartan"
    assert tab.errors == [] and tab.blocked_non_tiles == []


def test_copy_button_and_map_controls_in_german(german: Built, probe: Any) -> None:
    tab = probe(permissions=["clipboard-read", "clipboard-write"])
    page = tab.page
    page.goto((german.out / ITEM).as_uri())
    button = page.locator("section.assets button.copy").first
    assert button.inner_text() == "Adresse kopieren"
    button.click()
    page.wait_for_function("() => document.querySelector('button.copy').textContent"
                           " === 'Kopiert'")
    page.wait_for_selector(".leaflet-control-zoom-in")
    assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Vergrößern"
    assert page.locator(".opacity-control").inner_text().strip() == "Vorschau"
    assert page.locator(".opacity-control input").get_attribute("aria-label") == \
        "Deckkraft des Vorschaubilds"
    assert tab.errors == [] and tab.blocked_non_tiles == []
