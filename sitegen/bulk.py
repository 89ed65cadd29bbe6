"""Bulk downloads: ``download.sh``, ``urls.txt`` and Metalink 4 for items, collections, catalogs.

An INSPIRE "predefined dataset" download service in three files per page:

- ``STEM.urls.txt``: one URL per line (for ``wget -i`` / ``aria2c -i``);
- ``STEM.download.sh``: a POSIX script (curl, or wget) that resumes, recreates the
  site's folder structure and verifies sha2-256 checksums (``file:checksum``);
- ``STEM.meta4``: Metalink 4 (RFC 5854) with sizes and hashes, for download managers;
- ``STEM.other-urls.txt`` when some files are only at ``s3://``-like addresses.

Each item's entries are rendered once, as byte *chunks*, by the worker that renders
the item; a Catalog's or Collection's files are its descendants' chunks streamed in
order between a header and a footer, so nothing grows with the catalog in memory.
Paths in the lists are relative to the site root, so chunks concatenate unchanged;
only site-relative URLs carry :data:`ROOT`, replaced by the prefix from each file to
the site root when it is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import struct
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple
from urllib.parse import quote, unquote, urlparse
from xml.sax.saxutils import escape as xml_escape

from sitegen import __version__
from sitegen.fields import format_size
from sitegen.formats import IANA_HASH, decode_multihash
from sitegen.layout import _safe_segment
from sitegen.links import HrefPolicy
from sitegen.picklefast import fast_pickle

#: Placeholder for the relative path from a list file to the site root.
ROOT = b"\x00ROOT\x00"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
SUFFIXES = (".download.sh", ".urls.txt", ".meta4", ".other-urls.txt")


class Entry(NamedTuple):
    """One file to download (a named tuple: one per asset of every item).

    Attributes:
        path: Where it goes, relative to the download folder (site structure).
        url: Absolute http(s) URL, or None for a file published in the site itself.
        site_path: For files in the site: their path relative to the site root.
        size: ``file:size`` when known.
        hash: ``(IANA name, hex)`` from ``file:checksum`` when the algorithm is known.
    """

    path: str
    url: str | None
    site_path: str | None
    size: int | None
    hash: tuple[str, str] | None


class Stats(NamedTuple):
    """Counts for a set of list entries: files, bytes (of those with a size), others.
    A named tuple (one per item in the build cache); ``+`` adds the counts."""

    files: int = 0
    size: int = 0
    sized: int = 0
    others: int = 0

    def __add__(self, other: Stats) -> Stats:  # type: ignore[override]
        return Stats(self.files + other.files, self.size + other.size,
                     self.sized + other.sized, self.others + other.others)

    def size_text(self) -> str | None:
        """Total size of the files whose size is known, readable."""
        return format_size(self.size) if self.sized else None


@fast_pickle  # one per item, sent back by the workers
@dataclass(frozen=True, slots=True)
class Chunks:
    """An item's rendered list entries and their statistics."""

    urls: bytes
    script: bytes
    meta4: bytes
    others: bytes
    stats: Stats
    digest: bytes = b""  # of the four texts: lists over unchanged chunks are unchanged

    @property
    def texts(self) -> ListTexts:
        """The four texts (what :func:`write_lists` writes)."""
        return self.urls, self.script, self.meta4, self.others


#: An item's list texts: urls, script, meta4 and others.
ListTexts = tuple[bytes, bytes, bytes, bytes]


def item_folder(page: str) -> str:
    """``a/b/index.html`` -> ``a/b``; ``a/b/x.html`` -> ``a/b/x``."""
    stem = page[:-5] if page.endswith(".html") else page
    return stem[:-6] if stem.endswith("/index") else ("" if stem == "index" else stem)


def wanted(asset: dict[str, Any], roles: tuple[str, ...]) -> bool:
    """An asset is listed when it has no roles (no list of strings) or one of ``roles``."""
    asset_roles = asset.get("roles")
    if not isinstance(asset_roles, list):
        return True
    named = False
    for role in asset_roles:
        if isinstance(role, str):
            if role in roles:
                return True
            named = True
    return not named


def item_entries(
    doc: dict[str, Any], location: str, page: str, json_path: str, policy: HrefPolicy,
    roles: tuple[str, ...], base_url: str | None,
) -> tuple[list[Entry], list[str]]:
    """The files to download for one item, and hrefs only reachable by other schemes."""
    folder = item_folder(page)
    assets = doc.get("assets")
    entries: list[Entry] = []
    others: list[str] = []
    names: set[str] = set()
    for key, asset in (assets.items() if isinstance(assets, dict) else []):
        if not isinstance(asset, dict) or not wanted(asset, roles):
            continue
        href = asset.get("href")
        url: str | None = None
        site_path: str | None = None
        plain = _PLAIN_FILE_URL.fullmatch(href) if isinstance(href, str) else None
        if plain is not None and plain[1] != "_":
            # most hrefs: the URL and the file's name as they are (see _PLAIN_FILE_URL)
            url, name = plain[0], plain[1]
            policy.plain_url(url)  # remembered for the page and the JSON copy
        else:
            target = policy.asset(href, location, json_path)
            text = target.text
            if _CONTROL.search(text):
                continue
            if target.url is not None and target.url.startswith(("http://", "https://")):
                url = list_url(target.url)
            elif target.copy is not None:
                site_path = target.copy[1]
                if base_url:
                    url = base_url + quote(site_path)
            elif target.url is None and text and target.note and "://" in text:
                others.append(text)
                continue
            else:
                continue
            name = _file_name(url or site_path or "", str(key))
        if name in names:
            name = _safe_segment(f"{key}-{name}")
        names.add(name)
        size = asset.get("file:size")
        checksum = asset.get("file:checksum")
        decoded = decode_multihash(checksum) if isinstance(checksum, str) else None
        hashed = (IANA_HASH[decoded[0]], decoded[1]) if decoded and decoded[0] in IANA_HASH \
            else None
        entries.append(Entry(
            path=f"{folder}/{name}" if folder else name,
            url=url, site_path=None if url else site_path,
            size=size if isinstance(size, int) and not isinstance(size, bool) and size >= 0
            else None,
            hash=hashed,
        ))
    return entries, others


#: An http(s) URL that every step takes as it is, and whose file name is its last
#: segment as it is: a lower-case host (and port), segments of unreserved characters not
#: starting with a dot, no query or fragment. :meth:`HrefPolicy.asset` gives it back
#: unchanged (a plain URL), :func:`list_url` too, and :func:`_file_name` gives its last
#: segment (but for ``_``, which becomes ``file``). A test holds the three to it.
_PLAIN_FILE_URL = re.compile(
    r"https?://[a-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)*"
    r"/([A-Za-z0-9_~-][A-Za-z0-9_.~-]{0,179})")

#: Characters a URL may hold as they are (RFC 3986 reserved and unreserved, and ``%``).
_URL_SAFE = "%:/?#[]@!$&'()*+,;=~-._"


def list_url(url: str) -> str:
    """``url`` with spaces, quotes, backticks, ``<>`` and non-ASCII percent-encoded.

    One URL per line in ``urls.txt`` must be one word for wget, aria2 and curl.
    """
    if _URL_UNCHANGED.fullmatch(url):
        return url  # what quote() gives back for it, without the call
    return quote(url, safe=_URL_SAFE)


#: A URL :func:`list_url` leaves as it is: unreserved and ``_URL_SAFE`` characters only.
_URL_UNCHANGED = re.compile(r"[A-Za-z0-9_.\-~%:/?#\[\]@!$&'()*+,;=]*")


def _file_name(url: str, key: str) -> str:
    if not url:
        last = ""
    elif "?" in url or "#" in url or ";" in url:
        try:
            path = urlparse(url).path
        except ValueError:  # urllib refuses the host ("http://]/a.tif?x")
            path = url.split("#", 1)[0].split("?", 1)[0].split(";", 1)[0]
        last = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    else:
        # The common case, without a full parse: the last segment of the path.
        path = url.split("://", 1)[1].partition("/")[2] if "://" in url else url
        last = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    name = _safe_segment(last) if last else _safe_segment(key)
    return name if name not in ("", "_") else "file"


def shell_quote(text: str) -> str:
    """Single-quote for POSIX sh: nothing inside is ever interpreted."""
    return "'" + text.replace("'", "'\"'\"'") + "'"


def render_chunks(entries: list[Entry], others: list[str]) -> Chunks:
    """Render one item's entries for each list format."""
    urls, script, meta4 = [], [], []
    size = sized = 0
    for e in entries:
        sha = e.hash[1] if e.hash and e.hash[0] == "sha-256" else ""
        size_text = str(e.size) if e.size is not None else ""
        if e.size is not None:
            size += e.size
            sized += 1
        if e.url is not None:
            urls.append(e.url + "\n")
            # (a hex digest and a number: nothing to quote inside their quotes)
            script.append(f"get {shell_quote(e.url)} {shell_quote(e.path)} "
                          f"'{sha}' '{size_text}'\n")
            link = _xml_text(e.url)
        else:
            rel = quote(e.site_path or "")
            urls.append(_ROOT + rel + "\n")
            script.append(f"get_site {shell_quote(rel)} {shell_quote(e.site_path or '')} "
                          f"{shell_quote(e.path)} '{sha}' '{size_text}'\n")
            link = _ROOT + _xml_text(rel)
        meta4.append(f'  <file name="{_xml_attribute(e.path)}">\n')
        if e.size is not None:
            meta4.append(f"    <size>{e.size}</size>\n")
        if e.hash is not None:
            meta4.append(f'    <hash type="{e.hash[0]}">{e.hash[1]}</hash>\n')
        meta4.append(f"    <url>{link}</url>\n  </file>\n")
    # each text encoded once, not line by line
    texts = ("".join(urls).encode("utf-8"), "".join(script).encode("utf-8"),
             "".join(meta4).encode("utf-8"), "".join(o + "\n" for o in others).encode("utf-8"))
    digest = hashlib.blake2b(digest_size=16)
    for text in texts:
        digest.update(len(text).to_bytes(8, "little") + text)
    return Chunks(*texts, Stats(len(entries), size, sized, len(others)), digest.digest())


_ROOT = ROOT.decode("ascii")
_XML_SPECIAL = re.compile(r'[&<>"]')


def _xml_text(text: str) -> str:
    """``xml.sax.saxutils.escape``, without its three replacements for most texts."""
    return xml_escape(text) if _XML_SPECIAL.search(text) else text


def _xml_attribute(text: str) -> str:
    """Escaped for a double-quoted attribute (``&``, ``<``, ``>`` and ``"``)."""
    return xml_escape(text, {'"': "&quot;"}) if _XML_SPECIAL.search(text) else text


def _script_header(title: str, files: int, size_text: str, to_root: str,
                   base_url: str | None) -> bytes:
    head, tail = _header_template()
    values = {"TITLE": _comment(title), "FILES": str(files), "SIZE": size_text,
              "VERSION": __version__, "TO_ROOT": to_root,
              "SITE_URL": _site_url_value(base_url)}
    # each placeholder filled once: a value holding another placeholder stays as it is
    return "".join([values[part] if odd else part for odd, part in head]).encode("utf-8") \
        + tail


@lru_cache(maxsize=1)
def _header_template() -> tuple[tuple[tuple[bool, str], ...], bytes]:
    """The script header's text split at its placeholders (``(True, NAME)``), up to the
    last one, and the rest (most of it), encoded once."""
    text = (Path(__file__).parent / "data" / "download-header.sh").read_text(encoding="utf-8")
    parts = re.split(r"@(TITLE|FILES|SIZE|VERSION|TO_ROOT|SITE_URL)@", text)
    return tuple((bool(n % 2), part) for n, part in enumerate(parts[:-1])), \
        parts[-1].encode("utf-8")


def _site_url_value(base_url: str | None) -> str:
    """The base URL as it may stand unquoted in ``${SITE_URL:-...}``: only safe characters."""
    if base_url and re.fullmatch(r"[A-Za-z0-9:/._~%+-]+", base_url):
        return base_url
    return ""


_SCRIPT_FOOTER = b"""if [ "$failed" -gt 0 ]; then
  echo "$fetched file(s) ok, $failed failed" >&2
  exit 1
fi
echo "$fetched file(s) ok"
"""
_META4_HEADER = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
                 b'<metalink xmlns="urn:ietf:params:xml:ns:metalink">\n'
                 b"  <generator>stac-sitegen/" + __version__.encode() + b"</generator>\n")
_META4_FOOTER = b"</metalink>\n"


def _comment(text: str) -> str:
    return _CONTROL.sub(" ", text)[:200]


def _frame(stem: str, title: str, stats: Stats, base_url: str | None) -> tuple[bytes, bytes]:
    """The prefix from ``STEM``'s folder to the site root, and the script's header."""
    to_root = "../" * stem.count("/")
    size = stats.size_text()
    return to_root.encode("utf-8"), _script_header(title, stats.files,
                                                   f", {size}" if size else "", to_root,
                                                   base_url)


def write_lists(
    open_file: Callable[[str], BinaryIO], stem: str, title: str, stats: Stats,
    texts: Iterable[ListTexts], base_url: str | None,
) -> None:
    """Stream the list files of one page: header, every item's texts in order, footer.

    Args:
        open_file: Opens a path relative to the site root for writing (the writer's).
        stem: Page path without ``.html``; files are ``STEM.download.sh`` etc.
        title: The page title (for the script's comment).
        stats: Totals of the items (known before streaming, for the script's comment).
        texts: The texts of every item (see :attr:`Chunks.texts`), in order; consumed
            once.
        base_url: The site's URL, when known.
    """
    prefix, header = _frame(stem, title, stats, base_url)
    with contextlib.ExitStack() as stack:
        urls = stack.enter_context(open_file(stem + ".urls.txt"))
        script = stack.enter_context(open_file(stem + ".download.sh"))
        meta4 = stack.enter_context(open_file(stem + ".meta4"))
        others = stack.enter_context(open_file(stem + ".other-urls.txt")) if stats.others \
            else None
        script.write(header)
        meta4.write(_META4_HEADER)
        for item_urls, item_script, item_meta4, item_others in texts:
            urls.write(item_urls.replace(ROOT, prefix))
            script.write(item_script)
            meta4.write(item_meta4.replace(ROOT, prefix))
            if others is not None and item_others:
                others.write(item_others)
        script.write(_SCRIPT_FOOTER)
        meta4.write(_META4_FOOTER)


def item_lists(stem: str, title: str, chunks: Chunks,
               base_url: str | None) -> list[tuple[str, bytes]]:
    """The list files of one item, whole: what :func:`write_lists` streams for a
    single chunk, without a file object per file (there are three per item)."""
    prefix, header = _frame(stem, title, chunks.stats, base_url)
    files = [(stem + ".urls.txt", chunks.urls.replace(ROOT, prefix)),
             (stem + ".download.sh", header + chunks.script + _SCRIPT_FOOTER),
             (stem + ".meta4",
              _META4_HEADER + chunks.meta4.replace(ROOT, prefix) + _META4_FOOTER)]
    if chunks.stats.others:
        files.append((stem + ".other-urls.txt", chunks.others))
    return files


#: An item's place in the spool: offset; lengths of its urls, script, meta4 and others
#: chunks and of its footprint; its statistics (files, size, sized, others), packed as
#: ten unsigned 64-bit integers, followed by the chunks' digest. One bytes object rather
#: than a tuple of ten integers and a Stats: the build and its cache keep one per item.
SpoolEntry = bytes
_ENTRY = struct.Struct("<10Q")
#: An entry's first fields: the offset and the lengths of the four texts.
_PLACE = struct.Struct("<5Q")
#: Bytes of one item's place (see :meth:`Spool.places`).
PLACE_BYTES = _PLACE.size


def spool_entry(offset: int, lengths: tuple[int, int, int, int, int], stats: Stats,
                digest: bytes) -> SpoolEntry:
    """Pack an item's place in the spool (see :data:`SpoolEntry`)."""
    return _ENTRY.pack(offset, *lengths, *stats) + digest


def entry_stats(entry: SpoolEntry) -> Stats:
    """The statistics of an item's download entries."""
    return Stats(*_ENTRY.unpack_from(entry)[6:])


def entry_digest(entry: SpoolEntry) -> bytes:
    """The digest of an item's chunks."""
    return entry[_ENTRY.size:]


def entry_bytes(entry: SpoolEntry) -> int:
    """Bytes the item takes in the spool."""
    return sum(_ENTRY.unpack_from(entry)[1:6])


class Spool:
    """Per-item results kept on disk (a file in the staging folder), found by location:
    download-list chunks and the compact footprint for collection maps.

    Only offsets and counts stay in memory: a few integers per item.
    """

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.index: dict[str, SpoolEntry] = {}

    def entry(self, location: str) -> SpoolEntry | None:
        """Where an item's results are (to keep them for the next build)."""
        return self.index.get(location)

    def keep(self, location: str, entry: SpoolEntry) -> None:
        """Take an item's results as the previous build left them in this file."""
        self.index[location] = entry

    def size(self) -> int:
        """Bytes in the file."""
        return self.file.seek(0, 2)

    def add(self, location: str, chunks: Chunks, footprint: bytes = b"") -> None:
        offset = self.file.seek(0, 2)
        self.file.write(chunks.urls + chunks.script + chunks.meta4 + chunks.others + footprint)
        self.index[location] = spool_entry(
            offset, (len(chunks.urls), len(chunks.script), len(chunks.meta4),
                     len(chunks.others), len(footprint)), chunks.stats, chunks.digest)

    def stats(self, locations: Iterable[str]) -> Stats:
        files = size = sized = others = 0
        unpack = _ENTRY.unpack_from
        for location in locations:
            entry = self.index.get(location)
            if entry is not None:
                values = unpack(entry)
                files += values[6]
                size += values[7]
                sized += values[8]
                others += values[9]
        return Stats(files, size, sized, others)

    def places(self, locations: Iterable[str]) -> bytes:
        """Where the chunks of some items are in the file, in order (items without an
        entry left out): 40 bytes an item, what :meth:`texts` needs to read them. One
        ``bytes``, not a list of entries: a worker writes the root catalog's lists from
        the places of every item."""
        return b"".join(self.place_pieces(locations, sys.maxsize))

    def place_pieces(self, locations: Iterable[str], size: int) -> Iterator[bytes]:
        """:meth:`places` in pieces of ``size`` bytes or a little more (whole places)."""
        places = bytearray()
        for location in locations:
            entry = self.index.get(location)
            if entry is not None:
                places += entry[:_PLACE.size]
                if len(places) >= size:
                    yield bytes(places)
                    places.clear()
        if places:
            yield bytes(places)

    def texts(self, places: bytes) -> Iterator[ListTexts]:
        """The list texts at some places of this file (see :meth:`places`)."""
        for offset, u, s, m, o in _PLACE.iter_unpack(places):
            self.file.seek(offset)
            data = self.file.read(u + s + m + o)
            yield data[:u], data[u:u + s], data[u + s:u + s + m], data[u + s + m:]

    def footprint(self, location: str) -> bytes:
        """The item's compact footprint JSON, or ``b""``."""
        entry = self.index.get(location)
        if entry is None:
            return b""
        offset, u, s, m, o, f = _ENTRY.unpack_from(entry)[:6]
        if not f:
            return b""
        self.file.seek(offset + u + s + m + o)
        return self.file.read(f)
