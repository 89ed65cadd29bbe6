"""The site model: frozen records of every page, built once from the crawl.

Templates see this model (through :mod:`sitegen.render`) and plain dicts, never
pystac objects, and nothing here does I/O. Page paths are settled here for the
whole site at once, so every page links to every other page by the same path.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from sitegen.catalog import Crawl, ItemSummary, NodeRecord
from sitegen.config import Config
from sitegen.layout import Layout, PageAllocator, page_stem


@dataclass(frozen=True, slots=True)
class NodePage:
    """A Catalog or Collection page.

    Attributes:
        location: Source location (the key everywhere in the model).
        kind: "catalog" or "collection".
        id: The STAC id (display only: never used in paths).
        title: Title, or the id when the document has none.
        page: Output path of the first HTML page.
        json: Output path of the JSON copy.
        list_pages: Output paths of the list pages (children, then items, ``items_per_page``
            entries a page); ``list_pages[0] == page``.
        children: Locations of child nodes, in link order.
        items: Locations of items, in link order.
        record: The crawled record (raw and migrated document).
    """

    location: str
    kind: str
    id: str
    title: str
    page: str
    json: str
    list_pages: tuple[str, ...]
    children: tuple[str, ...]
    items: tuple[str, ...]
    record: NodeRecord

    @property
    def doc(self) -> dict[str, Any]:
        """The document migrated to the current STAC version."""
        return self.record.doc


class ItemPage(NamedTuple):
    """An Item page: its summary and where its files go (a named tuple: one is made per
    item in every build)."""

    summary: ItemSummary
    page: str
    json: str

    @property
    def title(self) -> str:
        """Title, or the id when the item has none."""
        return self.summary.title or self.summary.id


@dataclass(frozen=True)
class Site:
    """The whole site.

    Attributes:
        config: Build options.
        layout: Output layout of this root.
        root: Location of the root document.
        title: Site title (config, else the root's title).
        nodes: Catalog and Collection pages by location, in crawl order.
        items: Item pages by location, in crawl order.
        parents: Locations of the nodes that list each document; first is canonical.
    """

    config: Config
    layout: Layout
    root: str
    title: str
    nodes: dict[str, NodePage]
    items: dict[str, ItemPage]
    parents: dict[str, tuple[str, ...]]

    def page_of(self, location: str) -> str:
        """Output page path of any document in the site."""
        node = self.nodes.get(location)
        return node.page if node is not None else self.items[location].page

    def json_of(self, location: str) -> str:
        """Output path of the JSON copy of any document in the site."""
        node = self.nodes.get(location)
        return node.json if node is not None else self.items[location].json

    def title_of(self, location: str) -> str:
        """Display title of any document in the site."""
        node = self.nodes.get(location)
        return node.title if node is not None else self.items[location].title

    def ancestors(self, location: str) -> list[str]:
        """Canonical parent chain, root first, not including ``location``."""
        chain: list[str] = []
        seen = {location}
        current = location
        while True:
            parents = self.parents.get(current, ())
            if not parents or parents[0] in seen:
                break
            current = parents[0]
            seen.add(current)
            chain.append(current)
        chain.reverse()
        return chain

    def items_below(self, location: str) -> Iterator[str]:
        """Every item at or below a node, once each, depth first in link order."""
        seen_nodes: set[str] = set()
        # an item with one parent is in one node's list, and each node is seen once:
        # only those that several nodes list are remembered (a set of every item below
        # the root was 30 MB at a million items, for each walk of them)
        seen_shared: set[str] = set()
        parents = self.parents
        stack = [location]
        while stack:
            current = stack.pop()
            if current in seen_nodes:
                continue
            seen_nodes.add(current)
            node = self.nodes[current]
            for item in node.items:
                if len(parents.get(item, ())) > 1:
                    if item in seen_shared:
                        continue
                    seen_shared.add(item)
                yield item
            stack.extend(reversed(node.children))

    def collection_of(self, item: ItemSummary, collection_link: str | None) -> str | None:
        """Location of an item's Collection page: its ``collection`` link, else a parent."""
        if collection_link is not None:
            node = self.nodes.get(collection_link)
            if node is not None and node.kind == "collection":
                return collection_link
        for parent in self.parents.get(item.location, ()):
            if self.nodes[parent].kind == "collection":
                return parent
        return None


def _title(doc: dict[str, Any], fallback: str) -> str:
    title = doc.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    return fallback


def build_model(crawl: Crawl, config: Config) -> Site:
    """Settle every page path and freeze the crawl into a :class:`Site`."""
    layout = Layout(crawl.root)
    alloc = PageAllocator()
    node_json = {loc: layout.json_path(loc) for loc in crawl.nodes}
    item_json = {loc: layout.json_path(loc) for loc in crawl.items}
    # JSON paths are normalised (no empty segments), so a folder is what precedes the
    # last slash (posixpath.dirname costs several times more, for every item)
    folders = {loc: path.rpartition("/")[0] for json in (node_json, item_json)
               for loc, path in json.items()}
    folder_count = Counter(folders.values())
    pages: dict[str, str] = {}

    # 1. catalog.json / collection.json take their folder's index.html.
    for loc, path in node_json.items():
        if posixpath.basename(path) in ("catalog.json", "collection.json"):
            candidate = f"{folders[loc]}/index.html" if folders[loc] else "index.html"
            if alloc.claim(candidate):
                pages[loc] = candidate
    # 2. Any document alone in its folder takes index.html.
    for loc, folder in folders.items():
        if loc not in pages and folder_count[folder] == 1:
            candidate = f"{folder}/index.html" if folder else "index.html"
            if alloc.claim(candidate):
                pages[loc] = candidate
    # 3. Everything else: NAME.html beside NAME.json, numbered on collision.
    for loc, path in (*node_json.items(), *item_json.items()):
        if loc not in pages:
            pages[loc] = alloc.claim_unique(page_stem(path))
    # 4. Item list pages after the first: index-2.html, index-3.html, ...
    per_page = config.items_per_page
    list_pages: dict[str, tuple[str, ...]] = {}
    for loc, record in crawl.nodes.items():
        count = max(1, -(-(len(record.children) + len(record.items)) // per_page))
        stem = page_stem(pages[loc])
        extra = tuple(alloc.claim_unique(f"{stem}-{n}") for n in range(2, count + 1))
        list_pages[loc] = (pages[loc], *extra)

    nodes = {
        loc: NodePage(
            location=loc,
            kind=record.kind,
            id=str(record.doc.get("id") or posixpath.basename(node_json[loc])),
            title=_title(record.doc, str(record.doc.get("id") or "Untitled")),
            page=pages[loc],
            json=node_json[loc],
            list_pages=list_pages[loc],
            children=tuple(record.children),
            items=tuple(record.items),
            record=record,
        )
        for loc, record in crawl.nodes.items()
    }
    items = {
        loc: ItemPage(summary, pages[loc], item_json[loc])
        for loc, summary in crawl.items.items()
    }
    root_node = nodes[crawl.root]
    return Site(
        config=config,
        layout=layout,
        root=crawl.root,
        title=config.title or root_node.title,
        nodes=nodes,
        items=items,
        parents=crawl.parents,
    )
