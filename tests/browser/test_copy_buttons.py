"""Copy-URL buttons from file://, in a real browser; plain selectable URLs without JS."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SAMPLE, Built, build_site

ITEM = "sentinel-2-l2a-fiji/S2B_MSIL2A_20230124_T01KAV/index.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_site(SAMPLE, tmp_path_factory.mktemp("browser") / "site")


def test_copy_buttons_copy_absolute_urls_from_file(site: Built, probe: Any) -> None:
    tab = probe(permissions=["clipboard-read", "clipboard-write"])
    page = tab.page
    page.goto((site.out / ITEM).as_uri())
    buttons = page.locator("section.assets button.copy")
    assert buttons.count() == 8  # 7 assets and one alternate href
    assert buttons.first.is_visible()
    # a relative asset: the copied URL is resolved against the page's own address
    buttons.first.click()
    page.wait_for_function("() => document.querySelector('button.copy').textContent"
                           " === 'Copied'")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == (site.out / ITEM).parent.joinpath("thumbnail.png").as_uri()
    # an absolute data URL is copied as it is
    buttons.nth(1).click()
    page.wait_for_timeout(100)
    assert page.evaluate("() => navigator.clipboard.readText()") == \
        "https://data.example.org/open-geodata/sentinel-2/S2B_MSIL2A_20230124_T01KAV/B02.tif"
    # an s3:// address (no web link) is copyable too
    s3 = page.locator("section.assets li.asset").last.locator("button.copy")
    s3.click()
    page.wait_for_timeout(100)
    assert page.evaluate("() => navigator.clipboard.readText()").startswith(
        "s3://example-sentinel-bucket/")
    assert tab.errors == [] and tab.blocked_non_tiles == []


def test_without_javascript_urls_are_visible_and_buttons_hidden(site: Built,
                                                                 probe: Any) -> None:
    tab = probe(java_script_enabled=False)
    page = tab.page
    page.goto((site.out / ITEM).as_uri())
    assert page.locator("button.copy").first.is_hidden()
    urls = page.locator("section.assets code.url")
    assert urls.count() == 8 and urls.nth(1).is_visible()
    assert "B02.tif" in urls.nth(1).inner_text()
    assert page.locator("a.button", has_text="download.sh").is_visible()
    assert tab.blocked_non_tiles == []
