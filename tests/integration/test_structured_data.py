"""JSON-LD, head tags and sitemaps of built sites, checked with real parsers."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import rdflib
import xmlschema

from sitegen.catalog import extent_boxes
from tests.conftest import DATA, SAMPLE, SHARED, Built, build_site, needs_shared, shared_roots

BASE = "https://example.github.io/geodata/"
SCHEMA = rdflib.Namespace("https://schema.org/")
SITEMAP_XSD = xmlschema.XMLSchema(str(DATA / "sitemaps" / "sitemap.xsd"))
INDEX_XSD = xmlschema.XMLSchema(str(DATA / "sitemap-index" / "siteindex.xsd"))


class _LdParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in = tag == "script" and dict(attrs).get("type") == "application/ld+json"
        if self._in:
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self.blocks[-1] += data


def json_ld(page: Path) -> list[dict[str, Any]]:
    parser = _LdParser()
    parser.feed(page.read_text(encoding="utf-8"))
    return [json.loads(block) for block in parser.blocks]


def graph(blocks: list[dict[str, Any]]) -> rdflib.Graph:
    """Parse JSON-LD with rdflib, schema.org context given locally (no network)."""
    g = rdflib.Graph()
    for block in blocks:
        local = dict(block, **{"@context": {"@vocab": "https://schema.org/"}})
        g.parse(data=json.dumps(local), format="json-ld")
    return g


def check_datasets(site: Built, collections: dict[str, dict[str, Any]]) -> int:
    """Every page parses as JSON-LD; every Collection page has a valid Dataset."""
    datasets = 0
    for page in sorted(site.out.rglob("*.html")):
        if page.name == "404.html":
            continue
        if page.relative_to(site.out).parts[0] == "search":
            website = json_ld(page)[0]
            assert website["@type"] == "WebSite" and len(graph([website])) > 0
            continue
        blocks = json_ld(page)
        assert len(blocks) == 1, page
        g = graph(blocks)
        assert len(g) > 0, page
        rel = page.relative_to(site.out).as_posix()
        if rel in collections:
            subject = rdflib.URIRef(BASE + rel + "#dataset")
            assert (subject, rdflib.RDF.type, SCHEMA.Dataset) in g, rel
            assert g.value(subject, SCHEMA.name), rel
            description = str(g.value(subject, SCHEMA.description))
            assert 50 <= len(description) <= 5000, rel
            boxes = extent_boxes(collections[rel])
            if boxes:
                west, south, east, north = boxes[0]
                box = blocks[0]["spatialCoverage"]["geo"]["box"]
                assert [float(v) for v in box.split()] == [south, west, north, east], rel
            datasets += 1
    return datasets


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_site(SAMPLE, tmp_path_factory.mktemp("ld") / "site", base_url=BASE)


def test_sample_json_ld_parses_and_datasets_are_complete(sample: Built) -> None:
    collections = {node_page: json.loads((sample.out / node_page).with_name(
        "collection.json").read_text()) for node_page in
        ("sentinel-2-l2a-fiji/index.html", "alpine-landcover-2022/index.html",
         "sweden/orthophoto-skane-2023/index.html", "sweden/elevation-skane/index.html")}
    assert check_datasets(sample, collections) == 4
    fiji = json_ld(sample.out / "sentinel-2-l2a-fiji/index.html")[0]
    assert fiji["spatialCoverage"]["geo"]["box"] == "-19.1 177.3 -15.9 -179.4"
    root = json_ld(sample.out / "index.html")[0]
    assert root["@type"] == "DataCatalog" and root["@id"] == BASE + "index.html#catalog"
    sweden = json_ld(sample.out / "sweden/index.html")[0]
    assert sweden["@type"] == "DataCatalog" and sweden["isPartOf"]["@id"] == root["@id"]
    item = json_ld(sample.out / "sentinel-2-l2a-fiji/S2A_MSIL2A_20230114_T60KXE/index.html")[0]
    assert item["@type"] == "Dataset"
    assert item["isPartOf"]["@id"] == BASE + "sentinel-2-l2a-fiji/index.html#dataset"
    downloads = {d["contentUrl"]: d for d in item["distribution"]}
    b02 = downloads["https://data.example.org/open-geodata/sentinel-2/"
                    "S2A_MSIL2A_20230114_T60KXE/B02.tif"]
    assert b02["encodingFormat"].startswith("image/tiff") and b02["contentSize"].endswith(" B")
    assert all(u.startswith("https://") for u in downloads)  # s3:// is not a DataDownload


def test_head_tags(sample: Built) -> None:
    html = sample.html("sentinel-2-l2a-fiji/index.html")
    for tag in ('<link rel="canonical" href="' + BASE + 'sentinel-2-l2a-fiji/index.html">',
                '<meta property="og:url" content="' + BASE + 'sentinel-2-l2a-fiji/index.html">',
                '<meta property="og:image" content="' + BASE
                + 'sentinel-2-l2a-fiji/thumbnail.png">',
                '<meta property="og:type" content="website">',
                '<meta property="og:site_name" content="Open Geodata Sample Catalogue">',
                '<meta name="twitter:card" content="summary_large_image">', '<html lang="en">'):
        assert tag in html, tag
    description = html.split('<meta name="description" content="')[1].split('"')[0]
    assert 50 < len(description) <= 160


def test_sitemap_validates_and_uses_stac_dates(sample: Built) -> None:
    SITEMAP_XSD.validate(str(sample.out / "sitemap.xml"))
    text = (sample.out / "sitemap.xml").read_text()
    assert text.count("<url>") == 34
    assert f"<loc>{BASE}sentinel-2-l2a-fiji/S2B_MSIL2A_20230124_T01KAV/index.html</loc>" \
           "<lastmod>2023-01-24T22:12:41Z</lastmod>" in text
    assert f"<loc>{BASE}sweden/orthophoto-skane-2023/ortho-2023-01/index.html</loc>" \
           "<lastmod>2024-02-12T12:30:00Z</lastmod>" in text  # "updated" wins over datetime
    assert not (sample.out / "robots.txt").exists()  # a sub-path: robots.txt is not read


def test_robots_txt_at_a_host_root_and_items_left_out(tmp_path: Path) -> None:
    built = build_site(SAMPLE, tmp_path / "site", base_url="https://data.example.org/",
                       sitemap_items=False)
    assert "Sitemap: https://data.example.org/sitemap.xml" in built.html("robots.txt")
    assert (built.out / "sitemap.xml").read_text().count("<url>") == 6


def test_no_sitemap_without_base_url(tmp_path: Path) -> None:
    built = build_site(DATA / "old", tmp_path / "site")
    assert not (built.out / "sitemap.xml").exists()
    ld = json_ld(built.out / "coll" / "index.html")[0]
    assert "url" not in ld and ld["@type"] == "Dataset"


def test_script_breakout_in_title_and_description(tmp_path: Path) -> None:
    payload = "</script><script>alert(1)</script>"
    src = tmp_path / "src"
    src.mkdir()
    (src / "collection.json").write_text(json.dumps({
        "type": "Collection", "stac_version": "1.0.0", "id": "x", "title": payload,
        "description": payload * 3, "license": "CC0-1.0",
        "extent": {"spatial": {"bbox": [[0, 0, 1, 1]]}, "temporal": {"interval": [[None, None]]}},
        "links": []}), encoding="utf-8")
    built = build_site(src, tmp_path / "site", base_url=BASE)
    html = built.html("index.html")
    assert html.count("<script") == html.count("</script>")  # nothing closed early
    block = json_ld(built.out / "index.html")[0]
    assert block["name"] == payload and payload in block["description"]
    assert len(graph([block])) > 0


def test_items_structured_data_modes(tmp_path: Path) -> None:
    never = build_site(SAMPLE, tmp_path / "never", base_url=BASE, items_structured_data="never")
    item = json_ld(never.out / "sweden/elevation-skane/dem-skane-01/index.html")[0]
    assert item["@type"] == "WebPage" and "isPartOf" in item


@needs_shared
@pytest.mark.parametrize(("tree", "root"), [(t, r) for t, r, _ in shared_roots()],
                         ids=[f"{t}/{r}" for t, r, _ in shared_roots()])
def test_shared_catalogs_json_ld(tmp_path: Path, tree: str, root: str) -> None:
    built = build_site(SHARED / tree / root, tmp_path / "site", base_url=BASE)
    collections = {}
    for page in built.out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if 'class="doc doc-collection"' in text:
            json_href = text.split('rel="alternate" type="application/json" href="')[1]
            collections[page.relative_to(built.out).as_posix()] = json.loads(
                (page.parent / json_href.split('"')[0]).read_text(encoding="utf-8"))
    assert check_datasets(built, collections) == len(collections)
    SITEMAP_XSD.validate(str(built.out / "sitemap.xml"))


@pytest.mark.slow
def test_sitemap_index_above_50000_urls(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    links = []
    for n in range(50_001):
        (src / f"i{n}.json").write_text(json.dumps({
            "type": "Feature", "stac_version": "1.0.0", "id": f"i{n}", "geometry": None,
            "properties": {"datetime": "2020-01-01T00:00:00Z"}, "links": [], "assets": {}}))
        links.append({"rel": "item", "href": f"./i{n}.json"})
    (src / "collection.json").write_text(json.dumps({
        "type": "Collection", "stac_version": "1.0.0", "id": "many", "description": "Many",
        "license": "CC0-1.0", "extent": {"spatial": {"bbox": [[0, 0, 1, 1]]},
                                         "temporal": {"interval": [[None, None]]}},
        "links": links}))
    built = build_site(src, tmp_path / "site", base_url="https://data.example.org/",
                       jobs=2, items_per_page=5000)
    INDEX_XSD.validate(str(built.out / "sitemap.xml"))
    index = (built.out / "sitemap.xml").read_text()
    assert "<sitemapindex" in index and index.count("<sitemap>") == 2
    first, second = built.out / "sitemap-1.xml", built.out / "sitemap-2.xml"
    SITEMAP_XSD.validate(str(first))
    SITEMAP_XSD.validate(str(second))
    total = first.read_text().count("<url>") + second.read_text().count("<url>")
    assert first.read_text().count("<url>") == 50_000
    assert total == 50_001 + 11  # items, plus the collection's 11 list pages


@pytest.mark.parametrize("source", [SAMPLE, DATA / "dag"], ids=["sample", "dag"])
def test_a_nodes_sitemap_date_is_the_newest_of_every_item_below_it(source: Path) -> None:
    """Worked out once per node from its children's, it must be what a walk of every
    item below the node gives (DAGs included: an item below two parents)."""
    from sitegen.build import _newest_below, crawl_only
    from sitegen.config import Config
    from sitegen.model import build_model

    config = Config()
    site = build_model(crawl_only(str(source), config), config)
    newest: dict[str, str | None] = {}
    for location in site.nodes:
        stamps = [s for i in site.items_below(location) if (s := site.items[i].summary.lastmod)]
        assert _newest_below(site, location, newest, frozenset()) == \
            (max(stamps) if stamps else None)
    assert any(newest.values())
