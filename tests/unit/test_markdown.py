from __future__ import annotations

import pytest

from sitegen.markdown import plain_text, render_markdown


def test_commonmark_renders() -> None:
    html = render_markdown("A **bold** [link](https://example.com) and\n\n* one\n* two")
    assert "<strong>bold</strong>" in html and "<li>one</li>" in html
    assert 'href="https://example.com"' in html


def test_raw_html_and_scripts_never_pass() -> None:
    html = render_markdown('<script>alert(1)</script> <img src=x onerror="alert(1)">\n\n'
                           "<a href='javascript:alert(2)'>x</a>")
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "&lt;script&gt;" in html  # shown as text, not lost


def test_unsafe_link_schemes_are_not_links() -> None:
    for href in ("javascript:alert(1)", "vbscript:x", "data:text/html,<b>x</b>",
                 "JaVaScRiPt:alert(1)"):
        html = render_markdown(f"[click]({href})")
        assert "href" not in html, href


def test_plain_text_is_one_line_and_cut_at_a_word() -> None:
    text = plain_text("# Title\n\nSome *text* " + "word " * 100, limit=60)
    assert "\n" not in text and len(text) <= 60 and text.endswith("…")
    assert text.startswith("Title Some text")


def test_plain_text_keeps_inline_words_tight() -> None:
    assert plain_text("County of Sweden (*Sverige*).") == "County of Sweden (Sverige)."
    assert plain_text("one\n\ntwo") == "one two"


@pytest.mark.parametrize("text", [
    "Child 1.", "Sentinel-2 L2A (Fiji), tile 01KBU; cloud-free: yes", "Ørsted's data/2020",
    "A  double  space", "Über 10 km", "x", "Part (b)", "Ends with colon:",
    # not plain: each goes through the parser
    "1. a list", "- a bullet", "# heading", "a_b_c", "*em*", "a & b", "x <b>y</b>",
    "trailing space ", " leading", "line\nbreak", "tab\there", "[link](http://x)",
    "`code`", "a\\b", "http://example.com/x", "2020 data", "100%", "Fiji!", "What?",
    "emoji \U0001F600", "quote \"x\"", "_under", "ends with backslash\\",
])
def test_plain_text_fast_path_matches_the_parser(text: str) -> None:
    from sitegen import markdown

    slow_html = markdown.nh3.clean(markdown._md.render(text), tags=markdown._TAGS,
                                   attributes=markdown._ATTRIBUTES,
                                   url_schemes={"http", "https", "mailto"},
                                   link_rel="noopener noreferrer nofollow")
    assert render_markdown(text) == slow_html
    rendered = markdown._BLOCK_TAG_RE.sub(" ", markdown._md.render(text))
    flat = markdown._SPACE_RE.sub(" ", markdown.html.unescape(
        markdown._TAG_RE.sub("", rendered))).strip()
    assert plain_text(text, 1000) == flat
