"""Metadata display on the STAC extension examples: labels, units, formats, tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED, Built, build_site, needs_shared

EXAMPLES = SHARED / "stac-extensions-examples"


@pytest.fixture(scope="module")
def ext(tmp_path_factory: pytest.TempPathFactory) -> Built:
    if not EXAMPLES.is_dir():
        pytest.skip("../shared/catalogs not present")
    return build_site(EXAMPLES / "catalog.json", tmp_path_factory.mktemp("ext") / "site")


def section(html: str, name: str) -> str:
    return html.split(f'class="{name}"', 1)[1].split("</section>", 1)[0]


@needs_shared
def test_raster_bands_table_with_units_and_readable_types(ext: Built) -> None:
    html = ext.html("raster/examples/item-planet.html")
    assert '<table class="data">' in html
    assert "Wavelength</abbr> (μm)" in html or "Wavelength (μm)" in html
    assert "16-bit unsigned integer" in html and "Red TOA reflectance" in html
    assert "… and 244 more" in html  # histogram buckets shortened, not dumped


@needs_shared
def test_eo_and_projection_fields(ext: Built) -> None:
    html = ext.html("eo/examples/item.html")
    props = section(html, "properties")
    assert "Cloud Cover" in props and "eo:cloud_cover" not in props
    proj = ext.html("projection/examples/item.html")
    assert 'href="https://epsg.io/32659"' in proj or 'href="https://epsg.io/' in proj
    assert "Image Dimensions" in proj and " × " in proj


@needs_shared
def test_sar_fields_are_labelled(ext: Built) -> None:
    html = ext.html("sar/examples/envisat.html")
    assert "Polarizations" in html and "Frequency Band" in html
    assert "sar:polarizations" not in html.split("<main")[1].split("STAC JSON")[0]


@needs_shared
def test_file_checksums_are_decoded(ext: Built) -> None:
    html = ext.html("file/examples/item.html")
    # the file extension's examples use BLAKE2b-128 multihashes (0x90e402...)
    assert 'blake2b-128: <code class="hash">a30d1711e81a4b11ef67b28744321659</code>' in html


@needs_shared
def test_scientific_citation_and_dois(ext: Built) -> None:
    html = ext.html("scientific/examples/item.html")
    cite = section(html, "citation")
    assert 'href="https://doi.org/' in cite
    assert "Publications" in cite or "<blockquote" in cite


@needs_shared
def test_table_extension_columns_table(ext: Built) -> None:
    html = ext.html("table/examples/index.html")
    assert "Columns" in html and '<table class="data">' in html


@needs_shared
def test_item_assets_table(ext: Built) -> None:
    html = ext.html("item-assets/examples/index.html")
    details = section(html, "details")
    assert "Item Assets" in details and '<table class="data">' in details
    assert "Key</th>" in details


@needs_shared
def test_every_page_builds_and_has_no_unknown_field_labels(ext: Built) -> None:
    assert ext.result.pages == {"catalog": 11, "collection": 11, "item": 14}
    for page in Path(ext.out).rglob("*.html"):
        assert "<built-in method" not in page.read_text(encoding="utf-8")
