"""The prebuilt client-side search index (DESIGN section 5).

Everything is a classic ``<script>`` file (browsers refuse ``fetch()`` under
``file://``): each file calls ``sitegenSearch.add(kind, key, data)``.

- ``search/manifest.js``: collections, the time buckets (one per month) with their
  counts, time range, bbox, per-collection counts and document-number range, and the
  list of term chunks. Small even for a million items.
- ``search/b/BUCKET.js``: a bucket's shards with the same statistics.
- ``search/s/N.js``: a shard of 64 result rows, items of one month ordered along a
  Hilbert curve, so a shard covers a compact area.
- ``search/t/PREFIX.js``: terms starting with PREFIX and their documents, newest first.

A query loads the manifest, then only the buckets and shards whose statistics match,
newest first, until a page of results is full.
"""

from __future__ import annotations

import hashlib
import math
import operator
import pickle
import re
import struct
import unicodedata
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from itertools import accumulate
from typing import Any, NamedTuple

import orjson

from sitegen.catalog import extent_intervals
from sitegen.fields import as_list, parse_timestamp
from sitegen.links import HrefPolicy
from sitegen.markdown import plain_text
from sitegen.model import Site
from sitegen.pages import node_boxes
from sitegen.render import thumbnail_url

#: Rows per shard. Small on purpose: a text query loads one shard per result on its page,
#: and 64 rows (about 12 kB) keep a page of 20 scattered results within 300 kB; the
#: per-shard statistics live in the bucket files, not in the manifest.
SHARD_ROWS = 64
#: A term chunk is split by a longer prefix while larger than this many bytes.
CHUNK_BYTES = 40_000
#: Documents kept per term (newest first); a term in more documents is marked as capped.
MAX_POSTINGS = 5000
_SPLIT = re.compile(r"[^0-9a-z]+")
_WHOLE_ID = re.compile(r"^[0-9a-z][0-9a-z_.-]{0,59}$")
_DAY = 86400


def normalize(text: str) -> str:
    """Lower case, accents removed (``Zürich`` -> ``zurich``)."""
    if text.isascii():  # most ids and titles: nothing to fold (a third of the index time)
        return text.lower()
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))


def terms_of(*texts: str) -> set[str]:
    """Search terms of some texts: words and parts of ids (``S2A_MSIL2A`` -> ``s2a``...)."""
    out: set[str] = set()
    for text in texts:
        norm = normalize(text)
        for word in _SPLIT.split(norm):
            if word:
                out.add(word[:40])
        compact = norm.strip()
        if _WHOLE_ID.match(compact):
            out.add(compact)  # the whole id, for exact id queries
    return out


@lru_cache(maxsize=4096)
def _shared_terms(texts: tuple[str, ...]) -> frozenset[str]:
    """Terms of an item's keywords, platform and instruments: the same few tuples repeat
    across the items of a collection."""
    return frozenset(terms_of(*texts))


def day_number(value: str | None) -> int | None:
    """Days since 1970-01-01 (UTC) of an ISO timestamp, or None."""
    parsed = parse_timestamp(value)
    return None if parsed is None else math.floor(parsed.timestamp() / _DAY)


def hilbert(x: float, y: float, order: int = 16) -> int:
    """Position of (x, y) in [0, 1)^2 along a Hilbert curve: nearby points, nearby numbers."""
    n = 1 << order
    xi, yi = int(min(max(x, 0.0), 0.999999) * n), int(min(max(y, 0.0), 0.999999) * n)
    d = 0
    s = n >> 1
    while s:
        rx = 1 if xi & s else 0
        ry = 1 if yi & s else 0
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                xi, yi = n - 1 - xi, n - 1 - yi
            xi, yi = yi, xi
        s >>= 1
    return d


class Doc(NamedTuple):
    """One searchable document (an item, a collection or a catalog); a named tuple, as
    there is one per item. Make one with :meth:`make`, which also computes its place in
    its month (``order``) and its rounded box, once: a rebuild reuses the documents of
    unchanged items."""

    title: str
    id: str
    url: str
    start: int | None
    end: int | None
    bbox: tuple[float, float, float, float] | None
    thumb: str | None
    collection: int
    kind: str
    terms: str  # space-separated: one string, not a set of them (a rebuild keeps them all)
    order: int  # catalogs and collections, then items along the Hilbert curve, then no box
    box: tuple[float, ...] | None  # bbox rounded to 4 decimals, as the index has it

    @classmethod
    def make(cls, title: str, id: str, url: str, start: int | None, end: int | None,
             bbox: tuple[float, float, float, float] | None, thumb: str | None,
             collection: int, kind: str, terms: Iterable[str]) -> Doc:
        return cls(title, id, url, start, end, bbox, thumb, collection, kind,
                   " ".join(sorted(terms)), _order(kind, bbox), _round_box(bbox))


def _round_box(bbox: tuple[float, float, float, float] | None) -> tuple[float, ...] | None:
    """The box rounded to 4 decimals: ``bbox`` itself when that changes nothing (a
    document is kept per item, and most boxes have no more decimals)."""
    if not bbox:
        return None
    rounded = tuple(round(v, 4) for v in bbox)
    return bbox if rounded == bbox else rounded


def _order(kind: str, bbox: tuple[float, float, float, float] | None) -> int:
    """Sort key of a document in its month: items after catalogs and collections, along
    a Hilbert curve, those without a box last (one integer, so sorting is quick)."""
    rank = 0 if kind == "item" else 1 << 34
    if bbox is None:
        return rank + (1 << 33)
    w, s, e, n = bbox
    if w > e:
        e += 360
    x = (((w + e) / 2 + 180) % 360) / 360
    y = ((s + n) / 2 + 90) / 180
    return rank + hilbert(x, y)


def _union(boxes: Iterable[tuple[float, ...] | None]) -> list[float] | None:
    present = [b for b in boxes if b is not None]
    if not present:
        return None
    west, east = [b[0] for b in present], [b[2] for b in present]
    if any(map(operator.gt, west, east)):
        # across the antimeridian: that box goes round the world
        crossing = [b[0] > b[2] for b in present]
        west = [-180.0 if c else w for c, w in zip(crossing, west, strict=True)]
        east = [180.0 if c else e for c, e in zip(crossing, east, strict=True)]
    return [min(west), min(b[1] for b in present), max(east), max(b[3] for b in present)]


@lru_cache(maxsize=65536)
def _bucket_key(day: int | None) -> str:
    if day is None:
        return "undated"
    return datetime.fromtimestamp(day * _DAY, tz=UTC).strftime("%Y-%m")


def _js(kind: str, key: str, data: Any) -> bytes:
    return (b"sitegenSearch.add(" + orjson.dumps(kind) + b"," + orjson.dumps(key) + b","
            + orjson.dumps(data) + b");\n")


def write_index(write: Callable[[str, bytes], object], rows: Iterable[bytes],
                collections: list[tuple[str, str]]) -> dict[str, int]:
    """Write the whole index below ``search/`` from packed documents (see
    :func:`pack_doc`); returns file sizes for reporting.

    ``rows`` may be a generator. They are grouped by month as they are (a reference
    each: the build cache holds them anyway) and unpacked a shard at a time, so what the
    index holds at once is its terms, not every document (850 bytes an item unpacked).
    """
    buckets: dict[str, list[bytes]] = defaultdict(list)
    for row in rows:
        buckets[_month(row)].append(row)
    # newest month first; undated last
    order = sorted((k for k in buckets if k != "undated"), reverse=True)
    if "undated" in buckets:
        order.append("undated")
    sizes: dict[str, int] = {}
    postings = _Postings()
    manifest_buckets = []
    docno = 0
    shard_no = 0
    for key in order:
        month = buckets.pop(key)
        month.sort(key=_SORT_KEY)
        shard_stats = []
        whole = _Stats(docno)
        for at in range(0, len(month), SHARD_ROWS):
            chunk = list(map(unpack_doc, month[at:at + SHARD_ROWS]))
            stats = _Stats(docno)
            data = []
            for title, doc_id, url, start_day, end_day, _bbox, thumb, collection, kind, \
                    terms, _rank, box in chunk:
                data.append([docno, title, doc_id, url, start_day, end_day, box, thumb,
                             collection, kind])
                if terms:
                    postings.add(terms.split(" "), docno)
                docno += 1
            payload = _js("shard", str(shard_no), data)
            write(f"search/s/{shard_no}.js", payload)
            sizes["shards"] = sizes.get("shards", 0) + len(payload)
            stats.add(chunk)
            whole.merge(stats)
            shard_stats.append(stats.as_json(shard_no))
            shard_no += 1
        del month
        payload = _js("bucket", key, shard_stats)
        write(f"search/b/{key}.js", payload)
        sizes["buckets"] = sizes.get("buckets", 0) + len(payload)
        summary = whole.as_json()
        summary["k"] = key
        # shards are cut every SHARD_ROWS rows, so a document's shard is arithmetic
        summary["s0"] = shard_no - len(shard_stats)
        manifest_buckets.append(summary)
    chunks = _write_terms(write, postings, sizes)
    manifest = {"version": 1, "docs": docno, "rows": SHARD_ROWS,
                "collections": [[t, u] for t, u in collections],
                "buckets": manifest_buckets, "chunks": chunks, "cap": MAX_POSTINGS}
    payload = _js("manifest", "", manifest)
    write("search/manifest.js", payload)
    sizes["manifest"] = len(payload)
    return sizes


def index_files(rows: list[bytes], collections: list[tuple[str, str]],
                ) -> list[tuple[str, bytes]]:
    """:func:`write_index`, returning the files (for a worker process: see the build's
    rebuilds)."""
    files: list[tuple[str, bytes]] = []
    write_index(lambda path, data: files.append((path, data)), rows, collections)
    return files


class _Stats:
    """Statistics of some rows: a shard's, and a month's gathered from its shards'."""

    __slots__ = ("first", "n", "start", "end", "box", "counts", "no_box")

    def __init__(self, first: int) -> None:
        self.first = first  # the first row's document number
        self.n = 0
        self.start: int | None = None  # earliest start
        self.end: int | None = None  # latest end (a row's start when it has no end)
        self.box: tuple[float, ...] | None = None
        self.counts: Counter[int] = Counter()  # rows by collection
        self.no_box = 0

    def add(self, rows: list[Doc]) -> None:
        starts = [d.start for d in rows if d.start is not None]
        ends = [e for d in rows if (e := d.end if d.end is not None else d.start) is not None]
        boxes = [d.box for d in rows]
        self._fold(len(rows), min(starts, default=None), max(ends, default=None),
                   _union(boxes), Counter(d.collection for d in rows), boxes.count(None))

    def merge(self, other: _Stats) -> None:
        self._fold(other.n, other.start, other.end, other.box, other.counts, other.no_box)

    def _fold(self, n: int, start: int | None, end: int | None,
              box: Iterable[float] | None, counts: Counter[int], no_box: int) -> None:
        self.n += n
        if start is not None:
            self.start = start if self.start is None else min(self.start, start)
        if end is not None:
            self.end = end if self.end is None else max(self.end, end)
        # a union never crosses the antimeridian, so the union of unions is the union
        union = _union([self.box, tuple(box) if box is not None else None])
        self.box = tuple(union) if union is not None else None
        self.counts.update(counts)
        self.no_box += no_box

    def as_json(self, shard: int | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "n": self.n, "d": self.first,
            "t": [self.start, self.end] if self.start is not None and self.end is not None
            else None,
            "b": list(self.box) if self.box is not None else None,
            "c": {str(k): v for k, v in sorted(self.counts.items())},
            "nb": self.no_box,
        }
        if shard is not None:
            out["s"] = shard
        return out


class _Postings(dict[str, "int | list[int]"]):
    """Each term's documents, the first :data:`MAX_POSTINGS` of them (the index keeps
    no more: those are the newest), and how many there are.

    A term in one document has its number, not a list (most terms are an item's own id:
    a list each would be a third of the index's memory); a list from the second on.
    """

    def __init__(self) -> None:
        super().__init__()
        self.beyond: dict[str, int] = {}  # documents past the first MAX_POSTINGS

    def add(self, terms: list[str], docno: int) -> None:
        get = self.get
        cap = MAX_POSTINGS
        for term in terms:
            have = get(term)
            if have is None:
                self[term] = docno
            elif isinstance(have, int):
                self[term] = [have, docno]
            elif len(have) < cap:
                have.append(docno)
            else:
                self.beyond[term] = self.beyond.get(term, 0) + 1

    def count(self, term: str) -> int:
        have = self[term]
        return (1 if isinstance(have, int) else len(have)) + self.beyond.get(term, 0)

    def kept(self, term: str) -> int:
        have = self[term]
        return 1 if isinstance(have, int) else len(have)

    def first(self, term: str) -> list[int]:
        have = self[term]
        return [have] if isinstance(have, int) else have


def _write_terms(write: Callable[[str, bytes], object], postings: _Postings,
                 sizes: dict[str, int]) -> list[str]:
    """Term chunks by prefix, each split by a longer prefix while too large.

    The terms are sorted once; the terms sharing a prefix are then a range of that list,
    and a range's size a difference of running sums.
    """
    terms = sorted(postings)
    sums = [0, *accumulate(len(t) + 8 + 7 * postings.kept(t)
                           for t in terms)]
    chunks: list[str] = []

    def split(lo: int, hi: int, length: int) -> None:
        i = lo
        while i < hi:
            prefix = terms[i][:length]
            if len(prefix) < length:
                j = i + 1  # the only term this short with this beginning
            else:
                j = bisect_right(terms, prefix + "\U0010ffff", i, hi)
                while j < hi and terms[j].startswith(prefix):
                    j += 1
            if sums[j] - sums[i] > CHUNK_BYTES and (j - i > 1 or len(terms[i]) > length):
                start = i
                if terms[i] == prefix:
                    _write_chunk(write, prefix + "~", [prefix], postings, sizes)
                    chunks.append(prefix + "~")
                    start += 1
                split(start, j, length + 1)
            else:
                _write_chunk(write, prefix, terms[i:j], postings, sizes)
                chunks.append(prefix)
            i = j

    split(0, len(terms), 1)
    return sorted(chunks)


def _write_chunk(write: Callable[[str, bytes], object], prefix: str, terms: list[str],
                 postings: _Postings, sizes: dict[str, int]) -> None:
    """A chunk's terms with their documents (the first MAX_POSTINGS) and count."""
    data = {t: [postings.first(t), postings.count(t)] for t in terms}
    payload = _js("terms", prefix, data)
    write("search/t/" + chunk_file(prefix), payload)
    sizes["terms"] = sizes.get("terms", 0) + len(payload)


_FILE_CODES = {"_": "_u", ".": "_d", "-": "_h", "~": "_t"}


def chunk_file(prefix: str) -> str:
    """File name of a term chunk: letters and digits as they are, ``_ . - ~`` encoded
    (``~`` marks the chunk of terms exactly as long as the prefix). Mirrored in
    ``sitegen-search.js``."""
    return "".join(_FILE_CODES.get(c, c) for c in prefix) + ".js"


#: Bytes of the key before a packed document (see :func:`pack_doc`).
KEY_BYTES = 16
#: After the key: the document's place in its month (``Doc.order``), big-endian so that
#: its bytes sort as it does, and the day that gives its month (see :func:`_month`).
_HEAD = struct.Struct(">Qi")
_SORT_KEY = operator.itemgetter(slice(KEY_BYTES, KEY_BYTES + 8))
_UNDATED = -(2 ** 31)
#: A document's key when it has none (catalogs, collections, builds without a cache).
NO_KEY = bytes(KEY_BYTES)


def doc_key(digest: bytes, page: str, number: int, collection_title: str) -> bytes:
    """What an item's document is made from besides the config, as a digest: its content
    digest, page, collection number and collection title."""
    h = hashlib.blake2b(bytes([len(digest)]) + digest, digest_size=KEY_BYTES)
    h.update(f"{page}\0{number}\0{collection_title}".encode("utf-8", "surrogatepass"))
    return h.digest()


def pack_doc(key: bytes, doc: Doc) -> bytes:
    """A document as the build cache keeps it, one per item: its key, its month's day
    and its place in the month (so the index groups and sorts documents without
    unpacking them), then the document pickled as a plain tuple. One ``bytes`` of about
    330 bytes; the named tuple with its key and their numbers and strings were about
    540."""
    day = doc.start if doc.start is not None else doc.end
    return (key + _HEAD.pack(doc.order, _UNDATED if day is None else day)
            + pickle.dumps(tuple(doc), pickle.HIGHEST_PROTOCOL))


def unpack_doc(packed: bytes) -> Doc:
    """The document :func:`pack_doc` packed."""
    return Doc._make(pickle.loads(memoryview(packed)[KEY_BYTES + _HEAD.size:]))


def _month(packed: bytes) -> str:
    """The month (its bucket's key) of a packed document."""
    day = _HEAD.unpack_from(packed, KEY_BYTES)[1]
    return _bucket_key(None if day == _UNDATED else day)


def packed_docs(site: Site, policy: HrefPolicy, collections: dict[str, int],
                digests: Mapping[str, bytes] | None = None,
                known: Mapping[str, bytes] | None = None,
                remember: dict[str, bytes] | None = None) -> Iterator[bytes]:
    """Every catalog, collection and item as a search document, packed (see
    :func:`pack_doc`).

    With ``digests`` (the items' content digests, from a build with a cache), an item's
    document is the last build's (from ``known``, as it is) when its key is the same,
    and every item's document goes into ``remember``.
    """
    boxes = node_boxes(site)
    for location, node in site.nodes.items():
        intervals = extent_intervals(node.doc)
        start, end = (day_number(intervals[0][0]), day_number(intervals[0][1])) \
            if intervals else (None, None)
        description = node.doc.get("description")
        words = [node.title, node.id, *(k for k in as_list(node.doc.get("keywords"))
                                        if isinstance(k, str))]
        if isinstance(description, str):
            words.append(plain_text(description, 300))
        yield pack_doc(NO_KEY, Doc.make(
            title=node.title, id=node.id, url=node.page, start=start, end=end,
            bbox=boxes.get(location), thumb=None, collection=collections.get(location, -1),
            kind=node.kind, terms=terms_of(*words)))
    collection_terms: dict[str | None, set[str]] = {}
    known = known or {}
    key = NO_KEY
    for location, item in site.items.items():
        s = item.summary
        collection = site.collection_of(s, s.collection)
        number = collections.get(collection, -1) if collection else -1
        if digests is not None:
            key = doc_key(digests.get(location, b""), item.page, number,
                          site.nodes[collection].title if collection else "")
            previous = known.get(location)
            if previous is not None and previous.startswith(key):
                if remember is not None:
                    remember[location] = previous
                yield previous
                continue
        shared = collection_terms.get(collection)
        if shared is None:  # the same for every item of a collection
            shared = collection_terms[collection] = terms_of(
                site.nodes[collection].title if collection else "")
        thumb = thumbnail_url(s.thumbnail, "index.html", policy, [])
        start = day_number(s.start or s.datetime)
        end = day_number(s.end) if s.end else start
        packed = pack_doc(key, Doc.make(
            title=item.title, id=s.id, url=item.page, start=start, end=end, bbox=s.bbox,
            thumb=thumb, collection=number, kind="item",
            terms=terms_of(item.title, s.id) | _shared_terms(s.terms) | shared))
        if digests is not None and remember is not None:
            remember[location] = packed
        yield packed
