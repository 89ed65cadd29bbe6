"""The build: config -> crawl -> model -> render -> write -> indexes.

:func:`build` reads like a table of contents; each step lives in its own module.
"""

from __future__ import annotations

import contextlib
import filecmp
import gc
import hashlib
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from jinja2 import TemplateError, TemplateSyntaxError

from sitegen import branding, i18n
from sitegen.bulk import PLACE_BYTES, Spool, Stats, entry_digest, write_lists
from sitegen.cache import BuildCache, ItemEntry, fingerprint, gc_paused, job_key, key_bytes
from sitegen.catalog import Crawl, crawl, find_root
from sitegen.config import Config, site_url
from sitegen.errors import StrictError, ThemeError
from sitegen.layout import STATIC_DIR
from sitegen.links import DocLinks, HrefPolicy, rewrite_document
from sitegen.maps import script_json, skeleton_scripts
from sitegen.model import ItemPage, Site, build_model
from sitegen.pages import (
    ItemJob,
    WorkerState,
    item_jobs,
    node_boxes,
    node_map,
    node_pages,
    page_entries,
    render_item_batch,
    search_context,
    site_facts,
    warm_up,
)
from sitegen.render import (
    SiteInfo,
    make_environment,
    render_page,
    sample_catalog_dir,
    theme_dirs,
)
from sitegen.reporter import Reporter
from sitegen.search import index_files, packed_docs, write_index
from sitegen.sitemap import robots_txt, write_sitemaps
from sitegen.sources import Reader, is_url
from sitegen.writer import (
    FolderIds,
    KnownWalks,
    Output,
    Packed,
    Staging,
    by_top_folder,
    checked_listing,
    compact_files,
    copy_file,
    expand_files,
    folder_ids,
    open_output,
    safe_join,
    tree_stats,
    walk_folders,
)

T = TypeVar("T")
R = TypeVar("R")
#: Items per worker batch: large enough to amortise pickling, small enough to balance.
BATCH = 200
#: Item entries in the build cache above which a rebuild starts its workers at once
#: (about 500 items: the crawl then hashes them in the workers).
WARM_POOL_BYTES = 400_000
#: From this many items, a rebuild has a worker make the search index (sending it the
#: documents costs about a fifth of making it, 0.2 against 0.9 s at 100,000 items,
#: and this process is then free for the rest of the rebuild).
INDEX_IN_WORKER_ITEMS = 20_000
#: Item download-list chunks, spooled in the staging folder and removed before the swap
#: (with the build cache on, the spool is kept in the cache instead).
SPOOL = ".sitegen-spool"


@dataclass(frozen=True)
class BuildResult:
    """What a finished build reports.

    Attributes:
        output: The output folder.
        pages: HTML pages written per type (catalog, collection, item).
        warnings: Number of warnings.
        files: Files in the output.
        bytes: Bytes in the output.
        seconds: Wall time of the build.
        crawl_counts: Documents crawled per type.
        updated: For an incremental build, ``(files written, files removed)``; None
            for a full build.
        phases: Seconds spent in each step of the build, in order.
    """

    output: Path
    pages: dict[str, int]
    warnings: int
    files: int
    bytes: int
    seconds: float
    crawl_counts: dict[str, int]
    updated: tuple[int, int] | None = None
    phases: dict[str, float] = field(default_factory=dict)


def build(
    source: str | None,
    config: Config,
    reporter: Reporter | None = None,
    executor: Executor | None = None,
) -> BuildResult:
    """Build the site for ``source`` (default: the bundled sample catalog).

    Args:
        source: Root file, folder holding one, or http(s) URL.
        config: Options.
        reporter: Receives warnings and progress (a plain one if None).
        executor: Runs item batches; default: a process pool of ``config.jobs``
            workers (in-process when that is 1). Any ``concurrent.futures.Executor``
            works, for instance a Dask or Ray one.

    Raises:
        SitegenError: The build cannot be done; the previous site is left as it was.
    """
    # The build makes its language the process's; a caller's (an earlier build's in
    # the same process, tests) comes back afterwards.
    previous = i18n.snapshot()
    long_lived = _LongLived()
    try:
        return _build(source, config, reporter or Reporter(), executor, long_lived)
    finally:
        long_lived.release()
        i18n.restore(previous)


class _LongLived:
    """Keeps the cyclic garbage collector off what lives as long as the build (the build
    cache's state, the crawl, the model: millions of small objects at 100,000 items,
    without cycles), which it would otherwise walk again at every full collection.
    Uses ``gc.freeze``, undone when the build ends; left alone when the caller froze
    objects itself or turned the collector off."""

    def __init__(self) -> None:
        self.active = gc.isenabled() and gc.get_freeze_count() == 0

    def freeze(self) -> None:
        if self.active:
            gc.freeze()

    def release(self) -> None:
        if self.active:
            gc.unfreeze()


def _build(source: str | None, config: Config, reporter: Reporter,
           executor: Executor | None, long_lived: _LongLived) -> BuildResult:
    started = time.perf_counter()
    clock = _Clock()
    root = find_root(source if source is not None else str(sample_catalog_dir()))
    dirs = theme_dirs(config.theme)
    protect = [] if is_url(root) else [Path(root).parent]
    staging = Staging(Path(config.output), protect=protect)
    build_id = uuid.uuid4().hex
    workers = config.jobs or os.cpu_count() or 1
    pool: Executor | _LazyPool | None = executor or (_LazyPool(workers) if workers > 1 else None)
    if isinstance(pool, _LazyPool) and config.cache and not is_url(root) and \
            BuildCache.size_of_items(staging.output) > WARM_POOL_BYTES:
        # A rebuild of a large site: the crawl will hash its items in the workers, so
        # they start while this process reads the build cache.
        pool.warm()
    try:
        # The state's objects go out of the collector's way before it runs again: the
        # first collection after the state is read would walk them all (0.15 s at
        # 100,000 items).
        with gc_paused():
            cached = _build_cache(config, dirs, root, staging, reporter)
            long_lived.freeze()
        compiled = cached.compiled_templates() if cached is not None else None
        env = make_environment(dirs, config.language, compiled)
    except BaseException:
        if isinstance(pool, _LazyPool):
            pool.shutdown()
        staging.abort()
        raise
    for message in branding.warnings(config):
        reporter.warn("config", message)
    clock.mark("start (theme, build cache)")
    fetch_cache = tempfile.mkdtemp(prefix="sitegen-fetch-") if is_url(root) else None
    aux = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sitegen-aux")
    spool_file: BinaryIO | None = None
    # With a usable build cache the site is updated in place: the staging folder
    # then receives only the files that are new or changed.
    update = cached is not None and cached.reusing
    listing: Future[tuple[set[str] | None, FolderIds]] | None = None
    writing: list[tuple[Output, Future[list[str]]]] = []  # download lists in the workers
    try:
        if update:
            # The previous build's manifest, checked folder by folder: mostly waiting
            # for the file system, so a thread does it while the crawl goes on.
            assert cached is not None and cached.previous is not None
            listing = aux.submit(checked_listing, str(staging.output), cached.manifest,
                                 cached.previous.folders)
        reader = make_reader(config, fetch_cache)
        crawled = crawl(root, reader, reporter, map_items=_mapper(pool),
                        known=cached.known if cached is not None else None)
        clock.mark("crawl")
        site = build_model(crawled, config)
        # The model's items hold the summaries now: the crawl's dictionary of them goes
        # (40 bytes an item, for the rest of the build).
        crawl_counts = crawled.counts()
        crawled.items.clear()
        long_lived.freeze()
        policy = HrefPolicy(site.layout, is_url(root), config.copy_assets,
                            config.asset_base_url, config.remote_images)
        messages = _script_messages(dirs)
        info = _site_info(site, messages)
        clock.mark("model")
        existing: set[str] | None = None  # (None: the cache's list of files holds)
        folders = FolderIds()
        if listing is not None:
            existing, folders = listing.result()
            clock.mark("waiting for the check of the previous site (a thread)")
        out = Output(staging.path, str(staging.output) if update else None,
                     reporter.changed_file, existing)
        groups = _Groups(cached, out, site, crawled, reporter)
        # The search index, sitemaps and static files need no item page: a thread
        # writes them while the workers render items, when this process is idle.
        # Three groups, each kept when its own inputs are unchanged: a title edit
        # changes the search index, not the sitemaps or the static files.
        # (made again to be written: a list of every page is 65 bytes an item)
        sitemap = partial(_sitemap_pages, site) if info.base_url else None
        aux_outs = {
            "search": groups.to_write("search", groups.aux_key()),
            "sitemaps": groups.to_write("sitemaps",
                                        groups.key_of_rows(sitemap() if sitemap else ())),
            "static": groups.to_write("static", groups.key_of([repr(info), messages])),
        }
        if aux_outs["search"] is None and cached is not None and cached.previous is not None:
            cached.docs = cached.previous.docs  # the index is kept: so are its documents
        clock.mark("build cache keys")
        # In a rebuild the workers are mostly idle and this process is the bottleneck:
        # one of them makes the search index, from documents made here first (made by
        # the thread, they shared the interpreter lock with the item pages and reached
        # the worker later: the index was a rebuild's longest path).
        index_pool = _running(pool) if update and len(site.items) >= INDEX_IN_WORKER_ITEMS \
            else None
        search_index = _index_by(index_pool, site, policy, crawled, cached) \
            if index_pool is not None and aux_outs["search"] is not None else None
        if search_index is not None:
            clock.mark("search documents (for the index a worker makes)")
        aux_future = aux.submit(_timed, _write_aux, site, env, info, policy, aux_outs, dirs,
                                config, messages, sitemap, crawled, cached, search_index) \
            if any(o is not None for o in aux_outs.values()) else None
        state = WorkerState(build_id, dirs, info, policy, staging.path,
                            config.download_roles, config.offline,
                            site_facts(config, site.title), compiled)
        spool_file = cached.open_spool() if cached is not None else \
            open(os.path.join(staging.path, SPOOL), "w+b")
        spool = Spool(spool_file)
        copies = _write_items(site, state, pool, reporter, spool, crawled, cached, out)
        clock.mark("item pages")
        # A node's first page (with its map, made from every item below) and JSON copy
        # are a group; each further list page is one of its own, made from the items
        # it lists; the download lists are one too, as they change only with the
        # download entries below the node (not with a title edit, say).
        node_outs: dict[str, dict[int, Output]] = {}
        list_outs: dict[str, Output] = {}
        for node in site.nodes.values():
            loc = node.location
            lists_key = groups.lists_key(loc, spool)
            list_out = groups.to_write(f"lists:{loc}", lists_key)
            if list_out is not None:
                list_outs[loc] = list_out
            page_outs: dict[int, Output] = {}
            for index, page in enumerate(node.list_pages):
                name = f"node:{loc}" if index == 0 else f"page:{page}"
                page_out = groups.to_write(name, groups.node_key(loc) if index == 0 else
                                           groups.page_key(loc, index, lists_key))
                if page_out is not None:
                    page_outs[index] = page_out
                else:
                    copies += groups.kept_copies(name)
                    reporter.reuse(node.kind, page)
            if page_outs:
                node_outs[loc] = page_outs
        # In a full build the workers, idle by now, write the download lists (mostly
        # copying the items' chunks) while this process renders the pages.
        lists_pool = None if update else _running(pool)
        if lists_pool is not None:
            spool_file.flush()
        lists, writing = _write_node_lists(site, info, spool, list_outs, node_outs,
                                           lists_pool, staging.path)
        # The items' folders are complete: the workers, once the download lists are
        # written, walk them for the site's size while this process renders the pages.
        item_walks = [] if update else _walk_item_folders(site, lists_pool, staging.path)
        clock.mark("catalog and collection download lists")
        copies += _write_nodes(site, env, info, policy, node_outs, reporter, lists, spool)
        clock.mark("catalog and collection pages")
        for list_out, written in writing:
            for rel in written.result():
                list_out.settle(rel)
        if writing:
            clock.mark("waiting for the download lists (workers)")
        spool_bytes = spool.size()
        spool_file.close()
        if cached is None:
            os.remove(os.path.join(staging.path, SPOOL))
        if aux_future is not None:
            clock.phases["search index, sitemaps, static files (a thread)"] = \
                aux_future.result()
            clock.mark("waiting for that thread")
        # The items' job keys and search documents are made, which the content digests
        # were for (the build cache's entries have them): their dictionary goes before
        # the site's walk and the cache's saving.
        crawled.digests.clear()
        groups.done()
        _write_assets(copies, out, reporter)
        clock.mark("asset copies")
        if config.strict and reporter.warnings:
            raise StrictError(f"{len(reporter.warnings)} warning(s) and --strict is set; "
                              "the previous site was kept")
        saved = True
        if update:
            assert cached is not None and cached.previous is not None
            moved, removed, size_change, touched = staging.apply(
                out.has, _maybe_dropped(cached), cached.journal)
            folders = FolderIds.join([folders.without(touched),
                                      folder_ids(str(staging.output), touched)])
            files, size = out.count() + 1, cached.previous.total_bytes + size_change
            updated: tuple[int, int] | None = (moved, removed)
            clock.mark("moving changed files in")
        else:
            staging.commit()
            clock.mark("swapping the site in")
            # A thread (or the workers, a top-level folder each) walks the new site for
            # its size and the identity of its folders while this one writes the build
            # cache's item entries.
            walker = _running(pool)
            known = KnownWalks()
            while item_walks:  # (each batch let go once in ``known``)
                known.add(item_walks.pop().result())
            walk = aux.submit(tree_stats, staging.output, "",
                              walker.submit if walker is not None else None, known)
            saved = cached is not None and _save_cache(cached, reporter, staging,
                                                       cached.save_items)
            files, size, folders = walk.result()
            del known
            clock.mark("output size")
            updated = None
        if cached is not None and saved:
            _save_cache(cached, reporter, staging,
                        lambda: cached.save(spool_bytes, size, folders))
            clock.mark("saving the build cache")
    except TemplateError as exc:
        _stop_writers(aux, pool, writing)
        staging.abort()
        where = f" ({exc.filename}:{exc.lineno})" if isinstance(exc, TemplateSyntaxError) else ""
        raise ThemeError(f"theme template error{where}: {exc}") from None
    except BaseException:
        _stop_writers(aux, pool, writing)
        staging.abort()
        raise
    finally:
        aux.shutdown(cancel_futures=True)
        if spool_file is not None:
            spool_file.close()
        if isinstance(pool, _LazyPool):
            pool.shutdown()
        if fetch_cache is not None:
            shutil.rmtree(fetch_cache, ignore_errors=True)
    return BuildResult(
        output=staging.output,
        pages=dict(reporter.pages),
        warnings=len(reporter.warnings),
        files=files,
        bytes=size,
        seconds=time.perf_counter() - started,
        crawl_counts=crawl_counts,
        updated=updated,
        phases=clock.phases,
    )


#: Item folders per walk a worker makes (see :func:`_walk_item_folders`).
WALK_BATCH = 5_000


def _walk_item_folders(site: Site, pool: Executor | None, root: str,
                       ) -> list[Future[dict[str, Packed]]]:
    """Walks of the new site's item folders (an item's page as ``FOLDER/index.html``)
    by ``pool``, in batches; none without a running pool."""
    if pool is None:
        return []
    folders = (item.page[:-11] for item in site.items.values()
               if item.page.endswith("/index.html"))
    return [pool.submit(walk_folder_batch, root, "\0".join(batch))
            for batch in _chunks(folders, WALK_BATCH)]


def walk_folder_batch(root: str, folders: str) -> dict[str, Packed]:
    """:func:`walk_folders` in a worker of some folders joined by ``\\0`` (one string
    a batch waiting to be sent, not one a folder: none is in a site path), packed by
    top-level folder (see :class:`~sitegen.writer.KnownWalks`)."""
    return by_top_folder(walk_folders(root, folders.split("\0")))


def _stop_writers(aux: ThreadPoolExecutor, pool: Executor | _LazyPool | None,
                  writing: list[tuple[Output, Future[list[str]]]]) -> None:
    """Wait until the thread and the workers have stopped writing into the staging
    folder (a failed build removes it next): the pool's batches in flight, and the
    download lists a caller's executor may still be writing."""
    aux.shutdown(cancel_futures=True)
    if isinstance(pool, _LazyPool):
        pool.shutdown()
    wait([written for _out, written in writing])


def _maybe_dropped(cached: BuildCache) -> Iterator[str]:
    """The previous site's files the new one may not have: all but the files of the
    items kept as they were (the same entry in this build), which it has."""
    assert cached.previous is not None
    now = cached.items
    for location, entry in cached.previous.items.items():
        if now.get(location) is not entry:
            yield from expand_files(entry.files)
        for _source, rel in entry.copies:
            yield rel
    for _key, files, copies in cached.previous.groups.values():
        yield from files
        for _source, rel in copies:
            yield rel


def _save_cache(cached: BuildCache, reporter: Reporter, staging: Staging,
                save: Callable[[], None]) -> bool:
    """Run a step of saving the build cache; False (the cache removed, a warning) when
    it fails: the site is in place, only the next build loses its head start."""
    try:
        save()
    except OSError as exc:
        BuildCache.remove(staging.output)
        reporter.warn(str(cached.dir), f"the build cache could not be saved "
                      f"({exc.strerror or exc}); the next build is a full one")
        return False
    return True


class _Clock:
    """Seconds per build step, for ``--timings`` and the benchmark."""

    def __init__(self) -> None:
        self.last = time.perf_counter()
        self.phases: dict[str, float] = {}

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = self.phases.get(name, 0.0) + now - self.last
        self.last = now


def _timed(fn: Callable[..., object], *args: Any) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def _build_cache(config: Config, dirs: tuple[str, ...], root: str, staging: Staging,
                 reporter: Reporter) -> BuildCache | None:
    """The build cache for this output, or None (``cache = false``, remote sources)."""
    if not config.cache or is_url(root):
        BuildCache.remove(staging.output)
        return None
    cached = BuildCache(staging.output, fingerprint(config, dirs, root))
    try:
        cached.dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reporter.warn(str(cached.dir), f"cannot use this build cache folder "
                      f"({exc.strerror or exc}); building without a cache (set "
                      "SITEGEN_CACHE_DIR, or cache = false)")
        return None
    reporter.cache_status(cached.reason)
    return cached


def _site_info(site: Site, messages: dict[str, str]) -> SiteInfo:
    root = site.nodes[site.root]
    return SiteInfo(title=site.title, language=site.config.language,
                    base_url=site_url(site.config), root_page=root.page, root_json=root.json,
                    logo=branding.logo_path(site.config),
                    site_css=branding.site_css(site.config) is not None,
                    messages=_messages_path(site.config) if messages else None)


def _theme_static(dirs: tuple[str, ...]) -> dict[str, Path]:
    """Output path -> file of every theme static file (a user theme's over the default)."""
    static_files: dict[str, Path] = {}
    for theme in reversed(dirs):
        static = Path(theme) / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    static_files[f"{STATIC_DIR}/{path.relative_to(static).as_posix()}"] = path
    return static_files


def _script_messages(dirs: tuple[str, ...]) -> dict[str, str]:
    """The translated messages of the theme's own scripts (vendored ones have none)."""
    return i18n.script_messages([
        path.read_text("utf-8", errors="replace") for rel, path in _theme_static(dirs).items()
        if rel.endswith(".js") and not rel.startswith(f"{STATIC_DIR}/vendor/")])


def _messages_path(config: Config) -> str:
    return f"{STATIC_DIR}/messages.{config.language}.js"


def _write_nodes(site: Site, env: Any, info: SiteInfo, policy: HrefPolicy,
                 outs: dict[str, dict[int, Output]], reporter: Reporter,
                 lists: dict[str, Stats], spool: Spool) -> list[tuple[str, str]]:
    """Catalog and Collection pages (main process: they are few): those of ``outs``
    (node -> list page number -> output), and the JSON copy with the first page."""
    copies: list[tuple[str, str]] = []
    boxes = node_boxes(site)
    for node in site.nodes.values():
        page_outs = outs.get(node.location)
        if not page_outs:
            continue
        map_data = node_map(site, node, boxes, spool.footprint) if 0 in page_outs else None
        for index, path, html, page_copies in node_pages(
                site, node, env, info, policy, lists.get(node.location), map_data,
                site.config.offline, only=page_outs.keys()):
            page_outs[index].write(path, html)
            page_outs[index].copies = page_copies
            copies += page_copies
            reporter.page(node.kind, path)
        out = page_outs.get(0)
        if out is None:
            continue
        parents = site.parents.get(node.location, ())
        members = {loc: site.json_of(loc) for loc in (*node.children, *node.items)}
        data, json_copies = rewrite_document(
            node.record.source(), node.location,
            DocLinks(json_path=node.json, page_path=node.page, root_json=info.root_json,
                     parent_json=site.nodes[parents[0]].json if parents else None,
                     self_url=info.base_url + node.json if info.base_url else None),
            policy, member_json=members,
        )
        out.write(node.json, data)
        copies += json_copies
        out.copies = out.copies + json_copies
    return copies


def _write_items(site: Site, state: WorkerState, pool: Executor | _LazyPool | None,
                 reporter: Reporter, spool: Spool, crawled: Crawl,
                 cached: BuildCache | None, out: Output) -> list[tuple[str, str]]:
    """Item pages, rendered in batches by the workers, or taken from the previous site
    when the build cache knows the item and everything its page shows is unchanged.
    With a build cache, every item's entry holds its job key."""
    copies: list[tuple[str, str]] = []
    keys: dict[str, bytes] = {}  # of the items being rendered (the rest are entries')
    reporter.progress_start(len(site.items))
    kept = 0  # kept items not yet told to the progress display (told in thousands)

    def to_render() -> Iterator[ItemJob]:
        nonlocal kept
        for job in item_jobs(site):
            if cached is None:
                yield job
                continue
            key = job_key(job, crawled.digests.get(job.location, b""))
            entry = cached.known(job.location)
            if entry is not None and entry.key == key and entry.rendered and \
                    out.keep_files(entry.files):
                # Same key, so same digest, summary and warnings: the entry holds as it is.
                if entry.diagnostics:
                    reporter.add_diagnostics(list(entry.diagnostics))
                reporter.reuse("item", job.page)
                if entry.spool is not None:
                    spool.keep(job.location, entry.spool)
                copies.extend(entry.copies)
                cached.items[job.location] = entry
                kept += 1
                if kept == 1000:
                    reporter.progress_advance(kept)
                    kept = 0
                continue
            keys[job.location] = key
            yield job
        if kept:
            reporter.progress_advance(kept)

    run = _mapper(pool)
    try:
        for results in run(_ItemBatch(state), _chunks(to_render(), BATCH)):
            for result in results:
                item = site.items[result.location]
                # the model's strings rather than the worker's equal copies, the others
                # made compact: kept per item
                loc = item.summary.location
                files = compact_files(_with_model_paths(result.files, item),
                                      (item.page, item.json))
                reporter.add_diagnostics(list(result.diagnostics))
                if result.ok:
                    reporter.page("item", item.page)
                out.settle_files(files)
                if result.chunks is not None:
                    spool.add(loc, result.chunks, result.footprint)
                copies.extend(result.copies)
                if cached is not None:
                    cached.items[loc] = ItemEntry(
                        crawled.digests.get(loc, b""), item.summary,
                        crawled.item_diagnostics.get(loc, ()), keys.pop(loc, None), files,
                        result.ok, result.diagnostics, result.copies, spool.entry(loc))
            reporter.progress_advance(len(results))
    finally:
        reporter.progress_stop()
    return copies


def _with_model_paths(files: tuple[str, ...], item: ItemPage) -> tuple[str, ...]:
    """A worker's list of an item's files with the model's own page and JSON paths."""
    return tuple(item.page if rel == item.page else item.json if rel == item.json else rel
                 for rel in files)


class _Groups:
    """Files made together from the same inputs (the search index; the sitemaps; the
    static files; each node's pages and JSON copy; each node's download lists), kept as
    they are when the build cache says their inputs did not change.

    The inputs are summed up in keys, each with the cache fingerprint: the structure and
    documents of every node and the content digest of every item (search index); every
    page with its date (sitemaps); the site's info and script messages (static files);
    the job keys of the items below a node (its pages); the download entries of the
    items below it (its lists).
    """

    def __init__(self, cached: BuildCache | None, out: Output, site: Site,
                 crawled: Crawl, reporter: Reporter) -> None:
        self.reporter = reporter
        self.cached = cached
        self.out = out
        self.site = site
        self.crawled = crawled
        self.made: dict[str, tuple[bytes, Output]] = {}
        self._nodes = self._nodes_digest() if cached is not None else b""

    def _nodes_digest(self) -> bytes:
        assert self.cached is not None
        h = hashlib.blake2b(self.cached.fingerprint.encode(), digest_size=16)
        for loc, node in self.site.nodes.items():
            record = node.record
            h.update(key_bytes([loc, record.raw, node.page, node.list_pages, node.json,
                                node.children, node.items]))
            if record.packed is not None:
                h.update(record.packed)
        for loc, item in self.site.items.items():
            h.update(f"{loc}\0{item.page}\0{item.json}\0".encode())
        return h.digest()

    def aux_key(self) -> bytes:
        if self.cached is None:
            return b""  # nothing to compare with, nothing to remember
        h = hashlib.blake2b(self._nodes, digest_size=16)
        for loc in self.site.items:
            h.update(self.crawled.digests.get(loc, b""))
        return h.digest()

    def node_key(self, location: str) -> bytes:
        if self.cached is None:
            return b""
        h = hashlib.blake2b(self._nodes + location.encode(), digest_size=16)
        self._hash_job_keys(h, self.site.items_below(location))
        return h.digest()

    def _hash_job_keys(self, h: Any, locations: Iterable[str]) -> None:
        """Add the job keys of some items, as their entries hold them (see
        :func:`_write_items`), to the hash ``h``."""
        assert self.cached is not None
        get = self.cached.items.get
        update = h.update
        for loc in locations:
            entry = get(loc)
            update((entry.key or b"") if entry is not None else b"")

    def page_key(self, location: str, index: int, lists_key: bytes) -> bytes:
        """Key of a node's list page after the first: the nodes, the node's download
        lists (their statistics are in every page's structured data) and the job keys
        of the items it lists."""
        if self.cached is None:
            return b""
        node = self.site.nodes[location]
        h = hashlib.blake2b(self._nodes + location.encode() + lists_key, digest_size=16)
        h.update(str(index).encode())
        _children, items = page_entries(node, index, self.site.config.items_per_page)
        self._hash_job_keys(h, items)
        return h.digest()

    def key_of(self, data: object) -> bytes:
        """Key of a group made from ``data`` (JSON-like) and the fingerprint alone."""
        if self.cached is None:
            return b""
        return hashlib.blake2b(self.cached.fingerprint.encode() + b"\0" + key_bytes(data),
                               digest_size=16).digest()

    def key_of_rows(self, rows: Iterable[object]) -> bytes:
        """:meth:`key_of` of many rows (every page of the site), a chunk at a time: no
        JSON of them all at once."""
        if self.cached is None:
            return b""
        h = hashlib.blake2b(self.cached.fingerprint.encode() + b"\0", digest_size=16)
        for chunk in _chunks(rows, 10_000):
            h.update(key_bytes(chunk))
        return h.digest()

    def lists_key(self, location: str, spool: Spool) -> bytes:
        """Key of a node's download lists: where they are, the node's title and the
        download entries of every item below it, in order."""
        if self.cached is None:
            return b""
        node = self.site.nodes[location]
        h = hashlib.blake2b(digest_size=16)
        h.update(key_bytes([self.cached.fingerprint, location, node.page, node.title]))
        for loc in self.site.items_below(location):
            entry = spool.entry(loc)
            h.update(entry_digest(entry) if entry is not None else b"-")
        return h.digest()

    def to_write(self, name: str, key: bytes) -> Output | None:
        """None when the group's files are kept from the previous site, else the
        output to write them through."""
        if self.cached is not None and self.cached.previous is not None:
            previous = self.cached.previous.groups.get(name)
            if previous is not None and previous[0] == key and self.out.keep_all(previous[1]):
                self.cached.groups[name] = previous
                return None
        group = self.out.group()
        self.made[name] = (key, group)
        self.reporter.made_group(name)
        return group

    def kept_copies(self, name: str) -> list[tuple[str, str]]:
        """The asset copies a kept group's pages link to."""
        assert self.cached is not None
        return list(self.cached.groups[name][2])

    def done(self) -> None:
        """Remember the groups made in this build."""
        if self.cached is None:
            return
        for name, (key, group) in self.made.items():
            self.cached.groups[name] = (key, tuple(sorted(group.files)), tuple(group.copies))


def _write_node_lists(site: Site, info: SiteInfo, spool: Spool, outs: dict[str, Output],
                      shown: Iterable[str], pool: Executor | None = None, root: str = "",
                      ) -> tuple[dict[str, Stats], list[tuple[Output, Future[list[str]]]]]:
    """Bulk download lists of the Catalogs and Collections in ``outs``: all items below
    each. Returns the lists' statistics of those nodes and of the ``shown`` ones (whose
    pages tell them) that have lists, and the lists being written by ``pool`` (files
    below ``root``, the staging folder, in a full build; settle them through their
    output when done)."""
    lists: dict[str, Stats] = {}
    writing: list[tuple[Output, Future[list[str]]]] = []
    for location in dict.fromkeys([*outs, *shown]):
        node = site.nodes[location]
        stats = spool.stats(site.items_below(node.location))
        if not stats.files and not stats.others:
            continue
        lists[location] = stats
        out = outs.get(location)
        if out is None:
            continue
        if pool is not None:
            places = _places_for_worker(spool, site.items_below(node.location), root,
                                        f"{PLACES}-{len(writing)}")
            writing.append((out, pool.submit(write_lists_from, spool.file.name, root,
                                             node.page[:-5], node.title, stats, places,
                                             info.base_url)))
        else:
            places = spool.places(site.items_below(node.location))
            write_lists(out.open, node.page[:-5], node.title, stats, spool.texts(places),
                        info.base_url)
    return lists, writing


#: Places of list texts (see :meth:`Spool.places`) a worker is given in a file, below
#: the staging folder, rather than with the call: at 1,000,000 items the root
#: catalog's are 40 MB, which this process held twice and pickled, and the worker
#: received and unpickled (the build's peak of memory, at that size).
PLACES = ".sitegen-places"
PLACES_IN_FILE = 1 << 20


def _places_for_worker(spool: Spool, locations: Iterable[str], root: str, name: str,
                       ) -> bytes | str:
    """The places of ``locations``' texts; when more than :data:`PLACES_IN_FILE`
    bytes, written (a piece at a time) to the file ``name`` below ``root`` instead, and
    its name given (:func:`write_lists_from` removes it)."""
    pieces = spool.place_pieces(locations, PLACES_IN_FILE)
    first = next(pieces, b"")
    second = next(pieces, None)
    if second is None:
        return first
    with open_output(root, name) as fh:
        for piece in chain((first, second), pieces):
            fh.write(piece)
    return name


def write_lists_from(spool: str, root: str, stem: str, title: str, stats: Stats,
                     places: bytes | str, base_url: str | None) -> list[str]:
    """:func:`write_lists` in a worker: the texts at ``places`` (see
    :meth:`Spool.places`; or the name of a file of them below ``root``, read a piece at
    a time and then removed) read from the spool file ``spool``, the files written
    below ``root``; returns their paths."""
    written: list[str] = []

    def open_file(rel: str) -> BinaryIO:
        written.append(rel)
        return open_output(root, rel)

    with open(spool, "rb") as fh:
        if isinstance(places, bytes):
            texts = Spool(fh).texts(places)
            write_lists(open_file, stem, title, stats, texts, base_url)
            return written
        path = safe_join(root, places)
        spool_file = Spool(fh)
        try:
            with open(path, "rb") as pieces:
                size = PLACES_IN_FILE // PLACE_BYTES * PLACE_BYTES
                texts = chain.from_iterable(
                    spool_file.texts(piece) for piece in iter(lambda: pieces.read(size), b""))
                write_lists(open_file, stem, title, stats, texts, base_url)
        finally:
            with contextlib.suppress(OSError):
                os.remove(path)
    return written


@dataclass(frozen=True)
class _ItemBatch:
    """Picklable ``jobs -> results`` callable bound to the build state."""

    state: WorkerState

    def __call__(self, jobs: list[ItemJob]) -> list[Any]:
        return render_item_batch(self.state, jobs)


def _collections(site: Site) -> list[str]:
    """The collections in crawl order (their positions number the search documents')."""
    return [loc for loc, node in site.nodes.items() if node.kind == "collection"]


def _search_docs(site: Site, policy: HrefPolicy, crawled: Crawl, cached: BuildCache | None,
                 ) -> tuple[list[tuple[str, str]], Iterator[bytes]]:
    """The collections' titles and pages, and every search document, packed: with a
    build cache, the last build's for unchanged items (and remembered for the next
    one)."""
    collections = _collections(site)
    index = {loc: i for i, loc in enumerate(collections)}
    known = cached.previous.docs if cached is not None and cached.previous else None
    docs = packed_docs(site, policy, index, crawled.digests if cached else None, known,
                       cached.docs if cached is not None else None)
    return [(site.nodes[c].title, site.nodes[c].page) for c in collections], docs


def _index_by(pool: Executor, site: Site, policy: HrefPolicy, crawled: Crawl,
              cached: BuildCache | None) -> Future[list[tuple[str, bytes]]]:
    """The search index's files, made by a worker of ``pool`` from the documents made
    here, packed (the last build's as the cache holds them: nothing to pickle again)."""
    titles, docs = _search_docs(site, policy, crawled, cached)
    return pool.submit(index_files, list(docs), titles)


def _write_search(site: Site, env: Any, info: SiteInfo, policy: HrefPolicy,
                  out: Output, crawled: Crawl, cached: BuildCache | None,
                  index: Future[list[tuple[str, bytes]]] | None = None) -> None:
    """The search index below ``search/`` and the search page. With ``index`` (see
    :func:`_index_by`) the index is made by a worker and only written here."""
    if index is None:
        titles, docs = _search_docs(site, policy, crawled, cached)
        write_index(out.write, docs, titles)
    else:
        for path, data in index.result():
            out.write(path, data)
    html = render_page(env.get_template("search.html"),
                       search_context(site, info, _collections(site)))
    out.write("search/index.html", html)


def _write_aux(site: Site, env: Any, info: SiteInfo, policy: HrefPolicy,
               outs: dict[str, Output | None], dirs: tuple[str, ...], config: Config,
               messages: dict[str, str],
               sitemap: Callable[[], Iterator[tuple[str, str | None]]] | None,
               crawled: Crawl, cached: BuildCache | None,
               index: Future[list[tuple[str, bytes]]] | None = None) -> None:
    """Everything that depends on the crawl only: search, sitemaps, static files (those
    of ``outs`` that are not None); the search index's files from ``index`` when given."""
    if outs["search"] is not None:
        _write_search(site, env, info, policy, outs["search"], crawled, cached, index)
        if cached is not None:
            # The documents are saved now and let go: the memory they held serves the
            # rest of the build (at 1,000,000 items, 300 MB of the peak). Should this
            # fail, the final save tries again and reports it.
            with contextlib.suppress(OSError):
                cached.save_docs()
    if outs["sitemaps"] is not None:
        _write_indexes(info, outs["sitemaps"], sitemap)
    if outs["static"] is not None:
        _write_static(dirs, env, info, outs["static"], config, messages)


def _write_indexes(info: SiteInfo, out: Output,
                   sitemap: Callable[[], Iterator[tuple[str, str | None]]] | None,
                   ) -> None:
    """sitemap.xml (or an index and parts) and robots.txt; they need the base URL."""
    if not info.base_url:
        return
    write_sitemaps(out.open, info.base_url, sitemap() if sitemap is not None else ())
    robots = robots_txt(info.base_url)
    if robots:
        out.write("robots.txt", robots)


def _sitemap_pages(site: Site) -> Iterator[tuple[str, str | None]]:
    """Every page with its lastmod: STAC ``updated``, else the item's date (a node's:
    the newest of the items below it)."""
    newest: dict[str, str | None] = {}
    for node in site.nodes.values():
        updated = node.doc.get("updated")
        stamp = updated if isinstance(updated, str) else \
            _newest_below(site, node.location, newest, frozenset())
        for page in node.list_pages:
            yield page, stamp
    if site.config.sitemap_items:
        for item in site.items.values():
            s = item.summary
            yield item.page, s.updated or s.datetime or s.end or s.start


def _newest_below(site: Site, location: str, newest: dict[str, str | None],
                  path: frozenset[str]) -> str | None:
    """The newest ``updated`` or date of the items below a node (as W3C datetime): of
    its own items and its children's, each node's answer kept in ``newest`` (a walk of
    every item below every node was 200,000 items at 100,000)."""
    if location in newest:
        return newest[location]
    node = site.nodes[location]
    items = site.items
    stamps = [s for item in node.items if (s := items[item].summary.lastmod)]
    for child in node.children:
        if child not in path:  # (the crawl leaves no cycle; never follow one here)
            stamp = _newest_below(site, child, newest, path | {location})
            if stamp:
                stamps.append(stamp)
    newest[location] = result = max(stamps) if stamps else None
    return result


def _write_assets(copies: list[tuple[str, str]], out: Output, reporter: Reporter) -> None:
    """Copy the local asset files pages link to, once each, after all pages exist (a
    page or JSON copy of the same name wins)."""
    for source, rel in dict.fromkeys(copies):
        if out.has(rel):
            continue
        if out.previous is not None and _same_file(source, safe_join(out.previous, rel)):
            out.keep(rel)
            continue
        try:
            copy_file(out.root, source, rel)
        except OSError as exc:
            reporter.warn(source, f"asset could not be copied: {exc.strerror or exc}")
            continue
        out.files.add(rel)
        reporter.changed_file(rel)


def _same_file(source: str, published: str) -> bool:
    """True when the site already has ``source`` as it is (the same file linked, or
    the same bytes)."""
    try:
        if os.path.samefile(source, published):
            return True
        return filecmp.cmp(source, published, shallow=False)
    except OSError:
        return False


def _write_static(dirs: tuple[str, ...], env: Any, info: SiteInfo, out: Output,
                  config: Config, messages: dict[str, str]) -> None:
    """Theme static files (default first, user theme over it), the scripts' translated
    ``messages``, map skeletons, 404 page, .nojekyll."""
    for rel, path in _theme_static(dirs).items():
        out.write(rel, path.read_bytes())
    if info.messages:
        out.write(info.messages, "/* Interface messages of the site's scripts. */\n"
                  "window.SITEGEN_MESSAGES = " + script_json(messages) + ";\n")
    logo = branding.logo_path(config)
    if logo is not None and config.logo is not None:
        out.write(logo, Path(config.logo).read_bytes())
    css = branding.site_css(config)
    if css is not None:
        out.write(f"{STATIC_DIR}/{branding.CSS_NAME}", css)
    tiles = None if config.offline or config.tiles.strip().lower() in ("", "none") \
        else config.tiles
    for kind, script in skeleton_scripts(tiles, config.tiles_attribution).items():
        out.write(f"{STATIC_DIR}/maps/{kind}.js", script)
    from sitegen.render import page_context

    title = i18n.gettext("Page not found")
    context = page_context(info, "404.html", title, title, info.root_json, [(title, None)],
                           "error")
    out.write("404.html", render_page(env.get_template("404.html"), context))
    # GitHub Pages runs Jekyll unless told not to, and Jekyll drops "_static/".
    out.write(".nojekyll", "")


def _chunks(iterable: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


class _LazyPool:
    """A process pool started on first use, so small catalogs never pay for one."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def get(self) -> Executor:
        if self._pool is None:
            method = "spawn" if sys.platform == "win32" else "forkserver"
            self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                             mp_context=multiprocessing.get_context(method))
        return self._pool

    def warm(self) -> None:
        """Start the workers now, in the background, and have them import the page
        code (a worker otherwise does that on its first batch)."""
        pool = self.get()
        for _ in range(self.workers):
            pool.submit(warm_up)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    @property
    def started(self) -> Executor | None:
        """The pool, when it was started."""
        return self._pool


def _running(pool: Executor | _LazyPool | None) -> Executor | None:
    """The executor of ``pool`` when it runs already (a caller's always does)."""
    return pool.started if isinstance(pool, _LazyPool) else pool


def _mapper(pool: Executor | _LazyPool | None,
            ) -> Callable[[Callable[[T], R], Iterable[T]], Iterator[R]]:
    """An ordered ``map`` over ``pool`` that keeps only a window of batches in flight.

    A single batch runs in this process: starting workers would cost more.
    """
    if pool is None:
        return map

    def run(fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        iterator = iter(items)
        head = list(islice(iterator, 2))
        if len(head) < 2:
            yield from map(fn, head)
            return
        executor = pool.get() if isinstance(pool, _LazyPool) else pool
        window = 2 * (getattr(executor, "_max_workers", None) or 2) + 2
        pending: deque[Future[R]] = deque()
        for item in chain(head, iterator):
            pending.append(executor.submit(fn, item))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    return run


def make_reader(config: Config, cache_dir: str | None) -> Reader:
    """The document reader with the config's remote limits."""
    return Reader(timeout=config.timeout, cache_dir=cache_dir, retries=config.retries,
                  max_bytes=int(config.max_document_mb * 1_000_000),
                  max_connections=config.max_connections)


def bundled_source() -> str:
    """The bundled sample catalog, built when no SOURCE is given."""
    return str(sample_catalog_dir())


def crawl_only(source: str, config: Config, reporter: Reporter | None = None) -> Crawl:
    """Crawl without building (used by tests and the benchmark to compare counts)."""
    reporter = reporter or Reporter()
    return crawl(source, make_reader(config, None), reporter)
