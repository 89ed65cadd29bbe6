from __future__ import annotations

import json

from sitegen.jsonld import PageFacts, SiteFacts, data_catalog, dataset, geo_box, render

SITE = SiteFacts("Site")
FACTS = PageFacts(kind="collection", url="https://x.example/c/index.html",
                  root_url="https://x.example/index.html",
                  parent={"@id": "https://x.example/index.html#catalog"},
                  json_url="https://x.example/c/collection.json", image=None, item_count=3)


def collection(**extra: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "type": "Collection", "id": "c", "title": "Forest map", "license": "CC-BY-4.0",
        "description": "Forest cover of the northern region mapped from aerial imagery.",
        "extent": {"spatial": {"bbox": [[10.5, 55.1, 12.25, 56.0]]},
                   "temporal": {"interval": [["2020-01-01T00:00:00Z", None]]}},
        "providers": [{"name": "Agency", "roles": ["producer", "licensor"],
                       "url": "https://agency.example"},
                      {"name": "Host", "roles": ["host"]},
                      {"name": "Lab", "roles": ["processor"]}],
        "keywords": ["forest"], "summaries": {"platform": ["plane"], "instruments": ["cam"]},
    }
    doc.update(extra)
    return doc


def test_box_is_south_west_north_east() -> None:
    assert geo_box((10.5, 55.1, 12.25, 56.0)) == "55.1 10.5 56 12.25"
    data = dataset(collection(), FACTS, SITE)
    assert data["spatialCoverage"]["geo"]["box"] == "55.1 10.5 56 12.25"


def test_antimeridian_box_keeps_west_greater_than_east_and_3d_is_2d() -> None:
    anti = collection(extent={"spatial": {"bbox": [[177.3, -19.1, 0, -179.4, -15.9, 100]]},
                              "temporal": {"interval": [[None, "2021-01-01T00:00:00Z"]]}})
    data = dataset(anti, FACTS, SITE)
    assert data["spatialCoverage"]["geo"]["box"] == "-19.1 177.3 -15.9 -179.4"
    assert data["temporalCoverage"] == "../2021-01-01T00:00:00Z"


def test_google_required_and_recommended_fields() -> None:
    data = dataset(collection(**{"sci:doi": "10.1234/abc", "sci:publications": [
        {"doi": "10.5/x", "citation": "Paper"}]}), FACTS, SITE)
    assert data["@type"] == "Dataset" and data["@id"].endswith("#dataset")
    assert data["name"] == "Forest map" and 50 <= len(data["description"]) <= 5000
    assert data["license"] == "https://spdx.org/licenses/CC-BY-4.0.html"
    assert data["identifier"] == ["c", "https://doi.org/10.1234/abc"]
    assert data["sameAs"] == "https://doi.org/10.1234/abc"
    assert data["keywords"] == ["forest", "plane", "cam"]
    assert [o["name"] for o in data["creator"]] == ["Agency"]
    assert [o["name"] for o in data["provider"]] == ["Host"]
    assert [o["name"] for o in data["contributor"]] == ["Lab"]
    assert [o["name"] for o in data["copyrightHolder"]] == ["Agency"]
    assert data["citation"] == [{"@type": "CreativeWork", "name": "Paper",
                                 "sameAs": "https://doi.org/10.5/x"}]
    assert data["temporalCoverage"] == "2020-01-01T00:00:00Z/.."
    assert data["includedInDataCatalog"]["@id"] == "https://x.example/index.html#catalog"
    assert data["distribution"][-1]["contentUrl"] == "https://x.example/c/collection.json"


def test_short_descriptions_are_padded_and_long_ones_cut() -> None:
    short = dataset(collection(description="Forests."), FACTS, SITE)["description"]
    assert short.startswith("Forests. Forest map is a STAC collection with 3 items")
    assert "longitude 10.5 to 12.25" in short and 50 <= len(short) <= 5000
    long = dataset(collection(description="word " * 3000), FACTS, SITE)["description"]
    assert len(long) <= 5000 and long.endswith("…")


def test_without_base_url_no_relative_urls_are_written() -> None:
    bare = PageFacts(kind="collection", url=None, root_url=None, parent=None, json_url=None,
                     image=None)
    data = dataset(collection(), bare, SITE)
    assert "url" not in data and "@id" not in data and "distribution" not in data
    assert "includedInDataCatalog" not in data

    def urls(value: object) -> list[str]:
        if isinstance(value, dict):
            return [v for k, v in value.items() if k in ("url", "@id", "contentUrl")
                    and isinstance(v, str)] + [u for v in value.values() for u in urls(v)]
        if isinstance(value, list):
            return [u for v in value for u in urls(v)]
        return []

    assert urls(data) == ["https://agency.example", "https://agency.example"]


def test_script_breakout_is_escaped() -> None:
    evil = collection(title="</script><script>alert(1)</script>")
    text = render(dataset(evil, FACTS, SITE))
    assert "</script" not in text and "<" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"


def test_data_catalog_lists_its_datasets() -> None:
    facts = PageFacts(kind="catalog", url="https://x.example/index.html",
                      root_url="https://x.example/index.html", parent=None, json_url=None,
                      image=None, children=("https://x.example/c/index.html#dataset",))
    data = data_catalog({"id": "root", "description": "Root"}, facts, SITE)
    assert data["@type"] == "DataCatalog" and data["@id"] == "https://x.example/index.html#catalog"
    assert data["dataset"] == [{"@id": "https://x.example/c/index.html#dataset"}]
