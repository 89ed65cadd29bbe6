"""Every page of the hostile corpus in real Chromium: no catalog content ever runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Built, build_site
from tests.data.make_hostile_corpus import MARK, write_corpus


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("hostile-browser")
    write_corpus(work)
    return build_site(work / "corpus", work / "out", offline=True)


class Watch:
    """Dialogs, console messages and page errors that carry the payload's marker."""

    def __init__(self, page: Any) -> None:
        self.hits: list[str] = []
        self.dialogs = 0
        page.on("dialog", self._dialog)
        page.on("console", lambda m: self._note("console", m.text))
        page.on("pageerror", lambda e: self._note("pageerror", str(e)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs += 1
        self.hits.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def _note(self, kind: str, text: str) -> None:
        if MARK in text:
            self.hits.append(f"{kind}: {text}")


def test_no_page_runs_catalog_content(corpus_site: Built, probe: Any) -> None:
    p = probe()
    watch = Watch(p.page)
    pages = sorted(corpus_site.out.rglob("*.html"))
    assert len(pages) > 230
    for path in pages:
        p.page.goto(path.as_uri())
        p.page.wait_for_load_state("load")
        # map scripts run on DOMContentLoaded; give deferred handlers a moment
        p.page.wait_for_timeout(20)
        assert p.page.evaluate("() => document.title") is not None
        assert not watch.hits, (path, watch.hits)
    assert watch.dialogs == 0
    assert p.blocked_non_tiles == []


def test_search_results_for_hostile_items_run_nothing(corpus_site: Built, probe: Any) -> None:
    p = probe()
    watch = Watch(p.page)
    search = (corpus_site.out / "search" / "index.html").as_uri()
    for fragment in ("q=script", "q=sitegen%20xss", "q=item", "q=evil"):
        if p.page.url.startswith("file:"):
            p.page.evaluate("() => document.documentElement.removeAttribute('data-search')")
        p.page.goto(f"{search}#{fragment}")
        p.page.wait_for_selector("html[data-search='done']")
        results = p.page.locator("#results li").count()
        assert not watch.hits, (fragment, watch.hits)
        if fragment == "q=script":
            assert results > 0  # the hostile items are found, shown as text
            text = p.page.locator("#results").inner_text()
            assert "<script>" in text
    assert watch.dialogs == 0
    assert p.blocked_non_tiles == []


def test_watch_sees_a_real_execution(corpus_site: Built, probe: Any, tmp_path: Path) -> None:
    """The hooks work: a page that does run the payload is caught."""
    p = probe()
    watch = Watch(p.page)
    page = tmp_path / "bad.html"
    page.write_text(f"<script>alert('{MARK}'); console.log('{MARK}')</script>", "utf-8")
    p.page.goto(page.as_uri())
    p.page.wait_for_load_state("load")
    assert watch.dialogs == 1 and len(watch.hits) == 2
