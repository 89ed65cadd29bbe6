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
