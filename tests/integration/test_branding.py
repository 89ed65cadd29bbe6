"""A publisher's logo and colours from the config."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from sitegen.branding import contrast, text_on
from sitegen.config import load_config
from sitegen.errors import ConfigError
from sitegen.linkcheck import check_site
from tests.conftest import SAMPLE, build_site, parse_html

#: A 1x1 PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9Q"
                       "DwADhgGAWjR9awAAAABJRU5ErkJggg==")


def test_logo_and_colours_reach_every_page(tmp_path: Path) -> None:
    logo = tmp_path / "agency.png"
    logo.write_bytes(PNG)
    built = build_site(SAMPLE, tmp_path / "site", logo=str(logo), accent_color="#7A1F5C",
                       accent_color_dark="#f0a6d3")
    assert (built.out / "_static" / "logo.png").read_bytes() == PNG
    css = (built.out / "_static" / "site.css").read_text(encoding="utf-8")
    assert "--accent: #7a1f5c; --accent-fg: #ffffff;" in css
    assert "prefers-color-scheme: dark" in css and "--accent: #f0a6d3; --accent-fg: #0d1115;" in css
    pages = list(built.out.rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        tags = parse_html(page.read_text(encoding="utf-8")).tags
        logos = [a for t, a in tags if t == "img" and a.get("class") == "logo"]
        assert len(logos) == 1 and logos[0]["alt"] == "", page
        target = (page.parent / str(logos[0]["src"])).resolve()
        assert target == (built.out / "_static" / "logo.png").resolve()
        sheets = [a["href"] for t, a in tags if t == "link" and a.get("rel") == "stylesheet"]
        assert any(str(h).endswith("_static/site.css") for h in sheets), page
    assert check_site(built.out).broken == []
    assert built.result.warnings == 0, built.warnings_text()


def test_without_branding_there_is_no_site_css(tmp_path: Path) -> None:
    built = build_site(SAMPLE, tmp_path / "site")
    assert not (built.out / "_static" / "site.css").exists()
    assert 'class="logo"' not in built.html("index.html")


def test_a_hard_to_read_colour_gives_a_warning(tmp_path: Path) -> None:
    built = build_site(SAMPLE, tmp_path / "site", accent_color="#ffee00")
    assert "accent_color #ffee00 has a contrast of 1.2:1" in built.warnings_text()
    css = (built.out / "_static" / "site.css").read_text(encoding="utf-8")
    assert "--accent-fg: #0d1115;" in css  # dark text on the light accent


def test_contrast_follows_wcag() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#0b5cad", "#ffffff") == pytest.approx(6.67, abs=0.01)
    assert text_on("#0b5cad") == "#ffffff" and text_on("#6aa9ec") == "#0d1115"


@pytest.mark.parametrize(("text", "message"), [
    ('accent_color = "red"', "accent_color must be a colour"),
    ('accent_color = "#12345"', "accent_color must be a colour"),
    ('accent_color_dark = "#12345g"', "accent_color_dark must be a colour"),
    ('accent_color = "#000000; } body { display: none"', "accent_color must be a colour"),
    ('logo = "missing.png"', "logo file not found"),
    ('logo = "logo.exe"', "logo must be a"),
])
def test_bad_branding_options_are_config_errors(tmp_path: Path, text: str,
                                                message: str) -> None:
    config = tmp_path / "sitegen.toml"
    config.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(config)


def test_logo_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "brand").mkdir()
    (tmp_path / "brand" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>",
                                                 encoding="utf-8")
    config = tmp_path / "sitegen.toml"
    config.write_text('logo = "brand/logo.svg"\n', encoding="utf-8")
    cfg, _ = load_config(config)
    assert cfg.logo == str(tmp_path / "brand" / "logo.svg")


def test_a_new_logo_rebuilds_every_page(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    build_site(SAMPLE, tmp_path / "site", logo=str(logo))
    logo.write_bytes(PNG + b"\0")
    again = build_site(SAMPLE, tmp_path / "site", logo=str(logo))
    assert again.reporter.cache == "config, theme or sitegen version changed"
    assert (tmp_path / "site" / "_static" / "logo.png").read_bytes() == PNG + b"\0"
