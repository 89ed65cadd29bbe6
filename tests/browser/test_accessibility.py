"""Accessibility of the default theme, checked by axe-core in real Chromium.

axe-core (vendored in tests/data/axe-core by scripts/vendor.py) is injected into the
catalog, collection, item and search pages of the sample site, light and dark, wide
and narrow: no serious or critical violation. Keyboard use is checked separately: a
skip link first, every control reachable by Tab, and a visible focus outline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DATA, SAMPLE, Built, build_site

AXE = DATA / "axe-core" / "axe.min.js"
PAGES = {
    "catalog": "index.html",
    "collection": "sentinel-2-l2a-fiji/index.html",
    "item": "sentinel-2-l2a-fiji/S2A_MSIL2A_20230114_T60KXE/index.html",
    "search": "search/index.html",
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_site(SAMPLE, tmp_path_factory.mktemp("a11y") / "site", offline=True,
                      items_per_page=3)


def _violations(page: Any, url: str) -> list[dict[str, Any]]:
    page.goto(url)
    page.wait_for_load_state("load")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def _describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} — " +
                     "; ".join(n["target"][0] if isinstance(n["target"][0], str) else
                               str(n["target"]) for n in v["nodes"][:5])
                     for v in violations)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_finds_no_serious_violation(sample: Built, probe: Any, kind: str, width: int,
                                        scheme: str) -> None:
    assert (sample.out / PAGES[kind]).is_file(), PAGES[kind]
    p = probe(viewport={"width": width, "height": 800}, color_scheme=scheme)
    violations = _violations(p.page, (sample.out / PAGES[kind]).as_uri())
    assert violations == [], _describe(violations)
    # nothing wider than the screen (the item list once was, on phones)
    assert p.page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_keyboard_reaches_a_skip_link_first_and_sees_focus(sample: Built, probe: Any) -> None:
    p = probe(viewport={"width": 1280, "height": 800})
    page = p.page
    page.goto((sample.out / PAGES["item"]).as_uri())
    page.keyboard.press("Tab")
    first = page.evaluate("() => [document.activeElement.className, "
                          "document.activeElement.getAttribute('href')]")
    assert first == ["skip-link", "#content"], first
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    assert page.evaluate("() => getComputedStyle(document.activeElement).opacity") != "0"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#content"
    # every link and button can be reached with Tab, in document order
    reachable = page.evaluate("""() => {
        const all = [...document.querySelectorAll('a[href], button, input, select, summary')]
            .filter(e => e.offsetParent !== null && !e.disabled && e.tabIndex >= 0);
        return all.length;
    }""")
    seen = set()
    for _ in range(reachable + 5):
        page.keyboard.press("Tab")
        seen.add(page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)"))
    assert len(seen) >= min(reachable, 20)


def test_thumbnails_have_alt_text(sample: Built) -> None:
    from tests.conftest import parse_html

    for html in Path(sample.out).rglob("*.html"):
        for tag, attrs in parse_html(html.read_text(encoding="utf-8")).tags:
            if tag == "img":
                assert "alt" in attrs, (html, attrs)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_configured_colours_and_logo_stay_accessible(tmp_path: Path, probe: Any,
                                                     scheme: str) -> None:
    from tests.integration.test_branding import PNG

    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    built = build_site(SAMPLE, tmp_path / "site", offline=True, logo=str(logo),
                       accent_color="#7a1f5c", accent_color_dark="#f0a6d3")
    p = probe(viewport={"width": 1280, "height": 800}, color_scheme=scheme)
    for kind in ("catalog", "item"):
        violations = _violations(p.page, (built.out / PAGES[kind]).as_uri())
        assert violations == [], _describe(violations)
        link = p.page.evaluate("() => getComputedStyle(document.querySelector('main a'))"
                               ".color")
        assert link == ("rgb(122, 31, 92)" if scheme == "light" else "rgb(240, 166, 211)")


@pytest.mark.parametrize("language", ["de", "sv"])
def test_german_and_swedish_pages_stay_accessible(tmp_path: Path, probe: Any,
                                                  language: str) -> None:
    """Longer words and other labels: the translated pages pass axe too (phone width,
    where long German words are most likely to overflow)."""
    built = build_site(SAMPLE, tmp_path / "site", offline=True, items_per_page=3,
                       language=language)
    for kind, rel in PAGES.items():
        p = probe(viewport={"width": 360, "height": 800})
        violations = _violations(p.page, (built.out / rel).as_uri())
        assert violations == [], f"{kind}: {_describe(violations)}"
        assert p.page.evaluate("() => document.documentElement.lang") == language
        # nothing wider than the phone's screen
        assert p.page.evaluate("() => document.documentElement.scrollWidth") <= 360, kind
