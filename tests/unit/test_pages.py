from __future__ import annotations

import json
from pathlib import Path

import pytest

from sitegen.layout import Layout
from sitegen.links import HrefPolicy
from sitegen.pages import ItemJob, WorkerState, render_item_batch
from sitegen.render import SiteInfo, default_theme_dir


def _state(tmp_path: Path) -> WorkerState:
    layout = Layout(str(tmp_path / "catalog.json"))
    return WorkerState("t", (str(default_theme_dir()),),
                       SiteInfo("Site", "en", None, "index.html", "catalog.json"),
                       HrefPolicy(layout, False, True, None), str(tmp_path / "out"))


def _job(path: Path) -> ItemJob:
    return ItemJob(location=str(path), read_path=str(path), page="c/x/index.html",
                   json="c/x/x.json", trail=(("Site", "index.html"),),
                   parents=(("Coll", "c/index.html"),), parent_json="c/collection.json",
                   collection=None, related=())


def test_a_page_that_fails_to_render_becomes_a_warning_and_a_plain_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    item = tmp_path / "x.json"
    item.write_text(json.dumps({"type": "Feature", "id": "x", "properties": {}}))

    def boom(*args: object) -> None:
        raise ValueError("unexpected")

    monkeypatch.setattr("sitegen.pages.item_context", boom)
    [result] = render_item_batch(_state(tmp_path), [_job(item)])
    assert result.ok and "ValueError: unexpected" in result.diagnostics[0].message
    page = (tmp_path / "out" / "c" / "x" / "index.html").read_text()
    assert 'href="x.json"' in page and 'href="../index.html"' in page
    assert (tmp_path / "out" / "c" / "x" / "x.json").is_file()


def test_an_item_that_vanished_is_reported(tmp_path: Path) -> None:
    [result] = render_item_batch(_state(tmp_path), [_job(tmp_path / "gone.json")])
    assert not result.ok and "could not be re-read" in result.diagnostics[0].message


def test_page_links_keep_the_ends_and_a_window() -> None:
    from sitegen.pages import page_links

    pages = tuple(["index.html", *(f"index-{n}.html" for n in range(2, 31))])
    assert page_links(pages[:1], 0, "index.html") == []
    first = page_links(pages, 0, "index.html")
    assert [n for n, _ in first] == [1, 2, 3, None, 30]
    middle = page_links(pages, 14, "index-15.html")
    assert [n for n, _ in middle] == [1, None, 13, 14, 15, 16, 17, None, 30]
    assert middle[2] == (13, "index-13.html")
    near_start = page_links(pages, 3, "index-4.html")
    assert [n for n, _ in near_start] == [1, 2, 3, 4, 5, 6, None, 30]
    assert [n for n, _ in page_links(pages[:4], 1, "index-2.html")] == [1, 2, 3, 4]


def test_what_a_worker_sends_back_per_item_pickles_as_calls_not_states() -> None:
    """An item's result and its download chunks are unpickled as their classes called
    with their fields: a slots dataclass's state pickling called ``dataclasses.fields``
    for every object, in the process receiving a result per item."""
    import pickle
    import pickletools

    from sitegen.bulk import Chunks, Stats
    from sitegen.pages import ItemResult
    from sitegen.reporter import Diagnostic

    chunks = Chunks(b"u", b"s", b"m", b"", Stats(1, 2, 1, 0), b"d")
    result = ItemResult("a/item.json", 10, (("a/x.tif", "a/x.tif"),),
                        (Diagnostic("a/item.json", "odd"),), True, chunks, b"{}",
                        ("a/item/index.html",))
    data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    assert pickle.loads(data) == result
    assert not [op for op, _arg, _pos in pickletools.genops(data) if op.name == "BUILD"]
