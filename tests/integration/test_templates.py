"""The default theme's partials written in place of their includes render the same."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sitegen import render
from sitegen.render import default_theme_dir, make_environment, sample_catalog_dir
from tests.conftest import DATA, build_site


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
