from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from sitegen.catalog import (
    PACK_ITEM_LINKS,
    NodeRecord,
    classify,
    crawl,
    migrate,
    summarise_item,
    valid_bbox,
)
from sitegen.errors import SourceError
from sitegen.reporter import Reporter
from sitegen.sources import Reader
from tests.conftest import DATA


def test_classify_handles_pre_1_0_documents() -> None:
    assert classify({"type": "Feature"}) == "item"
    assert classify({"stac_version": "0.8.1", "extent": {}}) == "collection"
    assert classify({"stac_version": "0.8.1", "links": [], "description": "x"}) == "catalog"
    assert classify({"hello": 1}) == "unknown"


def test_dag_gives_one_record_per_document_and_keeps_every_parent() -> None:
    reporter = Reporter()
    result = crawl(str(DATA / "dag"), Reader(), reporter)
    assert result.counts() == {"catalog": 2, "collection": 1, "item": 3}
    shared = str(DATA / "dag" / "shared" / "shared-item.json")
    assert result.parents[shared] == (str(DATA / "dag" / "a" / "catalog.json"),
                                      str(DATA / "dag" / "b" / "collection.json"))
    text = "\n".join(str(w) for w in reporter.warnings)
    assert "missing/catalog.json" in text          # broken child link, href named
    assert "invalid.json" in text and "invalid JSON" in text
    assert "not-stac.json" in text and "not a STAC Item" in text
    assert "cycle" in text                          # b links the root as a child
    assert "itself" in text                         # a links itself
    # the remote child of a local root is shown, not fetched
    root = result.nodes[str(DATA / "dag" / "catalog.json")]
    assert root.external == [("child", "Remote catalog",
                              "https://example.com/remote/catalog.json")]


def test_each_problem_gives_exactly_one_warning() -> None:
    reporter = Reporter()
    crawl(str(DATA / "dag"), Reader(), reporter)
    assert len(reporter.warnings) == 5


def test_old_versions_are_read_and_migrated() -> None:
    result = crawl(str(DATA / "old"), Reader(), Reporter())
    assert result.counts() == {"catalog": 1, "collection": 1, "item": 2}
    node = result.nodes[str(DATA / "old" / "coll" / "collection.json")]
    assert node.doc["type"] == "Collection" and node.raw.get("type") is None
    item = {"type": "Feature", "stac_version": "0.9.0", "id": "x", "geometry": None,
            "properties": {"datetime": None}, "links": [], "assets": {}}
    assert migrate(item)["stac_version"].startswith("1.")
    assert item["stac_version"] == "0.9.0"  # the input is not modified


def test_documents_pystac_cannot_migrate_are_shown_as_they_are() -> None:
    # pystac 1.15's eo hook raises on this (short extension name, only eo:epsg):
    # the page must still show the fields rather than fail.
    item = {"type": "Feature", "stac_version": "0.8.1", "stac_extensions": ["eo"], "id": "x",
            "geometry": None, "properties": {"datetime": None, "eo:epsg": 32633},
            "links": [], "assets": {}}
    assert migrate(item)["properties"]["eo:epsg"] == 32633


@pytest.mark.parametrize("source", ["missing-folder", "missing.json"])
def test_missing_root_is_a_source_error(tmp_path: Path, source: str) -> None:
    with pytest.raises(SourceError):
        crawl(str(tmp_path / source), Reader(), Reporter())


def test_root_that_is_not_a_catalog_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="not a STAC Catalog"):
        crawl(str(DATA / "dag" / "shared" / "shared-item.json"), Reader(), Reporter())
    with pytest.raises(SourceError, match="invalid JSON"):
        crawl(str(DATA / "dag" / "invalid.json"), Reader(), Reporter())


def test_item_summary_is_small_and_tolerant() -> None:
    summary = summarise_item({"type": "Feature", "id": 5, "properties": None, "bbox": "x"},
                             "/c/items/abc.json", "/c/items/abc.json")
    assert summary.id == "abc" and summary.bbox is None and summary.datetime is None
    assert valid_bbox([0, 1, 2, 3, 4, 5]) == (0.0, 1.0, 3.0, 4.0)
    assert valid_bbox([0, 5, 1, 1]) is None and valid_bbox([0, 0, True, 1]) is None


def test_child_link_to_an_item_lists_it_as_an_item(tmp_path: Path) -> None:
    import json

    def write(rel: str, doc: dict[str, object]) -> None:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(json.dumps(doc))

    item = {"type": "Feature", "stac_version": "1.0.0", "id": "i", "geometry": None,
            "properties": {"datetime": None}, "links": []}
    write("i/i.json", item)
    write("catalog.json", {"type": "Catalog", "stac_version": "1.0.0", "id": "r",
                           "description": "r", "links": [
                               {"rel": "item", "href": "./i/i.json"},
                               {"rel": "child", "href": "./c/catalog.json"}]})
    write("c/catalog.json", {"type": "Catalog", "stac_version": "1.0.0", "id": "c",
                             "description": "c", "links": [
                                 {"rel": "child", "href": "../i/i.json"}]})
    result = crawl(str(tmp_path), Reader(), Reporter())
    assert result.counts() == {"catalog": 2, "collection": 0, "item": 1}
    assert result.nodes[str(tmp_path / "c" / "catalog.json")].items == [
        str(tmp_path / "i" / "i.json")]


def _through_pickle(fn, batches):  # type: ignore[no-untyped-def]
    """A ``map`` that hands results back as a worker process does: as copies."""
    return (pickle.loads(pickle.dumps(fn(batch))) for batch in batches)


def test_summaries_hold_the_crawls_own_strings_not_a_workers_copies() -> None:
    # Kept for the whole build, one per item: equal copies of the location and the
    # collection's location cost 300 bytes an item at a million items.
    result = crawl(str(DATA / "dag"), Reader(), Reporter(), map_items=_through_pickle)
    listed = {id(loc) for node in result.nodes.values() for loc in node.items}
    assert result.items
    for location, summary in result.items.items():
        assert summary.location is location and summary.read_path is location
        assert id(location) in listed
        parent_keys = {id(k) for k in result.parents}
        assert id(location) in parent_keys
        if summary.collection in result.nodes:
            assert summary.collection is result.nodes[summary.collection].location
    assert any(s.collection for s in result.items.values())


def test_documents_with_the_same_parents_share_one_tuple() -> None:
    result = crawl(str(DATA / "dag"), Reader(), Reporter())
    by_value: dict[tuple[str, ...], set[int]] = {}
    for parents in result.parents.values():
        by_value.setdefault(parents, set()).add(id(parents))
    assert any(len([p for p in result.parents.values() if p == v]) > 1 for v in by_value)
    assert all(len(ids) == 1 for ids in by_value.values())


def test_link_relations_and_types_of_nodes_are_shared_strings() -> None:
    result = crawl(str(DATA / "dag"), Reader(), Reporter())
    rels = [link["rel"] for node in result.nodes.values()
            for link in node.raw.get("links", []) if isinstance(link, dict)]
    items = [r for r in rels if r == "item"]
    assert len(items) > 1 and all(r is items[0] for r in items)


def test_lastmod_is_the_date_itself_when_that_is_w3c_already() -> None:
    props = {"datetime": "2021-09-08T05:26:12Z"}
    doc = {"type": "Feature", "id": "x", "properties": props}
    summary = summarise_item(doc, "/x.json", "/x.json")
    assert summary.lastmod is summary.datetime
    props["datetime"] = "2021-09-08T07:26:12+02:00"
    assert summarise_item(doc, "/x.json", "/x.json").lastmod == "2021-09-08T05:26:12Z"


@pytest.mark.parametrize("value", [
    [0.5, 1.5, 2.5, 3.5], [-180.0, -90.0, 180.0, 90.0], [-360.0, 0.0, 360.0, 0.0],
    [-360.1, 0.0, 1.0, 1.0], [0.0, 0.0, 360.5, 1.0], [0.0, -90.5, 1.0, 1.0],
    [0.0, 1.0, 1.0, 90.5], [0.0, 2.0, 1.0, 1.0], [0.0, 1.0, 1.0, 1.0], [179.0, 0.0, -179.0, 1.0],
    [float("nan"), 0.0, 1.0, 1.0], [0.0, float("nan"), 1.0, 1.0], [0.0, 0.0, float("inf"), 1.0],
    [-0.0, -0.0, 0.0, 0.0], [0, 1, 2, 3], [0.0, 1, 2.0, 3.0], [0.0, True, 2.0, 3.0],
    [0.0, "1", 2.0, 3.0], (0.0, 1.0, 2.0, 3.0), [0.0, 1.0, 2.0], [0.0, 1.0, 5.0, 2.0, 3.0, 6.0],
    [0.0, 1.0, 2.0, None], "0,1,2,3", None,
])
def test_usual_boxes_are_checked_as_the_general_way_does(value: object) -> None:
    from sitegen.catalog import _valid_bbox

    assert repr(valid_bbox(value)) == repr(_valid_bbox(value))  # -0.0 and number types too


def _many_items(root: Path, count: int, version: str = "1.0.0") -> dict[str, Any]:
    """A collection with ``count`` item links between a license link and a child link
    (an 0.8 one has no ``type``: read as it is, migrated for display)."""
    links: list[dict[str, Any]] = [
        {"rel": "license", "href": "https://example.org/licence", "title": "Licence"}]
    for n in range(count):
        item = {"type": "Feature", "stac_version": version, "id": f"i{n}",
                "geometry": None, "bbox": None, "properties": {"datetime": None},
                "links": [], "assets": {}}
        (root / f"i{n}.json").write_text(json.dumps(item), encoding="utf-8")
        links.append({"rel": "item", "href": f"./i{n}.json", "title": f"Item «{n}»",
                      "x:odd": [n, None, 1.5]})
    links.append({"rel": "child", "href": "./sub/catalog.json"})
    (root / "sub").mkdir()
    (root / "sub" / "catalog.json").write_text(json.dumps({
        "type": "Catalog", "stac_version": "1.0.0", "id": "sub", "description": "Sub.",
        "links": []}), encoding="utf-8")
    doc = {"stac_version": version, "id": "c", "description": "C.", "license": "CC0-1.0",
           "extent": {"spatial": {"bbox": [[0, 0, 1, 1]]},
                      "temporal": {"interval": [[None, None]]}},
           "links": links}
    if version == "1.0.0":
        doc = {"type": "Collection", **doc}
    (root / "collection.json").write_text(json.dumps(doc), encoding="utf-8")
    return doc


@pytest.mark.parametrize("version", ["1.0.0", "0.8.1"])
def test_many_item_links_are_kept_packed_and_given_back_whole(tmp_path: Path,
                                                              version: str) -> None:
    doc = _many_items(tmp_path, PACK_ITEM_LINKS, version)
    result = crawl(str(tmp_path), Reader(), Reporter())
    node = result.nodes[str(tmp_path / "collection.json")]
    assert len(node.items) == PACK_ITEM_LINKS and len(result.items) == PACK_ITEM_LINKS
    assert node.packed is not None
    assert node.source() == doc  # every link, in order, with its own fields
    assert list(node.source()) == list(doc)  # and the keys in their order
    for held in (node.raw, node.doc):
        assert [link["rel"] for link in held["links"]] == ["license", "child"]
    assert (node.doc is node.raw) == (version == "1.0.0")
    assert node.doc["type"] == "Collection"  # still the migrated document


def test_few_item_links_are_kept_as_they_are(tmp_path: Path) -> None:
    doc = _many_items(tmp_path, PACK_ITEM_LINKS - 1)
    node = crawl(str(tmp_path), Reader(), Reporter()).nodes[str(tmp_path / "collection.json")]
    assert node.packed is None and node.source() is node.raw and node.raw == doc


def test_packed_links_are_the_same_bytes_for_equal_links(tmp_path: Path) -> None:
    # (the site's digest is made of them: which strings are one object must not matter)
    _many_items(tmp_path, PACK_ITEM_LINKS)
    location = str(tmp_path / "collection.json")
    first = crawl(str(tmp_path), Reader(), Reporter()).nodes[location]
    copy = NodeRecord(location, "collection", json.loads(json.dumps(first.source())), {})
    copy.doc = copy.raw
    copy.pack_item_links()
    assert copy.packed == first.packed


def test_equal_search_terms_of_items_are_one_tuple(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # (each batch of summaries comes from a worker with its own copies)
    monkeypatch.setattr("sitegen.catalog.ITEM_BATCH", 2)
    _many_items(tmp_path, 6)
    for n in range(6):
        path = tmp_path / f"i{n}.json"
        item = json.loads(path.read_text(encoding="utf-8"))
        item["properties"].update({"platform": "sentinel-2a" if n < 5 else "landsat-8",
                                   "instruments": ["msi"]})
        path.write_text(json.dumps(item), encoding="utf-8")
    result = crawl(str(tmp_path), Reader(), Reporter(), map_items=_through_pickle)
    terms = [s.terms for s in result.items.values()]
    assert terms[0] and all(t is terms[0] for t in terms[:5]) and terms[5] != terms[0]


def test_a_summary_keeps_its_bbox_packed_and_gives_it_back_as_numbers() -> None:
    from sitegen.catalog import summarise_item

    doc = {"type": "Feature", "id": "x", "bbox": [-141.3449, -1.6404, -140.3449, -0.7404],
           "properties": {"datetime": "2024-01-01T00:00:00Z"}}
    summary = summarise_item(doc, "/c/x.json", "/c/x.json")
    assert isinstance(summary.packed_bbox, bytes) and len(summary.packed_bbox) == 32
    assert summary.bbox == (-141.3449, -1.6404, -140.3449, -0.7404)
    assert summarise_item({**doc, "bbox": [0, 1, 2, 3, 4, 5]}, "/c/x.json",
                          "/c/x.json").bbox == (0.0, 1.0, 3.0, 4.0)
    assert summarise_item({**doc, "bbox": "nope"}, "/c/x.json", "/c/x.json").bbox is None


def test_items_below_a_node_come_once_each_when_several_nodes_list_one() -> None:
    from sitegen.config import Config
    from sitegen.model import build_model

    site = build_model(crawl(str(DATA / "dag"), Reader(), Reporter()), Config())
    below = list(site.items_below(site.root))
    assert len(below) == len(set(below)) == len(site.items)
    shared = [loc for loc in site.items if len(site.parents[loc]) > 1]
    assert shared  # the fixture's shared item is listed by two catalogs
    for loc in shared:
        assert all(loc in site.items_below(parent) for parent in site.parents[loc])
