"""The bundled sample catalog, built once with worker processes, checked many ways."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sitegen.build import crawl_only
from sitegen.config import Config
from sitegen.linkcheck import check_site
from tests.conftest import SAMPLE, SHARED, Built, build_site, own_scripts_only, parse_html


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_site(SAMPLE, tmp_path_factory.mktemp("sample") / "site", jobs=2)


def _pages(site: Built) -> list[Path]:
    """The pages of STAC documents (not 404.html, not the search page)."""
    return sorted(p for p in site.out.rglob("*.html")
                  if p.name != "404.html" and p.relative_to(site.out).parts[0] != "search")


def test_one_page_per_document(site: Built) -> None:
    assert site.result.pages == {"catalog": 2, "collection": 4, "item": 28}
    assert site.result.warnings == 0, site.warnings_text()
    assert len(_pages(site)) == 34


def test_no_broken_internal_links_and_nothing_from_other_hosts(site: Built) -> None:
    report = check_site(site.out)
    assert report.pages == 36 and report.links >= 10 * report.pages  # 34 + 404 + search
    assert report.broken == [] and report.directory_links == []
    assert report.external_loads == []


def test_every_link_is_relative_and_names_a_file(site: Built) -> None:
    for page in _pages(site):
        for _tag, attrs in parse_html(page.read_text(encoding="utf-8")).tags:
            for name in ("href", "src"):
                url = attrs.get(name)
                if url is None or re.match(r"^[a-z]+:", url) or url.startswith("#"):
                    continue
                assert not url.startswith("/"), (page, url)
                assert not url.split("#")[0].endswith("/"), (page, url)


def test_every_page_has_head_breadcrumbs_and_json_alternate(site: Built) -> None:
    for page in _pages(site):
        text = page.read_text(encoding="utf-8")
        parsed = parse_html(text)
        assert "<title>" in text and 'name="description"' in text, page
        assert 'aria-label="Breadcrumb"' in text, page
        alternates = [a for t, a in parsed.tags if t == "link" and a.get("rel") == "alternate"
                      and a.get("type") == "application/json"]
        assert len(alternates) == 1, page
        target = page.parent / (alternates[0]["href"] or "")
        doc = json.loads(target.read_text(encoding="utf-8"))
        # the JSON copy links back to this very page
        back = [link["href"] for link in doc["links"] if link["rel"] == "alternate"
                and link.get("type") == "text/html"]
        assert back and (target.parent / back[0]).resolve() == page.resolve()


def test_collection_page_lists_items_without_javascript(site: Built) -> None:
    html = site.html("sentinel-2-l2a-fiji/index.html")
    own_scripts_only(site.out / "sentinel-2-l2a-fiji/index.html", site.out)
    assert "Sentinel-2 L2A – Fiji" in html and "CC-BY" not in html
    assert html.count('href="S2') == 8  # eight item links in the list
    assert "European Space Agency" in html and "producer" in html
    assert ('<a href="https://sentinel.esa.int/documents/247904/690755/Sentinel_Data_Legal_'
            'Notice">Sentinel data legal notice (other)</a>') in html
    assert "crosses the antimeridian" in html           # extent in words
    assert "2023-01-04 00:00 UTC – ongoing" in html      # open temporal extent
    assert "0.4 % – 67.8 %" in html                      # summary range, with unit
    assert "<strong>Sentinel-2</strong>" in html         # markdown rendered


def test_item_page_shows_properties_assets_and_navigation(site: Built) -> None:
    html = site.html("sentinel-2-l2a-fiji/S2B_MSIL2A_20230124_T01KAV/index.html")
    assert "Taveuni, across the antimeridian" in html
    assert "2023-01-24 22:12:41.024000 UTC" in html or "2023-01-24 22:12:41" in html
    assert "Cloud Cover" in html and "41 %" in html
    assert 'href="../index.html">Sentinel-2 L2A – Fiji</a>' in html  # collection link
    assert "crosses the antimeridian" in html
    # 4 bands, visual and thumbnail download; the s3 asset is text, not a button
    assets = html.split('<section class="assets">')[1].split("</section>")[0]
    assert assets.count('class="button"') == 6
    assert "s3://example-sentinel-bucket" in html and "s3:// location" in html
    assert '<img class="thumb-large" src="thumbnail.png"' in html
    assert "1.2e+08" not in html and "120.0 MB" in html   # readable file sizes
    assert "{'" not in html and "['" not in html           # never a Python repr


def test_null_geometry_item_says_so(site: Built) -> None:
    html = site.html("alpine-landcover-2022/landcover-2022-statistics/index.html")
    assert "no footprint" in html and "<strong>no geometry</strong>" in html


def test_non_ascii_text_survives(site: Built) -> None:
    assert "Höjdmodell Skåne" in site.html("sweden/elevation-skane/index.html")
    assert "Landbedeckung 2022 – Zürich" in site.html(
        "alpine-landcover-2022/landcover-2022-zuerich/index.html")
    doc = site.json("sweden/catalog.json")
    assert doc["title"] == "Sweden – Skåne"


def test_breadcrumbs_lead_to_the_root(site: Built) -> None:
    html = site.html("sweden/orthophoto-skane-2023/ortho-2023-01/index.html")
    crumbs = html.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert crumbs.index("Open Geodata Sample Catalogue") < crumbs.index("Sweden – Skåne") \
        < crumbs.index("Orthophotos Skåne 2023") < crumbs.index("Orthophoto Malmö väst")
    assert 'href="../../../index.html"' in crumbs


def test_thumbnails_are_copied_and_json_assets_point_at_them(site: Built) -> None:
    doc = site.json("sentinel-2-l2a-fiji/S2A_MSIL2A_20230114_T60KXE/S2A_MSIL2A_20230114_T60KXE"
                    ".json")
    assert doc["assets"]["thumbnail"]["href"] == "thumbnail.png"
    assert (site.out / "sentinel-2-l2a-fiji/S2A_MSIL2A_20230114_T60KXE/thumbnail.png").read_bytes(
    ).startswith(b"\x89PNG")


def test_output_is_a_static_catalog_with_the_same_documents(site: Built) -> None:
    again = crawl_only(str(site.out), Config())
    assert again.counts() == {"catalog": 2, "collection": 4, "item": 28}
    checker = SHARED.parent / "tools" / "crawl_check.py"
    if checker.is_file():
        run = subprocess.run([sys.executable, str(checker), str(site.out), "--json"],
                             capture_output=True, text=True, check=True)
        counts = json.loads(run.stdout)[0]["counts"]
        assert (counts["catalog"], counts["collection"], counts["item"]) == (2, 4, 28)


def test_pagination(tmp_path: Path) -> None:
    built = build_site(SAMPLE, tmp_path / "site", items_per_page=3)
    html = built.html("sentinel-2-l2a-fiji/index.html")
    assert "Showing 1–3 of 8" in html
    assert 'href="index-2.html#list"' in html and 'href="index-3.html#list"' in html
    assert 'href="index-2.html#list" rel="next"' in html and 'rel="prev"' not in html
    third = built.html("sentinel-2-l2a-fiji/index-3.html")
    assert "Showing 7–8 of 8" in third and third.count('href="S2') == 2
    assert 'href="index-2.html#list" rel="prev"' in third and 'rel="next"' not in third
    assert check_site(built.out).broken == []


def test_children_and_items_share_the_list_pages(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    links = [{"rel": "child", "href": f"./c{n}.json"} for n in range(5)]
    links += [{"rel": "item", "href": f"./i{n}.json"} for n in range(4)]
    (src / "catalog.json").write_text(json.dumps({
        "type": "Catalog", "stac_version": "1.0.0", "id": "mixed", "description": "x",
        "links": links}), encoding="utf-8")
    for n in range(5):
        (src / f"c{n}.json").write_text(json.dumps({
            "type": "Catalog", "stac_version": "1.0.0", "id": f"child-{n}",
            "description": "x", "links": []}), encoding="utf-8")
    for n in range(4):
        (src / f"i{n}.json").write_text(json.dumps({
            "type": "Feature", "stac_version": "1.0.0", "id": f"item-{n}", "links": [],
            "geometry": None, "properties": {"datetime": "2020-01-01T00:00:00Z"},
            "assets": {}}), encoding="utf-8")
    built = build_site(src, tmp_path / "site", items_per_page=3)
    pages = [built.html(name) for name in ("index.html", "index-2.html", "index-3.html")]
    assert not (built.out / "index-4.html").exists()
    assert "Showing 1–3 of 5" in pages[0] and "child-2" in pages[0] and "item-" not in pages[0]
    assert "Showing 4–5 of 5" in pages[1] and "Showing 1–1 of 4" in pages[1]
    assert "Showing 2–4 of 4" in pages[2] and "child-" not in pages[2]
    # every child and item is listed exactly once across the pages
    listed = "".join(pages)
    for n in range(5):
        assert listed.count(f'href="c{n}.html"') == 1
    for n in range(4):
        assert listed.count(f'href="i{n}.html"') == 1
    assert check_site(built.out).broken == []


def _digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_builds_are_byte_identical_whatever_the_worker_count(site: Built,
                                                            tmp_path: Path) -> None:
    serial = build_site(SAMPLE, tmp_path / "serial", jobs=1)
    assert _digest(serial.out) == _digest(site.out)


def test_github_pages_will_serve_underscore_folders(site: Built) -> None:
    assert (site.out / ".nojekyll").is_file()
    assert (site.out / "_static" / "sitegen.css").is_file()
    assert (site.out / "404.html").is_file()


def test_citation_block_from_the_scientific_extension(site: Built) -> None:
    html = site.html("sweden/elevation-skane/index.html")
    cite = html.split('class="citation"')[1].split("</section>")[0]
    assert 'DOI: <a href="https://doi.org/10.5281/zenodo.0000000">10.5281/zenodo.0000000</a>' \
        in cite and "Höjdmodell Skåne 1 m" in cite
    assert 'class="details"' not in html  # the citation fields are not shown twice
    alps = site.html("alpine-landcover-2022/index.html")
    assert "Alpine land cover from Sentinel-2" in alps
    assert 'href="https://doi.org/10.1000/example.2023.001">doi:10.1000/example.2023.001' in alps
