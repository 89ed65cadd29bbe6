"""Search works on every tree in ../shared/catalogs, from file://."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED, build_site, needs_shared, shared_roots


@needs_shared
@pytest.mark.parametrize(("tree", "root"), [(t, r) for t, r, _ in shared_roots()],
                         ids=[f"{t}/{r}" for t, r, _ in shared_roots()])
def test_every_document_is_indexed_and_items_found_by_id(tmp_path: Path, probe: Any,
                                                          tree: str, root: str) -> None:
    built = build_site(SHARED / tree / root, tmp_path / "site")
    tab = probe()
    page = tab.page
    url = (built.out / "search" / "index.html").as_uri()
    page.goto(url)
    page.wait_for_selector("html[data-search='done']")
    pages = sum(built.result.pages.get(k, 0) for k in ("catalog", "collection", "item"))
    assert page.locator("#status").inner_text().startswith(f"{pages} result")
    item_ids = sorted({json.loads(p.read_text(encoding="utf-8"))["id"]
                       for p in built.out.rglob("*.json")
                       if '"type": "Feature"' in p.read_text(encoding="utf-8")})
    for item_id in item_ids[:6]:
        page.evaluate("() => document.documentElement.removeAttribute('data-search')")
        page.goto(f"{url}#q={item_id}")
        page.wait_for_selector("html[data-search='done']")
        found = page.locator("#results li").all_inner_texts()
        assert any(item_id in text for text in found), (tree, item_id, found)
    assert tab.errors == [] and tab.blocked_non_tiles == []
