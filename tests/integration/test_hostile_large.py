"""The large cases of the hostile corpus (``make_hostile_corpus.py --large``): a catalog
with 50,000 children, a 10 MB description and a 1,000,000-vertex geometry.

One build of about half a minute: pages stay small, nothing is lost from the JSON
copies, every child is listed exactly once, and no link is broken.
"""

from __future__ import annotations

import json
import re

import pytest

from sitegen.linkcheck import check_site
from tests.conftest import Built, build_site
from tests.data.make_hostile_corpus import write_corpus

CHILDREN = 50_000
PER_PAGE = 100


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("large")
    write_corpus(work, large=True)
    return build_site(work / "corpus", work / "out", jobs=2, items_per_page=PER_PAGE,
                      base_url="https://site.example/")


def test_wide_catalog_lists_every_child_once_on_small_pages(large: Built) -> None:
    wide = large.out / "wide"
    pages = sorted(wide.glob("index*.html"))
    assert len(pages) == CHILDREN // PER_PAGE
    listed: list[str] = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert len(text) < 100_000, page
        listed += re.findall(r'<h3><a href="(c\d+)\.html">', text)
        # the page list is a window, not 500 links
        assert text.count('#list"') <= 9, page
    assert len(listed) == len(set(listed)) == CHILDREN
    assert all((wide / f"c{n}.html").is_file() for n in range(0, CHILDREN, 997))


def test_ten_megabyte_description_is_cut_on_pages_and_kept_in_json(large: Built) -> None:
    page = large.html("big/index.html")
    assert len(page) < 500_000
    assert "(description shortened)" in page
    source = json.loads((large.out.parent / "corpus" / "big" / "collection.json")
                        .read_text(encoding="utf-8"))
    copy = large.json("big/collection.json")
    assert len(copy["description"]) == len(source["description"]) == 10_000_000


def test_million_vertex_geometry_is_thinned_on_the_map_and_kept_in_json(
        large: Built) -> None:
    page = large.html("big/huge.html")
    assert len(page) < 500_000
    data = re.search(r'<script type="application/json" id="sitegen-map-data">(.*?)</script>',
                     page, re.S)
    assert data is not None
    ring = json.loads(data.group(1))["footprint"]["geometry"]["coordinates"][0]
    assert 100 < len(ring) < 20_000
    copy = large.json("big/huge.json")
    assert len(copy["geometry"]["coordinates"][0]) == 1_000_001
    assert len(copy["properties"]["description"]) == 10_000_000


def test_large_build_has_no_broken_links(large: Built) -> None:
    assert large.result.pages["catalog"] > CHILDREN
    report = check_site(large.out)
    assert report.broken == [] and report.external_loads == []
