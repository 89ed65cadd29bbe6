from __future__ import annotations

import pytest
from jinja2 import Environment

from sitegen.render import default_theme_dir, make_environment, render_page


def test_template_dot_access_on_dicts_means_keys_not_methods() -> None:
    env = make_environment((str(default_theme_dir()),))
    template = env.from_string("{{ d.items }}|{{ d.copy }}")
    assert template.render(d={"items": "I", "copy": "C"}) == "I|C"


def test_autoescape_is_on_for_strings_and_files() -> None:
    env = make_environment((str(default_theme_dir()),))
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_summaries_ranges_lists_and_schemas() -> None:
    from sitegen.render import summary_rows

    rows = dict((str(k), str(v)) for k, v in summary_rows({"summaries": {
        "eo:cloud_cover": {"minimum": 0, "maximum": 40.5},
        "platform": ["sentinel-2a", "sentinel-2b"],
        "proj:code": ["EPSG:32633"],
        "s2:tile": {"type": "string", "pattern": "^[0-9]{2}[A-Z]{3}$"},
        "eo:bands": [{"name": "B04", "common_name": "red", "center_wavelength": 0.665}],
    }}))
    assert rows["Cloud Cover"] == "0 % – 40.5 %"
    assert rows["Platform"] == "sentinel-2a, sentinel-2b"
    assert 'href="https://epsg.io/32633"' in rows["Code"]
    assert "<dl" in rows["Tile"] and "Pattern" in rows["Tile"] and "^[0-9]{2}" in rows["Tile"]
    bands = rows["Spectral Bands"]
    assert '<table class="data">' in bands and "0.665" in bands and "(μm)" in bands


@pytest.mark.parametrize(("value", "expected"), [
    ("plain é text", "plain é text".encode()),
    ("nul\x00 bell\x07 del\x7f", "nul\ufffd bell\ufffd del\ufffd".encode()),
    ("tab\tnew\nline\r", b"tab\tnew\nline\r"),
    ("lone \ud800", b"lone ?"),
    ("both\x01 \udfff", "both\ufffd ?".encode()),
])
def test_render_page_gives_utf8_without_control_characters(value: str, expected: bytes) -> None:
    template = Environment(autoescape=True).from_string("<p>{{ v }}</p>")
    assert render_page(template, {"v": value}) == b"<p>" + expected + b"</p>"


def test_templates_are_loaded_once_per_environment() -> None:
    """Every include of every page asks for its template again: the environment keeps
    what it loaded (a user theme's template first, the default one under
    ``default/``), and a request with extra globals still gets them."""
    env = make_environment((str(default_theme_dir()),), "en")
    item = env.get_template("item.html")
    assert env.get_template("item.html") is item
    assert env.get_template("partials/map.html", "item.html") is \
        env.get_template("partials/map.html", "item.html")
    assert env.get_template("default/item.html").filename == item.filename
    assert env.get_template("item.html", globals={"extra": 1}).globals["extra"] == 1


@pytest.mark.parametrize("remote_images", [False, True])
def test_thumbnails_on_other_hosts_are_shown_only_when_remote_images_are_allowed(
        tmp_path: object, remote_images: bool) -> None:
    """A page loads another host's image only with ``remote_images``; without it every
    http(s) thumbnail gives no URL (answered before the policy is asked)."""
    from pathlib import Path

    from sitegen.layout import Layout
    from sitegen.links import HrefPolicy
    from sitegen.render import thumbnail_url

    root = Path(str(tmp_path))
    (root / "a").mkdir()
    (root / "a" / "t.png").write_bytes(b"png")
    policy = HrefPolicy(Layout(str(root / "catalog.json")), False, True, None, remote_images)
    for url in ("https://x.example/t.png", "http://x.example/a b/t.jpg",
                "https://x.example/t.png?sig=1", "https://x.example/no-image.tif"):
        copies: list[tuple[str, str]] = []
        shown = thumbnail_url(url, "a/b/index.html", policy, copies)
        assert shown == (None if not remote_images or url.endswith(".tif") else
                         policy.asset(url, url, "a/b/index.html").url) and copies == []
    copies = []
    assert thumbnail_url(str(root / "a" / "t.png"), "a/b/index.html", policy,
                         copies) == "../t.png" and len(copies) == 1
