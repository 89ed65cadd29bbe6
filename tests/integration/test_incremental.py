"""Incremental builds: the build cache reuses what did not change, and only that.

Every rebuild here is also compared, file by file, with a build from scratch of the
same catalog: reusing must never give a different site.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from sitegen import build as build_module
from sitegen import search
from sitegen.build import build
from sitegen.cache import BuildCache, cache_dir_for
from sitegen.config import Config
from sitegen.errors import StrictError, ThemeError
from sitegen.reporter import Reporter
from sitegen.writer import MARKER

ITEMS = 30
BASE = "https://data.example.org/site/"


def _item(n: int, title: str | None = None, cloud: float = 10.0) -> dict[str, Any]:
    return {
        "type": "Feature", "stac_version": "1.0.0", "id": f"tile-{n:03d}",
        "collection": "tiles",
        "bbox": [10 + n * 0.1, 50, 10.1 + n * 0.1, 50.1],
        "geometry": {"type": "Polygon", "coordinates": [[
            [10 + n * 0.1, 50], [10.1 + n * 0.1, 50], [10.1 + n * 0.1, 50.1],
            [10 + n * 0.1, 50.1], [10 + n * 0.1, 50]]]},
        "properties": {"datetime": f"2021-{1 + n % 12:02d}-15T10:00:00Z",
                       "title": title or f"Tile {n}", "eo:cloud_cover": cloud},
        "links": [{"rel": "collection", "href": "../collection.json"},
                  {"rel": "parent", "href": "../collection.json"}],
        "assets": {"data": {"href": f"https://files.example.org/tile-{n}.tif",
                            "type": "image/tiff; application=geotiff", "roles": ["data"],
                            "file:size": 1000 + n}},
    }


def write_catalog(src: Path, items: int = ITEMS, collection_title: str = "Tiles") -> None:
    (src / "tiles").mkdir(parents=True, exist_ok=True)
    (src / "catalog.json").write_text(json.dumps({
        "type": "Catalog", "stac_version": "1.0.0", "id": "root", "description": "Root.",
        "links": [{"rel": "child", "href": "./tiles/collection.json"}]}), encoding="utf-8")
    write_collection(src, [f"./t{n:03d}/t{n:03d}.json" for n in range(items)],
                     collection_title)
    for n in range(items):
        write_item(src, n, _item(n))


def write_collection(src: Path, item_hrefs: list[str], title: str = "Tiles") -> None:
    (src / "tiles" / "collection.json").write_text(json.dumps({
        "type": "Collection", "stac_version": "1.0.0", "id": "tiles", "title": title,
        "description": "Tiles.", "license": "CC-BY-4.0",
        "extent": {"spatial": {"bbox": [[10, 50, 14, 50.1]]},
                   "temporal": {"interval": [["2021-01-01T00:00:00Z", None]]}},
        "links": [{"rel": "item", "href": href} for href in item_hrefs]}), encoding="utf-8")


def write_item(src: Path, n: int, doc: dict[str, Any]) -> None:
    folder = src / "tiles" / f"t{n:03d}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"t{n:03d}.json").write_text(json.dumps(doc), encoding="utf-8")


def run(src: Path, out: Path, **options: Any) -> Reporter:
    options.setdefault("jobs", 1)
    options.setdefault("base_url", BASE)
    reporter = Reporter(record_paths=True)
    build(str(src), Config(output=str(out), **options), reporter)
    return reporter


def snapshot(site: Path) -> dict[str, str]:
    """Every file's digest (the marker holds the build's id, so it is left out)."""
    out: dict[str, str] = {}
    for dirpath, _dirs, names in os.walk(site):
        for name in names:
            path = Path(dirpath) / name
            rel = path.relative_to(site).as_posix()
            if rel != MARKER:
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def same_as_fresh_build(src: Path, site: Path, tmp: Path, **options: Any) -> None:
    fresh = tmp / f"fresh-{len(list(tmp.iterdir()))}"
    run(src, fresh, cache=False, **options)
    assert not cache_dir_for(fresh).exists()
    got, want = snapshot(site), snapshot(fresh)
    assert sorted(set(got) ^ set(want)) == []
    assert [rel for rel in got if got[rel] != want[rel]] == []


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    src, site = tmp_path / "src", tmp_path / "site"
    write_catalog(src)
    first = run(src, site)
    assert first.cache == "no build cache yet"
    assert len(first.written) == ITEMS + 2 and first.reused == []
    return src, site


def items_in(pages: list[str]) -> int:
    """How many of ``pages`` are item pages."""
    return sum(1 for p in pages if p.startswith("tiles/t"))


def item_files(n: int) -> set[str]:
    stem = f"tiles/t{n:03d}/index"
    return {f"{stem}.html", f"tiles/t{n:03d}/t{n:03d}.json", f"{stem}.urls.txt",
            f"{stem}.download.sh", f"{stem}.meta4"}


def test_unchanged_catalog_rebuilds_without_rendering_items(built: tuple[Path, Path],
                                                            tmp_path: Path) -> None:
    src, site = built
    before = snapshot(site)
    again = run(src, site)
    assert again.cache is None
    assert len(again.reused) == ITEMS + 2 and not any("/t0" in p for p in again.written)
    assert again.changed == []
    assert snapshot(site) == before


def test_one_item_edit_rewrites_its_files_and_what_lists_it(built: tuple[Path, Path],
                                                            tmp_path: Path) -> None:
    src, site = built
    # a value no list shows: only the item's own files change
    write_item(src, 7, _item(7, cloud=55.5))
    quiet = run(src, site)
    assert items_in(quiet.reused) == ITEMS - 1
    assert set(quiet.changed) == {"tiles/t007/index.html", "tiles/t007/t007.json"}
    same_as_fresh_build(src, site, tmp_path)
    # a new title: its page, its collection's list page, the search shard and terms
    write_item(src, 7, _item(7, title="Renamed harbour tile", cloud=55.5))
    loud = run(src, site)
    assert items_in(loud.reused) == ITEMS - 1
    changed = set(loud.changed)
    assert {"tiles/t007/index.html", "tiles/t007/t007.json", "tiles/index.html"} <= changed
    assert any(p.startswith("search/s/") for p in changed)
    assert any(p.startswith("search/t/") for p in changed)
    others = {p for n in range(ITEMS) if n != 7 for p in item_files(n)}
    assert not changed & others
    assert "index.html" not in changed and "sitemap.xml" not in changed
    # made again: the search index and the pages listing the item; kept without being
    # made: sitemaps, static files and every download list (the title is in none)
    assert "search" in loud.made and "node:" + str(src / "tiles" / "collection.json") \
        in loud.made
    assert not [g for g in loud.made if g in ("sitemaps", "static") or
                g.startswith("lists:")]
    same_as_fresh_build(src, site, tmp_path)


def test_a_title_edit_remakes_the_first_list_page_and_the_one_listing_the_item(
        tmp_path: Path) -> None:
    src, site = tmp_path / "src", tmp_path / "site"
    write_catalog(src)
    run(src, site, items_per_page=10)  # the collection's items on three pages
    write_item(src, 25, _item(25, title="Renamed on the third page"))
    rebuilt = run(src, site, items_per_page=10)
    collection = "node:" + str(src / "tiles" / "collection.json")
    assert collection in rebuilt.made  # its first page maps every item below
    assert "page:tiles/index-3.html" in rebuilt.made
    assert "page:tiles/index-2.html" not in rebuilt.made
    assert {"tiles/index.html", "tiles/index-3.html"} <= set(rebuilt.written)
    assert "tiles/index-2.html" in rebuilt.reused and "tiles/index-2.html" not in \
        rebuilt.written
    assert "tiles/index-3.html" in rebuilt.changed
    same_as_fresh_build(src, site, tmp_path, items_per_page=10)
    # the download totals are in every page's structured data
    doc = _item(3)
    doc["assets"]["data"]["file:size"] = 123_456_789
    write_item(src, 3, doc)
    resized = run(src, site, items_per_page=10)
    assert {"page:tiles/index-2.html", "page:tiles/index-3.html"} <= set(resized.made)
    same_as_fresh_build(src, site, tmp_path, items_per_page=10)


def test_asset_edit_rewrites_the_download_lists_up_the_tree(built: tuple[Path, Path],
                                                            tmp_path: Path) -> None:
    src, site = built
    doc = _item(3)
    doc["assets"]["data"]["href"] = "https://files.example.org/moved/tile-3.tif"
    write_item(src, 3, doc)
    rebuilt = run(src, site)
    changed = set(rebuilt.changed)
    assert {"tiles/t003/index.urls.txt", "tiles/index.urls.txt", "index.urls.txt",
            "tiles/index.meta4", "index.download.sh"} <= changed
    assert "tiles/t004/index.urls.txt" not in changed
    assert {"lists:" + str(src / "tiles" / "collection.json"),
            "lists:" + str(src / "catalog.json")} <= set(rebuilt.made)
    assert "sitemaps" not in rebuilt.made and "static" not in rebuilt.made
    same_as_fresh_build(src, site, tmp_path)


def test_added_and_removed_items_update_parents(built: tuple[Path, Path],
                                                tmp_path: Path) -> None:
    src, site = built
    hrefs = [f"./t{n:03d}/t{n:03d}.json" for n in range(ITEMS) if n != 5]
    write_item(src, 99, _item(99))
    write_collection(src, [*hrefs, "./t099/t099.json"])
    rebuilt = run(src, site)
    assert items_in(rebuilt.reused) == ITEMS - 1
    assert [p for p in rebuilt.written if p.startswith("tiles/t")] == ["tiles/t099/index.html"]
    assert not (site / "tiles" / "t005").exists()
    assert {"tiles/index.html", "sitemap.xml", "search/manifest.js"} <= set(rebuilt.changed)
    same_as_fresh_build(src, site, tmp_path)


def test_an_edit_of_an_item_link_alone_rewrites_the_collections_copy(
        built: tuple[Path, Path], tmp_path: Path) -> None:
    # (the collection holds its 30 item links packed: their edit must still count)
    src, site = built
    path = src / "tiles" / "collection.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["links"][7]["title"] = "Tile seven, renamed"
    path.write_text(json.dumps(doc), encoding="utf-8")
    rebuilt = run(src, site)
    assert "tiles/collection.json" in rebuilt.changed
    copy = json.loads((site / "tiles" / "collection.json").read_text(encoding="utf-8"))
    assert [link.get("title") for link in copy["links"] if link["rel"] == "item"][7] == \
        "Tile seven, renamed"
    same_as_fresh_build(src, site, tmp_path)


def test_search_documents_of_unchanged_items_are_the_last_builds(
        built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, site = built
    made: list[str] = []
    real = search.thumbnail_url

    def counting(*args: Any) -> Any:
        made.append(args[0])
        return real(*args)

    monkeypatch.setattr(search, "thumbnail_url", counting)  # once per item document made
    write_item(src, 12, _item(12, title="Renamed tile"))
    run(src, site)
    assert len(made) == 1
    same_as_fresh_build(src, site, tmp_path)
    # nothing changed: the index is kept, and its documents with it
    made.clear()
    assert "search" not in run(src, site).made and made == []
    write_item(src, 12, _item(12, title="Renamed again"))
    run(src, site)
    assert len(made) == 1
    # an item's document holds its collection's title (a search term)
    made.clear()
    write_collection(src, [f"./t{n:03d}/t{n:03d}.json" for n in range(ITEMS)],
                     title="Harbour tiles")
    run(src, site)
    assert len(made) == ITEMS
    same_as_fresh_build(src, site, tmp_path)


def test_the_state_is_kept_in_shards_and_only_changed_ones_are_written(
        built: tuple[Path, Path], tmp_path: Path) -> None:
    src, site = built
    cache = cache_dir_for(site)
    before = {p.name for p in cache.glob("*.pickle")}
    assert len(before) == 64 + 64 + 1  # item entries, search documents, the state
    write_item(src, 4, _item(4, title="Renamed tile"))
    run(src, site)
    after = {p.name for p in cache.glob("*.pickle")}
    # the item's entry and its document changed: one new file each, the old ones gone
    assert len(after) == 129 and sorted(n[:5] for n in after - before) == ["docs-", "items"]
    # a lost shard of either kind: the next build is a full one, not a failure
    for kind in ("items", "docs"):
        sorted(cache.glob(f"{kind}-*.pickle"))[0].unlink()
        again = run(src, site)
        assert again.cache == "no build cache yet" and again.reused == []
        assert len(list(cache.glob(f"{kind}-*.pickle"))) == 64
    same_as_fresh_build(src, site, tmp_path)
    assert run(src, site).cache is None  # and the one after takes it


def test_search_documents_are_saved_and_let_go_once_the_index_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """By the thread that wrote the index, while the item pages are made: their memory
    (a third of a kilobyte an item) then serves the rest of the build."""
    import threading

    calls: list[tuple[str, int]] = []
    real = BuildCache.save_docs

    def recording(self: BuildCache) -> None:
        calls.append((threading.current_thread().name, len(self.docs)))
        real(self)
        calls.append(("after", len(self.docs)))

    monkeypatch.setattr(BuildCache, "save_docs", recording)
    src, site = tmp_path / "src", tmp_path / "site"
    write_catalog(src)
    run(src, site)
    assert calls[0][0].startswith("sitegen-aux") and calls[0][1] == ITEMS
    assert calls[1:] == [("after", 0), ("MainThread", 0), ("after", 0)]  # done once
    # the next build has them: an unchanged item's document is taken as it was
    write_item(src, 3, _item(3, title="Renamed tile"))
    rebuilt = run(src, site)
    assert rebuilt.cache is None and items_in(rebuilt.written) == 1
    same_as_fresh_build(src, site, tmp_path)


def test_the_cache_knows_every_file_of_the_site(built: tuple[Path, Path]) -> None:
    """The state does not store the site's file list: it is made from the items' and
    groups' files and asset copies, and must be exactly the site's."""
    src, site = built
    doc = _item(3)
    doc["assets"]["local"] = {"href": "./t003-preview.png", "type": "image/png",
                              "roles": ["overview"]}
    write_item(src, 3, doc)
    (src / "tiles" / "t003" / "t003-preview.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    run(src, site)
    cached = BuildCache(site, "unused")
    cached.previous = cached._load()
    files = cached.manifest()
    assert "tiles/t003/t003-preview.png" in files
    assert files == set(snapshot(site))
    # an item's download lists are kept as names in its page's folder (one string for
    # every item): the list above has them as the site does
    assert cached.previous is not None
    entries = [e.files for e in cached.previous.items.values()]
    assert all("/index.urls.txt" in f for f in entries)
    assert "tiles/t003/index.urls.txt" in files


def test_parent_title_change_rerenders_its_items(built: tuple[Path, Path],
                                                 tmp_path: Path) -> None:
    src, site = built
    write_collection(src, [f"./t{n:03d}/t{n:03d}.json" for n in range(ITEMS)],
                     title="Harbour tiles")
    rebuilt = run(src, site)
    # every item page shows the collection in its breadcrumbs
    assert rebuilt.reused == [] and len(rebuilt.written) == ITEMS + 2
    same_as_fresh_build(src, site, tmp_path)


def test_config_or_theme_change_rebuilds_everything(built: tuple[Path, Path],
                                                    tmp_path: Path) -> None:
    src, site = built
    other = run(src, site, title="Another title")
    assert other.cache == "config, theme or sitegen version changed"
    assert other.reused == []
    theme = tmp_path / "theme"
    (theme / "static").mkdir(parents=True)
    (theme / "static" / "extra.css").write_text("body { color: teal }", encoding="utf-8")
    run(src, site, title="Another title", theme=str(theme))
    themed = run(src, site, title="Another title", theme=str(theme))
    assert themed.cache is None and items_in(themed.reused) == ITEMS
    (theme / "static" / "extra.css").write_text("body { color: navy }", encoding="utf-8")
    changed = run(src, site, title="Another title", theme=str(theme))
    assert changed.cache == "config, theme or sitegen version changed"
    assert changed.reused == []
    # options that change how a build runs, not what it writes, keep the cache
    jobs = run(src, site, title="Another title", theme=str(theme), jobs=2, timeout=5.0)
    assert jobs.cache is None and items_in(jobs.reused) == ITEMS


def test_compiled_templates_are_kept_per_language(built: tuple[Path, Path],
                                                 tmp_path: Path) -> None:
    """Templates are translated as they are compiled: a German build must not load the
    English build's compiled templates (their sources are the same)."""
    src, site = built
    english = list(cache_dir_for(site).glob("templates-*"))
    assert len(english) == 1 and any(english[0].iterdir())
    run(src, site, language="de")
    german = list(cache_dir_for(site).glob("templates-*"))
    assert len(german) == 1 and german != english and any(german[0].iterdir())
    page = (site / "tiles" / "t001" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de"' in page and "Herunterladen" in page
    same_as_fresh_build(src, site, tmp_path, language="de")


def test_a_failed_rebuild_keeps_site_and_cache_consistent(built: tuple[Path, Path],
                                                          tmp_path: Path) -> None:
    src, site = built
    before = snapshot(site)
    (src / "tiles" / "t002" / "t002.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(StrictError):
        run(src, site, strict=True)
    assert snapshot(site) == before
    write_item(src, 2, _item(2, title="Fixed"))
    fixed = run(src, site)
    assert fixed.cache is None and items_in(fixed.reused) == ITEMS - 1
    same_as_fresh_build(src, site, tmp_path)


def test_files_missing_from_the_site_are_rendered_again(built: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    src, site = built
    (site / "tiles" / "t010" / "index.meta4").unlink()
    shutil.rmtree(site / "tiles" / "t020")
    rebuilt = run(src, site)
    assert items_in(rebuilt.reused) == ITEMS - 2
    assert {"tiles/t010/index.html", "tiles/t020/index.html"} <= set(rebuilt.written)
    same_as_fresh_build(src, site, tmp_path)


def test_a_site_built_without_the_cache_is_not_trusted(built: tuple[Path, Path],
                                                       tmp_path: Path) -> None:
    src, site = built
    run(src, site, cache=False)
    assert not cache_dir_for(site).exists()
    again = run(src, site)
    assert again.cache == "no build cache yet" and again.reused == []
    # a cache whose site was replaced by another build is not used either
    run(src, site)
    state = cache_dir_for(site) / "state.pickle"
    saved = state.read_bytes()
    run(src, site, cache=False)
    cache_dir_for(site).mkdir()
    state.write_bytes(saved)
    (cache_dir_for(site) / "spool.bin").write_bytes(b"")
    assert run(src, site).cache is not None


def test_worker_processes_reuse_the_same_way(built: tuple[Path, Path], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    src, site = built
    write_item(src, 12, _item(12, title="Changed in a worker"))
    rebuilt = run(src, site, jobs=2)
    assert items_in(rebuilt.reused) == ITEMS - 1
    same_as_fresh_build(src, site, tmp_path)
    # a rebuild of a large site starts its workers while it reads the cache
    warmed: list[int] = []
    real_warm = build_module._LazyPool.warm
    monkeypatch.setattr(build_module, "WARM_POOL_BYTES", 0)
    monkeypatch.setattr(build_module._LazyPool, "warm",
                        lambda pool: warmed.append(pool.workers) or real_warm(pool))
    write_item(src, 12, _item(12, title="Changed again"))
    again = run(src, site, jobs=2)
    assert warmed == [2] and items_in(again.reused) == ITEMS - 1
    same_as_fresh_build(src, site, tmp_path)


class _Recording(ThreadPoolExecutor):
    """An executor that notes the functions it is given (a caller's executor)."""

    def __init__(self, slow: str = "") -> None:
        super().__init__(max_workers=2)
        self.functions: list[str] = []
        self.slow = slow  # a function that starts late

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        name = getattr(fn, "__name__", type(fn).__name__)
        self.functions.append(name)
        if name == self.slow:
            return super().submit(lambda: time.sleep(0.5) or fn(*args, **kwargs))
        return super().submit(fn, *args, **kwargs)


def test_a_large_rebuild_has_a_worker_make_the_search_index(
        built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, site = built
    monkeypatch.setattr(build_module, "INDEX_IN_WORKER_ITEMS", ITEMS)
    write_item(src, 12, _item(12, title="Indexed by a worker"))
    with _Recording() as executor:
        reporter = Reporter(record_paths=True)
        build(str(src), Config(output=str(site), base_url=BASE, jobs=2), reporter, executor)
    assert executor.functions.count("index_files") == 1
    assert "search" in reporter.made and items_in(reporter.reused) == ITEMS - 1
    same_as_fresh_build(src, site, tmp_path)
    # a smaller site, or a full build, makes it in this process
    monkeypatch.setattr(build_module, "INDEX_IN_WORKER_ITEMS", ITEMS + 1)
    write_item(src, 12, _item(12, title="Indexed here"))
    with _Recording() as executor:
        build(str(src), Config(output=str(site), base_url=BASE, jobs=2), Reporter(), executor)
        build(str(src), Config(output=str(tmp_path / "full"), base_url=BASE, jobs=2),
              Reporter(), executor)
    assert "index_files" not in executor.functions
    same_as_fresh_build(src, site, tmp_path)


def test_workers_write_a_full_builds_download_lists_and_walk_the_site(
        tmp_path: Path) -> None:
    src = tmp_path / "src"
    write_catalog(src)
    with _Recording() as executor:
        result = build(str(src), Config(output=str(tmp_path / "site"), base_url=BASE,
                                        jobs=2), Reporter(), executor)
    # the lists of the catalog and of the collection; the items' folders (while the
    # catalog's and collection's pages are rendered); a walk of each top-level folder
    assert executor.functions.count("write_lists_from") == 2
    assert executor.functions.count("walk_folder_batch") == 1
    assert executor.functions.count("tree_stats") == len(
        [p for p in (tmp_path / "site").iterdir() if p.is_dir()])
    alone = build(str(src), Config(output=str(tmp_path / "alone"), base_url=BASE, jobs=1))
    assert (result.files, result.bytes) == (alone.files, alone.bytes)
    same_as_fresh_build(src, tmp_path / "site", tmp_path)
    # the cache knows the folders as the walk found them: a rebuild lists none again
    write_item(src, 3, _item(3, title="Renamed"))
    rebuilt = run(src, tmp_path / "site")
    assert items_in(rebuilt.reused) == ITEMS - 1
    same_as_fresh_build(src, tmp_path / "site", tmp_path)


def test_a_failed_build_waits_for_the_workers_before_removing_its_staging_folder(
        tmp_path: Path) -> None:
    src, theme = tmp_path / "src", tmp_path / "theme"
    write_catalog(src)
    theme.mkdir()
    # the items render; the catalog and collection pages fail, while the workers write
    # their download lists
    for name in ("catalog.html", "collection.html"):
        (theme / name).write_text("{{ no_such_thing.attribute }}", encoding="utf-8")
    with _Recording(slow="write_lists_from") as executor, pytest.raises(ThemeError):
        build(str(src), Config(output=str(tmp_path / "out" / "site"), base_url=BASE,
                               jobs=2, theme=str(theme)), Reporter(), executor)
    assert executor.functions.count("write_lists_from") == 2
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []


def test_an_update_cut_short_is_repaired_by_a_full_build(built: tuple[Path, Path],
                                                         tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         ) -> None:
    src, site = built
    for n in (1, 2, 3, 4):
        write_item(src, n, _item(n, title=f"Retitled {n}"))
    import sitegen.writer

    real_replace = os.replace
    calls = []

    def dying_replace(a: Any, b: Any) -> None:
        if str(b).startswith(str(site)):  # the update's moves (not the cache's files)
            calls.append(b)
            if len(calls) > 3:
                raise KeyboardInterrupt  # the process dies in the middle of the update
        real_replace(a, b)

    monkeypatch.setattr(sitegen.writer.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        run(src, site)
    monkeypatch.setattr(sitegen.writer.os, "replace", real_replace)
    assert (cache_dir_for(site) / "updating").exists()
    repaired = run(src, site)
    assert repaired.cache is not None and "cut short" in repaired.cache
    assert repaired.reused == []
    same_as_fresh_build(src, site, tmp_path)
    assert run(src, site).cache is None


def test_published_folders_are_readable_by_a_web_server(built: tuple[Path, Path]) -> None:
    _, site = built
    assert site.stat().st_mode & 0o055 == 0o055 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_an_update_reports_what_it_did_and_the_true_site_size(built: tuple[Path, Path],
                                                              ) -> None:
    from sitegen.writer import tree_stats

    src, site = built
    write_item(src, 99, _item(99))
    write_collection(src, [f"./t{n:03d}/t{n:03d}.json" for n in range(1, ITEMS)] +
                     ["./t099/t099.json"])
    result = build(str(src), Config(output=str(site), jobs=1, base_url=BASE), Reporter())
    assert result.updated is not None
    written, removed = result.updated
    assert written > 5 and removed == 5  # t000's page, JSON and three download lists
    assert (result.files, result.bytes) == tree_stats(site)[:2]
    assert not (site / "tiles" / "t000").exists()
    full = build(str(src), Config(output=str(site), jobs=1, base_url=BASE, cache=False),
                 Reporter())
    assert full.updated is None and (full.files, full.bytes) == (result.files, result.bytes)


def test_an_unusable_cache_folder_gives_a_warning_not_a_failure(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, site = tmp_path / "src", tmp_path / "site"
    write_catalog(src, items=3)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("SITEGEN_CACHE_DIR", str(blocker / "caches"))
    reporter = run(src, site)
    assert any("cannot use this build cache folder" in str(w) for w in reporter.warnings)
    assert (site / "tiles" / "t002" / "index.html").is_file()


def test_item_entries_hold_the_models_paths_not_a_workers_copies() -> None:
    # one entry per item is kept for the whole build: the page and JSON paths a worker
    # reports are equal copies of the model's
    from sitegen.catalog import ItemSummary
    from sitegen.model import ItemPage

    page, json_path = "a/b/index.html", "a/b/b.json"
    item = ItemPage(ItemSummary("/c/b.json", "/c/b.json", "b", None, None, None, None, None,
                                None), page, json_path)
    copies = ("".join(["a/b/index", ".urls.txt"]), "".join(["a/b/", "index.html"]),
              "".join(["a/b/", "b.json"]))
    shared = build_module._with_model_paths(copies, item)
    assert shared == copies
    assert shared[1] is page and shared[2] is json_path and shared[0] is copies[0]


def test_a_build_leaves_nothing_for_the_cyclic_collector(tmp_path: Path) -> None:
    """Everything a build made is freed when it returns: a reference cycle through the
    model (a closure calling itself, say) kept a 100,000-item model alive until the
    collector's next full pass, 0.3 s at the interpreter's exit."""
    import gc

    from sitegen.cache import ItemEntry
    from sitegen.catalog import Crawl, ItemSummary
    from sitegen.model import Site

    src, site = tmp_path / "src", tmp_path / "site"
    write_catalog(src)
    gc.collect()
    gc.disable()
    try:
        for _ in range(2):  # a full build, then a rebuild from the cache
            run(src, site)
            left = [type(o).__name__ for o in gc.get_objects()
                    if isinstance(o, (Site, Crawl, ItemSummary, BuildCache, ItemEntry))]
            assert left == []
    finally:
        gc.enable()


def test_a_spool_mostly_of_replaced_chunks_is_started_afresh(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rebuild appends the chunks of the items it renders; the state counts the
    bytes its entries still use, shard by shard, and a spool more than twice that (plus
    a slack, none here) is replaced by a fresh one."""
    from sitegen import cache as cache_module
    from sitegen.bulk import entry_bytes

    monkeypatch.setattr(cache_module, "SPOOL_SLACK", 0)
    src, site = tmp_path / "src", tmp_path / "site"
    write_catalog(src)
    reasons = [run(src, site).cache]
    for title in ("Harbour tiles", "Coast tiles", "Sea tiles"):
        write_collection(src, [f"./t{n:03d}/t{n:03d}.json" for n in range(ITEMS)], title)
        reasons.append(run(src, site).cache)
        cached = BuildCache(site, "unused")
        state = cached._load()
        assert state is not None and sum(state.live) == sum(
            entry_bytes(e.spool) for e in state.items.values() if e.spool) > 0
    # each title change renders every item again: the third finds three spools' worth
    assert reasons[1:3] == [None, None]
    assert reasons[3] == "the cache's spool is mostly garbage; starting a fresh one"
    same_as_fresh_build(src, site, tmp_path)
