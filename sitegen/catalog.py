"""Crawl: walk a static STAC tree once from its root.

Catalogs and Collections are read fully (and migrated to the current STAC version
with pystac, for display). Items are read quickly and reduced to a small
:class:`ItemSummary`; their pages are rendered later by workers that re-read them.
Documents are de-duplicated by resolved location, so a DAG gives one record per
document and every parent keeps its link; cycles never loop.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import sys
import warnings
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, cast

from sitegen.cache import content_digest
from sitegen.errors import SourceError
from sitegen.fields import as_dict, as_list
from sitegen.maps import BBox
from sitegen.reporter import Diagnostic, Reporter
from sitegen.sitemap import w3c_datetime
from sitegen.sources import DocumentError, Reader, is_url, parse_json, resolve_href

Kind = Literal["catalog", "collection", "item", "itemcollection", "unknown"]
FOLLOW_RELS = ("child", "item")
ROOT_NAMES = ("catalog.json", "collection.json")
#: Link relations that structure the tree; other links to STAC documents are "related".
STRUCTURAL_RELS = frozenset(
    {"self", "root", "parent", "child", "item", "collection", "items", "alternate"}
)
ITEM_BATCH = 256
#: A Catalog or Collection with this many item links keeps them packed (see
#: :meth:`NodeRecord.pack_item_links`).
PACK_ITEM_LINKS = 16

#: The warning for a document only Python's own JSON parser could read.
LENIENT = "non-standard JSON (NaN, Infinity or unpaired surrogates) read leniently"


def classify(doc: dict[str, Any]) -> Kind:
    """Tell what a STAC dict is, including pre-1.0 documents without ``type``."""
    kind = doc.get("type")
    if kind == "Feature":
        return "item"
    if kind == "Collection":
        return "collection"
    if kind == "Catalog":
        return "catalog"
    if kind == "FeatureCollection":
        return "itemcollection"
    # STAC before 1.0.0-beta.1 had no "type" on catalogs and collections.
    if "extent" in doc or "license" in doc:
        return "collection"
    if "links" in doc and "description" in doc:
        return "catalog"
    return "unknown"


def migrate(doc: dict[str, Any]) -> dict[str, Any]:
    """Return ``doc`` migrated to the current STAC version by pystac, for display.

    Documents that pystac cannot identify or migrate are returned unchanged: showing
    the fields as they are beats failing the page.
    """
    version = str(doc.get("stac_version", ""))
    if version.startswith("1.") and "-" not in version:
        return doc
    from pystac.serialization import identify_stac_object, migrate_to_latest

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            info = identify_stac_object(doc)
            migrated: dict[str, Any] = migrate_to_latest(doc, info)
    except Exception:  # noqa: BLE001 - pystac raises many types on odd input
        return doc
    return migrated


@dataclass(slots=True)
class NodeRecord:
    """A Catalog or Collection as crawled.

    Attributes:
        location: Where it was read from.
        kind: "catalog" or "collection".
        raw: The document as read, but for its item links once they are packed (see
            :meth:`pack_item_links`); :meth:`source` gives it whole.
        doc: The document migrated to the current STAC version (for display), without
            its item links once they are packed (no page shows them).
        children: Locations of child catalogs/collections, in link order.
        items: Locations of items, in link order.
        external: ``(rel, title, url)`` of child/item links not followed.
        packed: The document's ``links`` as read (all of them, in order), pickled and
            compressed, when its item links were taken out of ``raw`` and ``doc``.
    """

    location: str
    kind: str
    raw: dict[str, Any]
    doc: dict[str, Any]
    children: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    external: list[tuple[str, str, str]] = field(default_factory=list)
    packed: bytes | None = None

    def source(self) -> dict[str, Any]:
        """The document as read, every link included (for its copy in the site)."""
        if self.packed is None:
            return self.raw
        return {**self.raw, "links": pickle.loads(zlib.decompress(self.packed))}

    def pack_item_links(self) -> None:
        """Keep the item links only packed, once the crawl has followed them.

        A collection may link 10,000 items: as dicts, about 450 bytes an item for the
        whole build; pickled and compressed, about 9 (the copy in the site needs them
        once, the pages never). Documents with fewer than :data:`PACK_ITEM_LINKS` item
        links are kept as they are.
        """
        links = self.raw.get("links")
        if self.packed is not None or not isinstance(links, list):
            return
        kept = _without_item_links(links)
        if len(links) - len(kept) < PACK_ITEM_LINKS:
            return
        self.packed = zlib.compress(_pickled(links), 1)
        migrated = self.doc is not self.raw
        self.raw = {**self.raw, "links": kept}
        if not migrated:
            self.doc = self.raw
        elif isinstance(doc_links := self.doc.get("links"), list):
            self.doc = {**self.doc, "links": _without_item_links(doc_links)}


def _without_item_links(links: list[Any]) -> list[Any]:
    """``links`` but the ``item`` ones, in order."""
    return [link for link in links
            if not (isinstance(link, dict) and link.get("rel") == "item")]


def _pickled(value: Any) -> bytes:
    """``value`` pickled without the memo: the same bytes for equal values, whichever
    of their strings happen to be one object (a digest of the site is made of them)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # (JSON has no cycles, which fast mode cannot pickle)
    pickler.dump(value)
    return buffer.getvalue()


class ItemSummary(NamedTuple):
    """The few fields of an Item that lists, navigation and indexes need.

    Kept small on purpose: a million of these must fit in memory. A named tuple: it is
    made, pickled and unpickled once per item (the build cache keeps them all).
    """

    location: str
    read_path: str
    id: str
    title: str | None
    datetime: str | None
    start: str | None
    end: str | None
    #: the bbox's four numbers packed (see :attr:`bbox`): 65 bytes, a tuple of four
    #: floats is 170
    packed_bbox: bytes | None
    thumbnail: str | None
    collection: str | None = None
    related: tuple[tuple[str, str, str], ...] = ()
    updated: str | None = None
    terms: tuple[str, ...] = ()
    #: ``updated``, else the item's date, as W3C datetime (sitemaps), computed once
    lastmod: str | None = None

    @property
    def bbox(self) -> BBox | None:
        """``(west, south, east, north)`` (see :func:`valid_bbox`), or None."""
        packed = self.packed_bbox
        return None if packed is None else cast(BBox, _BBOX.unpack(packed))


_BBOX = struct.Struct("<4d")


def pack_bbox(bbox: BBox | None) -> bytes | None:
    """A bbox as an :class:`ItemSummary` keeps it."""
    return None if bbox is None else _BBOX.pack(*bbox)


@dataclass
class Crawl:
    """Everything the crawl found.

    Attributes:
        root: Location of the root document.
        nodes: Catalogs and Collections by location, in crawl (breadth-first) order.
        items: Item summaries by location, in crawl order.
        parents: For every node and item, the locations of the nodes that link to it;
            the first one is the canonical parent (used for breadcrumbs).
        digests: Content digest of every item file (for the build cache).
        item_diagnostics: Warnings found while reading each item that has any (replayed
            when the item's summary comes from the build cache).
    """

    root: str
    nodes: dict[str, NodeRecord]
    items: dict[str, ItemSummary]
    parents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    digests: dict[str, bytes] = field(default_factory=dict)
    item_diagnostics: dict[str, tuple[Diagnostic, ...]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Documents per type, as ``crawl_check.py`` counts them."""
        catalogs = sum(1 for n in self.nodes.values() if n.kind == "catalog")
        return {
            "catalog": catalogs,
            "collection": len(self.nodes) - catalogs,
            "item": len(self.items),
        }


#: ``(location, outcome, warnings, content digest)``; the outcome is a summary, a
#: Catalog/Collection document, an error message, or None for "as known before".
SummaryResult = tuple[str, "ItemSummary | dict[str, Any] | str | None", list[Diagnostic],
                      bytes]
#: The previous build's record of an item, if any: a tuple whose first fields are its
#: content digest, summary and warnings (the build cache's entry as it is).
Known = Callable[[str], "tuple[Any, ...] | None"]


def find_root(source: str) -> str:
    """Turn a SOURCE argument into the location of a root document.

    Raises:
        SourceError: No catalog.json/collection.json in a folder, or the path is missing.
    """
    if is_url(source):
        return resolve_href(source, source)[1]
    path = os.path.abspath(source)
    if os.path.isdir(path):
        for name in ROOT_NAMES:
            candidate = os.path.join(path, name)
            if os.path.isfile(candidate):
                return candidate
        raise SourceError(f"no catalog.json or collection.json in folder {source}")
    if not os.path.exists(path):
        raise SourceError(f"source not found: {source}")
    return path


def crawl(
    source: str,
    reader: Reader,
    reporter: Reporter,
    map_items: Callable[[Callable[[list[tuple[str, bytes | None]]], list[SummaryResult]],
                         Iterable[list[tuple[str, bytes | None]]]],
                        Iterator[list[SummaryResult]]] = map,
    known: Known | None = None,
) -> Crawl:
    """Walk the tree from ``source`` following ``child`` and ``item`` links.

    Args:
        source: A root file, a folder holding one, or an http(s) URL.
        reader: Reads documents (and caches remote ones for workers).
        reporter: Receives one warning per broken link or unreadable document.
        map_items: ``map``-like function used to summarise batches of items; the
            build passes an executor's ``map`` so items are read on all cores.
        known: What the previous build knew of an item (the build cache): an item whose
            bytes have the same digest is not parsed again.

    Raises:
        SourceError: The root is missing, unreadable, or not a Catalog/Collection.
    """
    root = find_root(source)
    try:
        raw, lenient = reader.read_json(root)
    except DocumentError as exc:
        raise SourceError(f"cannot read root {root}: {exc}") from None
    if not isinstance(raw, dict) or classify(raw) not in ("catalog", "collection"):
        raise SourceError(f"root {root} is not a STAC Catalog or Collection")
    if lenient:
        reporter.warn(root, LENIENT)

    result = Crawl(root=root, nodes={}, items={})
    parents: dict[str, list[str]] = {root: []}  # tuples in ``result`` once complete
    remote_root = is_url(root)
    queue: deque[tuple[str, dict[str, Any]]] = deque([(root, raw)])
    pending: list[str] = []
    pending_href: dict[str, object] = {}  # the href as written, for warnings

    def link_to(parent: str, target: str) -> bool:
        """Record the relation; True when ``target`` is new."""
        known = target in parents
        if known:
            if parent not in parents[target] and target != root:
                parents[target].append(parent)
        else:
            parents[target] = [parent]
        return not known

    # Item files are read (and parsed when new or changed) by the workers while the
    # crawl goes on through the catalogs and collections: a batch is handed over as
    # soon as their links have filled it. Results come back in link order.
    previous: dict[str, tuple[bytes, Any, Any] | None] = {}  # what the cache knew

    def tag(locations: list[str]) -> list[tuple[str, bytes | None]]:
        if known is not None:
            for loc in locations:
                previous[loc] = known(loc)
        return [(loc, entry[0] if (entry := previous.get(loc)) else None)
                for loc in locations]

    def batches() -> Iterator[list[tuple[str, bytes | None]]]:
        """Crawl the queued catalogs and collections, yielding their items in batches."""
        sent = 0
        while queue:
            location, doc = queue.popleft()
            node = _make_node(location, doc)
            result.nodes[location] = node
            links = list(_follow_links(doc))
            if remote_root:
                reader.prefetch(target for rel, href, _ in links if rel != "item"
                                for kind, target in [resolve_href(href, location)]
                                if kind == "remote" and target not in parents)
            for rel, href, title in links:
                kind, target = resolve_href(href, location)
                if kind == "invalid":
                    reporter.warn(location, f"{rel} link has an unusable href", href)
                    continue
                if kind == "other":
                    reporter.warn(location, f"{rel} link is not a file or http(s) URL; "
                                  "shown as text", href)
                if kind == "other" or (kind == "remote" and not remote_root):
                    node.external.append((rel, title or target, target))
                    continue
                if target == location:
                    reporter.warn(location, f"{rel} link points at the document itself", href)
                    continue
                # (a target not linked before is no ancestor: most item links)
                if target == root or (target in parents and
                                      _is_ancestor(parents, target, location)):
                    reporter.warn(location, f"{rel} link makes a cycle (target is an ancestor)",
                                  href)
                    continue
                is_new = link_to(location, target)
                (node.items if rel == "item" else node.children).append(target)
                if not is_new:
                    continue
                if rel == "item":
                    pending.append(target)
                    pending_href[target] = href
                    continue
                child = _read_document(reader, reporter, location, target, href)
                if child is None:
                    continue
                child_kind = classify(child)
                if child_kind in ("catalog", "collection"):
                    queue.append((target, child))
                elif child_kind == "item":
                    node.children.remove(target)
                    node.items.append(target)
                    pending.append(target)
                    pending_href[target] = href
                else:
                    reporter.warn(location, f"child link target is not a STAC Catalog or "
                                  f"Collection ({child_kind})", href)
            node.pack_item_links()
            while len(pending) - sent >= ITEM_BATCH:
                yield tag(pending[sent:sent + ITEM_BATCH])
                sent += ITEM_BATCH
        if sent < len(pending):
            yield tag(pending[sent:])

    summarise = _Summariser(reader)
    terms: dict[tuple[str, ...], tuple[str, ...]] = {}  # one of each (see _sharing)
    while queue or pending:
        later: list[tuple[str, dict[str, Any]]] = []  # item links to catalogs
        got = 0  # results come back in the order of ``pending``
        for results in map_items(summarise, _prefetched(reader, batches())):
            for location, outcome, diags, digest in results:
                own = pending[got] if got < len(pending) else location
                got += 1
                fresh = outcome is not None
                if outcome is None:
                    entry = previous[location]
                    assert entry is not None
                    outcome, diags = entry[1], list(entry[2])
                reporter.add_diagnostics(diags)
                if isinstance(outcome, ItemSummary):
                    if own == location:
                        location = own
                        if fresh:  # (the cache's summary is its entry's: kept as it is)
                            outcome = _sharing(outcome, own, result.nodes, terms)
                    result.items[location] = outcome
                    result.digests[location] = digest
                    if diags:  # most have none: no entry (read with .get)
                        result.item_diagnostics[location] = tuple(diags)
                elif isinstance(outcome, dict):
                    # Linked as an item but is a Catalog/Collection: crawl it as one.
                    parent = parents[location][0]
                    reporter.warn(parent, f"item link target {location} is a "
                                  f"{classify(outcome)}; shown as a child",
                                  pending_href.get(location, location))
                    later.append((location, outcome))
                else:
                    parent = parents[location][0]
                    reporter.warn(parent, f"broken item link: {location} {outcome}",
                                  pending_href.get(location, location))
        queue.extend(later)
        pending.clear()
        pending_href.clear()
    _prune(result, parents)
    return result


def _prefetched(reader: Reader, batches: Iterable[list[tuple[str, bytes | None]]],
                ) -> Iterator[list[tuple[str, bytes | None]]]:
    """Yield the batches, fetching the remote documents of each (several at a time) first."""
    for batch in batches:
        reader.prefetch(loc for loc, _ in batch)
        yield batch


def _sharing(summary: ItemSummary, location: str, nodes: dict[str, NodeRecord],
             terms: dict[tuple[str, ...], tuple[str, ...]]) -> ItemSummary:
    """``summary`` holding the crawl's own strings for its location and collection, and
    the first equal tuple of search terms seen (``terms``: each tuple as itself).

    A summary comes from a worker (or the build cache) with equal copies of them; a
    million summaries kept for the whole build make the copies count (300 bytes each,
    and about 240 for the terms: the platform, constellation and instruments most
    items of a collection share).
    """
    node = nodes.get(summary.collection) if summary.collection is not None else None
    return summary._replace(
        location=location,
        read_path=location if summary.read_path == location else summary.read_path,
        collection=node.location if node is not None else summary.collection,
        terms=terms.setdefault(summary.terms, summary.terms))


def _is_ancestor(parents: dict[str, list[str]], target: str, location: str) -> bool:
    """True when ``target`` is on the canonical parent chain of ``location``."""
    seen: set[str] = set()
    current = location
    while current in parents and parents[current] and current not in seen:
        seen.add(current)
        current = parents[current][0]
        if current == target:
            return True
    return False


def _prune(result: Crawl, parents: dict[str, list[str]]) -> None:
    """Drop links to documents that could not be read, keeping order and parents; the
    parents become tuples (the model keeps them as they are)."""
    known = result.nodes.keys() | result.items.keys()
    for node in result.nodes.values():
        # A child link may name an item that was first reached as an item elsewhere.
        items = [*node.items, *(c for c in node.children if c in result.items)]
        node.children = [c for c in dict.fromkeys(node.children) if c in result.nodes]
        node.items = [i for i in dict.fromkeys(items) if i in result.items]
    nodes = result.nodes
    # equal tuples are one (most documents share their parents with their siblings:
    # 48 bytes an item otherwise)
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    result.parents = {
        location: shared.setdefault(kept, kept)
        for location, linked in parents.items() if location in known
        # most have one parent, a node that was read
        for kept in ((linked[0],) if len(linked) == 1 and linked[0] in nodes
                     else tuple(p for p in linked if p in nodes),)}


def _follow_links(doc: dict[str, Any]) -> Iterator[tuple[str, object, str | None]]:
    links = doc.get("links")
    if not isinstance(links, list):
        return
    for link in links:
        if isinstance(link, dict) and link.get("rel") in FOLLOW_RELS:
            title = link.get("title")
            yield str(link["rel"]), link.get("href"), title if isinstance(title, str) else None


def _make_node(location: str, raw: dict[str, Any]) -> NodeRecord:
    kind = classify(raw)
    links = raw.get("links")
    if isinstance(links, list):
        # A collection may link 10,000 items, each link with its own copy of "item"
        # and "application/geo+json": kept for the whole build, so shared instead.
        for link in links:
            if isinstance(link, dict):
                for key in ("rel", "type"):
                    value = link.get(key)
                    if type(value) is str:
                        link[key] = sys.intern(value)
    return NodeRecord(location=location, kind=kind, raw=raw, doc=migrate(raw))


def _read_document(
    reader: Reader, reporter: Reporter, parent: str, target: str, href: object
) -> dict[str, Any] | None:
    try:
        doc, lenient = reader.read_json(target)
    except DocumentError as exc:
        reporter.warn(parent, f"broken link: {target}: {exc}", href)
        return None
    if not isinstance(doc, dict):
        reporter.warn(parent, f"linked document {target} is not a JSON object", href)
        return None
    if lenient:
        reporter.warn(target, LENIENT)
    return doc


@dataclass(frozen=True)
class _Summariser:
    """Picklable callable that summarises a batch of item locations."""

    reader: Reader

    def __call__(self, batch: list[tuple[str, bytes | None]]) -> list[SummaryResult]:
        return [self.one(location, known) for location, known in batch]

    def one(self, location: str, known: bytes | None = None) -> SummaryResult:
        diags: list[Diagnostic] = []
        try:
            data = self.reader.read_bytes(location)
        except DocumentError as exc:
            return location, f"cannot be read: {exc}", diags, b""
        digest = content_digest(data)
        if digest == known:
            return location, None, diags, digest
        try:
            doc, lenient = parse_json(data, location)
        except DocumentError as exc:
            return location, f"cannot be read: {exc}", diags, digest
        if not isinstance(doc, dict):
            return location, "is not a JSON object", diags, digest
        if lenient:
            diags.append(Diagnostic(location, LENIENT))
        kind = classify(doc)
        if kind in ("catalog", "collection"):
            return location, doc, diags, digest
        if kind != "item":
            return location, f"is not a STAC Item ({kind})", diags, digest
        return (location, summarise_item(doc, location, self.reader.local_path(location)),
                diags, digest)


def summarise_item(doc: dict[str, Any], location: str, read_path: str) -> ItemSummary:
    """Reduce an Item dict to an :class:`ItemSummary`."""
    props = doc.get("properties")
    props = props if isinstance(props, dict) else {}
    stem = os.path.splitext(os.path.basename(location.rstrip("/")))[0]
    item_id = doc.get("id")
    title = props.get("title")
    dt, start = _str_or_none(props.get("datetime")), _str_or_none(props.get("start_datetime"))
    end, updated = _str_or_none(props.get("end_datetime")), _str_or_none(props.get("updated"))
    stamp = updated or dt or end or start
    lastmod = w3c_datetime(stamp)
    return ItemSummary(
        location=location,
        read_path=read_path,
        id=item_id if isinstance(item_id, str) and item_id else stem,
        title=title if isinstance(title, str) and title.strip() else None,
        datetime=dt,
        start=start,
        end=end,
        packed_bbox=pack_bbox(valid_bbox(doc.get("bbox"))),
        thumbnail=find_thumbnail(doc, location),
        collection=_collection_link(doc, location),
        related=_related_links(doc, location),
        updated=updated,
        terms=_search_terms(props),
        # the date itself when it is W3C already: one string kept, not two equal ones
        lastmod=stamp if lastmod == stamp else lastmod,
    )


def _search_terms(props: dict[str, Any]) -> tuple[str, ...]:
    """Keywords, platform, constellation and instruments, for the search index.

    Interned: they repeat across items, so a million summaries share the strings.
    """
    out: list[str] = []
    for key in ("keywords", "platform", "constellation", "instruments"):
        value = props.get(key)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str) and v and len(v) < 100:
                text = sys.intern(v)
                if text not in out:
                    out.append(text)
    return tuple(out[:20])


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def valid_bbox(value: object) -> tuple[float, float, float, float] | None:
    """Return ``(west, south, east, north)`` of a 4- or 6-number STAC bbox, or None."""
    if type(value) is list and len(value) == 4:
        # the usual four floats (every item is checked several times): compared
        # directly, the same conditions as below
        west, south, east, north = value
        if type(west) is float and type(south) is float and type(east) is float and \
                type(north) is float and -360.0 <= west <= 360.0 and \
                -360.0 <= east <= 360.0 and -90.0 <= south <= north <= 90.0:
            return west, south, east, north
    return _valid_bbox(value)


def _valid_bbox(value: object) -> tuple[float, float, float, float] | None:
    """:func:`valid_bbox` the general way."""
    if not isinstance(value, list | tuple) or len(value) not in (4, 6):
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value):
        return None
    nums = [float(v) for v in value]
    if len(nums) == 6:
        nums = [nums[0], nums[1], nums[3], nums[4]]
    west, south, east, north = nums
    if not all(abs(v) <= 360 for v in nums) or south > north or max(abs(south),
                                                                   abs(north)) > 90:
        return None
    return west, south, east, north


def extent_boxes(doc: dict[str, Any]) -> list[tuple[float, float, float, float]]:
    """The valid boxes of a Collection's spatial extent (the first is the overall one)."""
    spatial = as_dict(as_dict(doc.get("extent")).get("spatial"))
    boxes = as_list(spatial.get("bbox"))
    if boxes and not isinstance(boxes[0], list):
        boxes = [boxes]  # STAC 0.8 wrote a single bbox
    return [b for b in (valid_bbox(x) for x in boxes) if b is not None]


def extent_intervals(doc: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    """``(start, end)`` of each interval of a Collection's temporal extent (None: open)."""
    temporal = as_dict(as_dict(doc.get("extent")).get("temporal"))
    intervals = as_list(temporal.get("interval"))
    if intervals and not isinstance(intervals[0], list):
        intervals = [intervals]  # a single interval without the outer list
    return [(_str_or_none(i[0]), _str_or_none(i[1])) for i in intervals
            if isinstance(i, list) and len(i) == 2]



def find_thumbnail(doc: dict[str, Any], location: str) -> str | None:
    """Location of the document's thumbnail asset (role ``thumbnail`` or key), or None."""
    assets = doc.get("assets")
    if not isinstance(assets, dict):
        return None
    chosen = None
    for key, asset in assets.items():
        if not isinstance(asset, dict):
            continue
        roles = asset.get("roles")
        if (isinstance(roles, list) and "thumbnail" in roles) or key == "thumbnail":
            chosen = asset
            break
    if chosen is None:
        return None
    kind, target = resolve_href(chosen.get("href"), location)
    return target if kind in ("local", "remote") else None


def _collection_link(doc: dict[str, Any], location: str) -> str | None:
    links = doc.get("links")
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("rel") == "collection":
            kind, target = resolve_href(link.get("href"), location)
            if kind in ("local", "remote"):
                return target
    return None


def _related_links(doc: dict[str, Any], location: str) -> tuple[tuple[str, str, str], ...]:
    links = doc.get("links")
    if not isinstance(links, list):
        return ()
    out = []
    for link in links:
        if not isinstance(link, dict):
            continue
        rel = link.get("rel")
        if not isinstance(rel, str) or rel in STRUCTURAL_RELS:
            continue
        kind, target = resolve_href(link.get("href"), location)
        if kind == "local" and target.endswith((".json", ".geojson")):
            title = link.get("title")
            out.append((rel, title if isinstance(title, str) else "", target))
    return tuple(out)
