from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from sitegen.layout import Layout
from sitegen.links import DocLinks, HrefPolicy, rewrite_document


def _policy(root: Path, **kw: object) -> HrefPolicy:
    return HrefPolicy(Layout(str(root / "catalog.json")), False, True, None, **kw)  # type: ignore[arg-type]


def test_local_asset_inside_root_is_copied(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "thumb.png").write_bytes(b"png")
    target = _policy(tmp_path).asset("./thumb.png", str(tmp_path / "a" / "item.json"),
                                     "a/item.html")
    assert target.url == "thumb.png" and target.copy == (str(tmp_path / "a" / "thumb.png"),
                                                         "a/thumb.png")


def test_missing_outside_and_unsafe_assets_are_text(tmp_path: Path) -> None:
    policy = _policy(tmp_path)
    base = str(tmp_path / "item.json")
    assert policy.asset("./nope.tif", base, "item.html").note == \
        "file not found in the source folder"
    assert policy.asset("/etc/passwd", base, "item.html").url is None
    for href in ("javascript:alert(1)", "data:text/html,x", "vbscript:x"):
        assert policy.asset(href, base, "item.html").url is None
    s3 = policy.asset("s3://b/k.tif", base, "item.html")
    assert s3.url is None and s3.note is not None and "s3://" in s3.note


def test_symlink_to_outside_file_is_never_copied(tmp_path: Path) -> None:
    os.symlink("/etc/hostname", tmp_path / "leak.png")
    target = _policy(tmp_path).asset("./leak.png", str(tmp_path / "item.json"), "item.html")
    assert target.copy is None and target.url is None


def test_asset_base_url_resolves_files_not_copied(tmp_path: Path) -> None:
    policy = HrefPolicy(Layout(str(tmp_path / "catalog.json")), False, False,
                        "https://data.example/src/")
    target = policy.asset("./x/a b.tif", str(tmp_path / "item.json"), "item.html")
    assert target.url == "https://data.example/src/x/a%20b.tif" and target.copy is None


def test_rewrite_points_structure_at_copies_and_adds_html_alternate(tmp_path: Path) -> None:
    raw = {"type": "Feature", "id": "x", "links": [
        {"rel": "self", "href": "https://old.example/x.json"},
        {"rel": "root", "href": "https://old.example/catalog.json"},
        {"rel": "parent", "href": "../../broken.json"},
        {"rel": "license", "href": "https://example.com/license"},
    ], "assets": {"a": {"href": "s3://b/k"}}}
    data, copies = rewrite_document(
        raw, str(tmp_path / "c" / "x" / "x.json"),
        DocLinks(json_path="c/x/x.json", page_path="c/x/index.html", root_json="catalog.json",
                 parent_json="c/collection.json"), _policy(tmp_path))
    doc = json.loads(data)
    rels = {link["rel"]: link["href"] for link in doc["links"]}
    assert "self" not in rels  # no base URL: no self link
    assert rels["root"] == "../../catalog.json" and rels["parent"] == "../collection.json"
    assert rels["license"] == "https://example.com/license"
    assert rels["alternate"] == "index.html"
    assert doc["assets"]["a"]["href"] == "s3://b/k" and copies == []
    assert raw["links"][0]["href"] == "https://old.example/x.json"  # input untouched


@pytest.mark.parametrize("href", [
    "https://data.example/a/b.tif", "http://data.example/a b.tif", "https://Data.example/x",
    "https://data.example/a/../b.tif", "https://data.example/a//b", "https://data.example/a#f",
    "https://data.example/a/.", "https://data.example/a.tif ", "https://data.example/a\x00b",
    "https://data.example/a\\b", "https://data.example", "https://data.example/a?q=1&r=%20",
    "https://data.example/a\nb", "http://", "https:///x",
])
def test_asset_fast_path_for_urls_matches_the_full_resolution(tmp_path: Path, href: str) -> None:
    policy = _policy(tmp_path)
    base = str(tmp_path / "items" / "a.json")
    assert policy.asset(href, base, "items/a.html") == \
        policy._asset(href, base, "items/a.html")
    # asked again (an item's JSON copy, its download lists), from elsewhere too
    for again_base, page in ((base, "items/a.json"), (str(tmp_path / "b.json"), "b.html")):
        assert policy.asset(href, again_base, page) == policy._asset(href, again_base, page)


def test_urls_kept_by_a_policy_are_forgotten_in_time_and_never_pickled(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    from sitegen import links

    monkeypatch.setattr(links, "_URLS", 4)
    policy = _policy(tmp_path)
    base = str(tmp_path / "a.json")
    first = policy.asset("https://data.example/0.tif", base, "a.html")
    assert policy.asset("https://data.example/0.tif", base, "a.html") is first
    for n in range(1, 10):
        policy.asset(f"https://data.example/{n}.tif", base, "a.html")
        assert len(policy.__dict__["_urls"]) <= 4
    assert "_urls" not in pickle.loads(pickle.dumps(policy)).__dict__
