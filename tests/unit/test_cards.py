"""Asset cards rendered once per shape and filled in (sitegen/cards.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sitegen import cards
from sitegen.cards import AssetCards, requester_pays
from sitegen.layout import Layout
from sitegen.links import HrefPolicy
from sitegen.render import default_theme_dir, make_environment
from tests.conftest import SAMPLE, build_site
from tests.data.make_hostile_corpus import write_corpus

HOSTILE_HREFS = [
    'https://data.example/a b/"quoted"&<tag>.tif',
    "https://data.example/x/it's.tif?sig=1&t=2",
    "s3://bucket/key with space.tif",
    "javascript:alert(1)",
    "band.tif",  # a local file next to the item
    "missing.tif",
    "",
]


def _catalog(root: Path, items: int = 30) -> Path:
    """A collection whose items repeat the same asset shapes with varying values."""
    root.mkdir(parents=True)
    links = [{"rel": "root", "href": "./collection.json"}]
    for n in range(items):
        folder = root / f"item-{n}"
        folder.mkdir()
        (folder / "band.tif").write_bytes(b"tiff")
        assets: dict[str, Any] = {}
        for i in range(len(HOSTILE_HREFS)):
            # The same asset key gets different kinds of values in different items.
            href = HOSTILE_HREFS[(i + n) % len(HOSTILE_HREFS)]
            assets[f"a{i}"] = {
                "href": href.replace("x/", f"x{n}/"), "type": "image/tiff", "roles": ["data"],
                "title": f"Band {i}", "file:size": [10**9 + n, "big <b>", 7][(i + n) % 3],
                "file:checksum": ["1220" + f"{n:02x}" * 32, "zz<not hex>", 3][(i + n) % 3],
                "gsd": 10,
            }
        assets["thumb"] = {"href": "https://img.example/t.png", "type": "image/png",
                           "roles": ["thumbnail"]}
        # a local image previewed or not by its roles; the downloader pays by the item,
        # by a storage scheme, or not
        (folder / "ov.png").write_bytes(b"png")
        assets["ov"] = {"href": "./ov.png", "type": "image/png",
                        "roles": ["overview"] if n % 2 else ["data"]}
        assets["s3"] = {"href": f"s3://bucket/{n}.tif", "storage:refs": ["s"]}
        properties: dict[str, Any] = {"datetime": "2024-01-01T00:00:00Z"}
        if n % 3 == 0:
            properties["storage:requester_pays"] = True
        (folder / "item.json").write_text(json.dumps({
            "type": "Feature", "stac_version": "1.0.0", "id": f"item-{n}",
            "geometry": None, "properties": properties,
            "storage:schemes": {"s": {"type": "aws-s3", "requester_pays": n % 4 == 1}},
            "links": [{"rel": "root", "href": "../collection.json"},
                      {"rel": "parent", "href": "../collection.json"}],
            "assets": assets}), encoding="utf-8")
        links.append({"rel": "item", "href": f"./item-{n}/item.json"})
    (root / "collection.json").write_text(json.dumps({
        "type": "Collection", "stac_version": "1.0.0", "id": "c", "description": "d",
        "license": "CC-BY-4.0", "links": links,
        "extent": {"spatial": {"bbox": [[-1, -1, 1, 1]]},
                   "temporal": {"interval": [[None, None]]}}}), encoding="utf-8")
    return root / "collection.json"


def _pages(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.html"))}


@pytest.mark.parametrize("corpus", ["shapes", "sample", "hostile"])
def test_reused_cards_equal_cards_rendered_directly(corpus: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    if corpus == "shapes":
        source = _catalog(tmp_path / "src")
    elif corpus == "sample":
        source = SAMPLE / "catalog.json"
    else:
        write_corpus(tmp_path / "src")
        source = tmp_path / "src" / "corpus" / "catalog.json"
    fills = 0
    fill = AssetCards._fill

    def counting(made: Any, values: list[str]) -> str:
        nonlocal fills
        fills += 1
        return fill(made, values)

    monkeypatch.setattr(AssetCards, "_fill", staticmethod(counting))
    reused = _pages(build_site(source, tmp_path / "reused", cache=False).out)
    assert fills > 0 or corpus == "hostile"  # shapes repeat (the hostile ones do not)
    monkeypatch.setattr(cards, "overridden", lambda env, name: True)
    fills = 0
    direct = _pages(build_site(source, tmp_path / "direct", cache=False).out)
    assert fills == 0
    assert reused.keys() == direct.keys()
    assert [p for p in reused if reused[p] != direct[p]] == []


def _policy(root: Path) -> HrefPolicy:
    return HrefPolicy(Layout(str(root / "catalog.json")), False, True, None)


def test_a_card_template_that_transforms_values_is_rendered_directly(tmp_path: Path) -> None:
    env = make_environment((str(default_theme_dir()),))
    made = AssetCards(env)
    assert made.reuse
    made.card = env.from_string("<li>{{ a.main.url|upper }} · {{ a.size }}</li>")
    html = []
    for n in range(4):
        asset = {"href": f"https://d.example/{n}/b.tif", "file:size": 1000 * (n + 1)}
        rows = made.rows({"b": asset}, str(tmp_path / "i.json"), "i/index.html",
                         _policy(tmp_path), [], {}, {})
        html.append(str(rows[0]["html"]))
    assert html == [f"<li>HTTPS://D.EXAMPLE/{n}/B.TIF · {n + 1}.0 kB</li>" for n in range(4)]
    assert list(made.shapes.values()) == [None]  # seen twice, then refused


def test_themes_overriding_the_cards_render_every_card(tmp_path: Path) -> None:
    theme = tmp_path / "theme" / "partials"
    theme.mkdir(parents=True)
    (theme / "asset-card.html").write_text("<li>{{ a.title }}</li>", encoding="utf-8")
    env = make_environment((str(tmp_path / "theme"), str(default_theme_dir())))
    assert not AssetCards(env).reuse
    assert AssetCards(make_environment((str(default_theme_dir()),))).reuse


@pytest.mark.parametrize(("asset", "doc", "pays"), [
    ({"href": "a"}, {}, False),
    ({"href": "a"}, {"properties": {"storage:requester_pays": True}}, True),
    ({"href": "a"}, {"properties": "not a dict"}, False),
    ({"href": "a", "storage:requester_pays": True}, {}, True),
    ({"href": "a", "storage:requester_pays": False}, {}, False),
    ({"href": "a", "storage:refs": ["s3"]},
     {"storage:schemes": {"s3": {"type": "aws-s3", "requester_pays": True}}}, True),
    ({"href": "a", "storage:refs": ["s3"]},
     {"properties": {"storage:schemes": {"s3": {"requester_pays": True}}}}, True),
    ({"href": "a", "storage:refs": ["gcs"]},
     {"storage:schemes": {"s3": {"requester_pays": True}}}, False),
    ({"href": "a"}, {"storage:schemes": {"s3": {"requester_pays": True}}}, False),
])
def test_requester_pays_from_asset_item_or_storage_scheme(
        asset: dict[str, Any], doc: dict[str, Any], pays: bool) -> None:
    assert requester_pays(asset, doc) is pays
