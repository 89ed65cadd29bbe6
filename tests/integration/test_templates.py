"""The default theme's partials written in place of their includes, and item pages made by
shape (sitegen/shapes.py), render the same as Jinja does."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sitegen import render, shapes
from sitegen.render import default_theme_dir, make_environment, sample_catalog_dir
from sitegen.shapes import PageShapes
from tests.conftest import DATA, SHARED, build_site, needs_shared, shared_roots


def _digests(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file() and p.name != ".sitegen-build"}


@pytest.mark.parametrize("source", [sample_catalog_dir(), DATA / "dag", DATA / "hostile",
                                    DATA / "interface", DATA / "old"],
                         ids=["sample", "dag", "hostile", "interface", "old"])
@pytest.mark.parametrize("language", ["en", "de"])
def test_inlined_partials_give_the_same_site(source: Path, language: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    options = {"base_url": "https://data.example.org/", "cache": False, "language": language}
    inlined = build_site(source, tmp_path / "inlined", **options)
    monkeypatch.setattr(render, "INLINE_PARTIALS", False)
    included = build_site(source, tmp_path / "included", **options)
    assert inlined.result.pages == included.result.pages
    assert _digests(tmp_path / "inlined") == _digests(tmp_path / "included")


def test_only_the_default_themes_includes_are_inlined(tmp_path: Path) -> None:
    env = make_environment((str(default_theme_dir()),), "en")
    item = env.loader.get_source(env, "item.html")[0]  # type: ignore[union-attr]
    # alone on their lines: written in place; the map's, inside an if on its line, stays
    assert item.count("{% include") == 1 and '<section class="bulk" id="download">' in item
    theme = tmp_path / "theme" / "partials"
    theme.mkdir(parents=True)
    (theme / "bulk.html").write_text("<p>{{ bulk }}</p>\n", encoding="utf-8")
    env = make_environment((str(tmp_path / "theme"), str(default_theme_dir())), "en")
    item = env.loader.get_source(env, "item.html")[0]  # type: ignore[union-attr]
    assert '{% include "partials/bulk.html" %}' in item  # a user's partial: included


def _same_site_with_and_without_shapes(source: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch,
                                       **options: object) -> int:
    """Builds ``source`` with item pages made by shape and by Jinja alone; the sites must
    be byte for byte the same. Returns how many pages were filled in."""
    filled = 0
    fill = PageShapes._fill

    def counting(made: object, values: list[str]) -> bytes | None:
        nonlocal filled
        filled += 1
        return fill(made, values)  # type: ignore[arg-type]

    monkeypatch.setattr(PageShapes, "_fill", staticmethod(counting))
    monkeypatch.setattr(shapes, "ENABLED", True)
    options = {"base_url": "https://data.example.org/", "cache": False, **options}
    by_shape = build_site(source, tmp_path / "by-shape", **options)
    monkeypatch.setattr(shapes, "ENABLED", False)
    rendered = build_site(source, tmp_path / "rendered", **options)
    assert by_shape.result.pages == rendered.result.pages
    assert _digests(tmp_path / "by-shape") == _digests(tmp_path / "rendered")
    return filled


@pytest.mark.parametrize("source", [sample_catalog_dir(), DATA / "dag", DATA / "hostile",
                                    DATA / "interface", DATA / "old"],
                         ids=["sample", "dag", "hostile", "interface", "old"])
@pytest.mark.parametrize("language", ["en", "de"])
def test_item_pages_made_by_shape_are_the_pages_jinja_renders(
        source: Path, language: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    filled = _same_site_with_and_without_shapes(source, tmp_path, monkeypatch,
                                                language=language)
    if source == sample_catalog_dir():
        assert filled > 0


@needs_shared
def test_the_shared_catalogs_item_pages_made_by_shape_are_jinjas(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    filled = 0
    for n, (tree, root, _counts) in enumerate(shared_roots()):
        filled += _same_site_with_and_without_shapes(SHARED / tree / root, tmp_path / str(n),
                                                     monkeypatch)
    assert filled > 0
