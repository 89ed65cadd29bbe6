"""Hostile and broken input: nothing from a catalog executes or escapes the output."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from sitegen.errors import StrictError
from sitegen.linkcheck import check_site
from tests.conftest import DATA, Built, build_site, own_scripts_only, parse_html

UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:")


def _tree_digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, Path]:
    work = tmp_path_factory.mktemp("hostile")
    shutil.copytree(DATA / "hostile", work / "src" / "hostile")
    shutil.copytree(DATA / "escape-target", work / "src" / "escape-target")
    # a symlink that would leak a file from outside the catalog if followed
    os.symlink("/etc/hostname", work / "src" / "hostile" / "leak.png")
    before = _tree_digest(work / "src")
    built = build_site(work / "src" / "hostile", work / "out")
    assert _tree_digest(work / "src") == before  # the source is never modified
    return built, work


def test_nothing_is_written_outside_the_output(hostile: tuple[Built, Path]) -> None:
    built, work = hostile
    assert sorted(p.name for p in work.iterdir()) == ["out", "src"]
    out = built.out.resolve()
    for path in built.out.rglob("*"):
        assert out in path.resolve().parents
        assert not path.is_symlink()
    assert not any("evil" in p.name for p in Path("/tmp").glob("evil*"))


def test_traversal_targets_land_below_external(hostile: tuple[Built, Path]) -> None:
    built, _ = hostile
    external = list((built.out / "_external").rglob("catalog.json"))
    assert len(external) == 1
    assert json.loads(external[0].read_text())["id"] == "outside"
    assert (external[0].parent / "index.html").is_file()


def test_no_page_carries_executable_catalog_content(hostile: tuple[Built, Path]) -> None:
    built, _ = hostile
    pages = sorted(built.out.rglob("*.html"))
    assert len(pages) >= 4
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parsed = parse_html(text)
        own_scripts_only(page, built.out)
        for tag, attrs in parsed.tags:
            assert tag not in ("iframe", "svg", "object", "embed"), (page, tag)
            for name, value in attrs.items():
                assert not name.startswith("on"), (page, tag, name)
                if name in ("href", "src", "action", "formaction") and value:
                    assert not value.strip().lower().startswith(UNSAFE_SCHEMES), (page, value)
        # payloads are shown as text, escaped
        assert "<script>alert" not in text


def test_payloads_are_visible_as_text_not_lost(hostile: tuple[Built, Path]) -> None:
    built, _ = hostile
    html = built.html("index.html")
    assert "Evil &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; root" in html
    item_pages = [p for p in built.out.rglob("evil-item*.html")]
    assert len(item_pages) == 1
    item = item_pages[0].read_text(encoding="utf-8")
    assert "javascript:alert(1)" in item  # the href is shown, as text
    assert "s3://bucket/key.tif" in item


def test_unsafe_and_local_outside_assets_are_not_published(hostile: tuple[Built, Path]) -> None:
    built, _ = hostile
    assert not list(built.out.rglob("passwd")) and not list(built.out.rglob("leak.png"))
    assert check_site(built.out).broken == []


def test_every_problem_is_a_warning_naming_the_file(hostile: tuple[Built, Path]) -> None:
    built, _ = hostile
    text = built.warnings_text()
    assert "child link is not a file or http(s) URL" in text  # javascript: child
    assert "<code>javascript:alert(1)</code>" in built.html("index.html")
    assert "/etc/passwd" in text           # linked as an item, not a STAC document
    assert "outside.json" in text          # the backslash href, not found
    for warning in built.reporter.warnings:
        assert warning.file, warning


def test_failed_build_keeps_the_previous_site(tmp_path: Path) -> None:
    first = build_site(DATA / "old", tmp_path / "site")
    before = _tree_digest(first.out)
    with pytest.raises(StrictError):
        build_site(DATA / "dag", tmp_path / "site", strict=True)
    assert _tree_digest(tmp_path / "site") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_cycles_and_dags_build_one_page_each(tmp_path: Path) -> None:
    built = build_site(DATA / "dag", tmp_path / "site")
    assert built.result.pages == {"catalog": 2, "collection": 1, "item": 3}
    shared = built.html("shared/index.html")
    # listed by two parents: both shown, breadcrumbs follow the first
    assert "Listed in" in shared and "Catalog A" in shared and "Collection B" in shared
    b1 = built.html("b/b1/index.html")
    assert 'href="../../shared/index.html">Source scene</a>' in b1  # derived_from link
    own = built.html("a/own/index.html")
    assert 'href="../../b/index.html">Collection B</a>' in own  # collection link
    root = built.html("index.html")
    assert "https://example.com/remote/catalog.json" in root  # remote child: external link
    assert check_site(built.out).broken == []


def test_hrefs_urllib_refuses_are_warned_about_not_a_traceback(tmp_path: Path) -> None:
    """``http://[x`` makes urllib raise ("Invalid IPv6 URL"): in a link or an asset of
    a catalog it must be an unusable href like any other, never a failed build."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "catalog.json").write_text(json.dumps({
        "type": "Catalog", "stac_version": "1.0.0", "id": "root", "description": "Root.",
        "links": [{"rel": "item", "href": "./i.json"},
                  {"rel": "child", "href": "http://[bad"},
                  {"rel": "item", "href": "https://[x?y"}]}), encoding="utf-8")
    (src / "i.json").write_text(json.dumps({
        "type": "Feature", "stac_version": "1.0.0", "id": "i", "geometry": None,
        "properties": {"datetime": "2021-01-01T00:00:00Z"},
        "links": [{"rel": "license", "href": "http://[lic"}, {"rel": "via", "href": "http://]x"}],
        "assets": {"a": {"href": "https://[x", "roles": ["data"]},
                   "b": {"href": "http://]/b.tif?x", "roles": ["data"]},
                   "t": {"href": "http://[t", "roles": ["thumbnail"]}}}), encoding="utf-8")
    built = build_site(src, tmp_path / "site")
    assert built.result.pages["item"] == 1
    assert any("unusable href" in w.message and w.file.endswith("catalog.json")
               for w in built.reporter.warnings)
    assert check_site(built.out).broken == []
