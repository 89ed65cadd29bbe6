"""The link checker finds what it must (so the '0 broken links' tests can fail)."""

from __future__ import annotations

import os
from pathlib import Path

from sitegen.linkcheck import check_site


def test_check_site_reports_each_kind_of_problem(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "a" / "b").mkdir(parents=True)
    (site / "a" / "b" / "ok.html").write_text("ok", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("x", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", site / "a" / "leak.txt")
    (site / "a" / "index.html").write_text(
        '<a href="b/ok.html">ok</a> <a href="b/ok.html#x">ok</a> <a href="#top">same</a>'
        '<a href="b/missing.html">missing</a> <a href="b/">folder</a>'
        '<a href="../../secret.txt">outside</a> <a href="leak.txt">symlink</a>'
        '<img src="https://other.example/x.png"> <a href="https://other.example/">click</a>'
        '<a href="b/ok%2Ehtml">encoded</a>', encoding="utf-8")
    report = check_site(site)
    assert report.pages == 2
    assert sorted(url for _, url in report.broken) == [
        "../../secret.txt", "b/missing.html", "leak.txt"]
    assert report.directory_links == [("a/index.html", "b/")]
    assert report.external_loads == [("a/index.html", "https://other.example/x.png")]
    assert report.links == 7


def test_url_extraction_agrees_with_the_html_parser() -> None:
    from html.parser import HTMLParser

    from sitegen.linkcheck import _urls

    class Reference(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.urls: list[tuple[str, str, str]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            rel = dict(attrs).get("rel") or ""
            for name, value in attrs:
                if name in ("href", "src", "data") and value is not None and not (
                        tag == "link" and rel in ("canonical", "alternate")
                        and value.startswith(("http://", "https://"))):
                    self.urls.append((tag, name, value))

    page = (
        '<!doctype html><html><head><link rel="canonical" href="https://x.example/">'
        "<link rel=stylesheet href=a.css><script src='s.js' defer></script>"
        '<script>var s = "<a href=\\"in-script.html\\">";</script>'
        '<style>a { background: url("x.png") } </style></head><body>'
        "<!-- <a href=\"commented.html\"> -->"
        '<A HREF="Upper.html">x</A><a class="c" href="q.html?a=1&amp;b=2#f">y</a>'
        '<img alt="a > b" src="i.png"><img\nsrc="nl.png"\n><object data="o.bin"></object>'
        '<a data-x="1" href="d.html">z</a><a href="&#106;s.html">e</a>'
        '<a title=\'it"s\' href="t.html">t</a><a href=unq.html>u</a></body></html>'
    )
    reference = Reference()
    reference.feed(page)
    assert _urls(page) == reference.urls
    assert ("a", "href", "q.html?a=1&b=2#f") in reference.urls
    assert not any("in-script" in u or "commented" in u for _, _, u in reference.urls)
