"""Reading STAC documents from disk or http(s), and resolving hrefs.

A *location* is either an absolute, normalised local path or an absolute http(s) URL.
This module is the only place that opens source documents (pystac's ``StacIO`` plays
the same role there), so remote fetching policy lives in one spot.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import posixpath
import re
import socket
import stat
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import unquote, urljoin, urlparse, urlunparse

import orjson

from sitegen import __version__

HrefKind = Literal["local", "remote", "other", "invalid"]

#: Largest document read (local or remote); larger ones are reported, not read.
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
WEB_SCHEMES = ("http", "https")
USER_AGENT = f"stac-sitegen/{__version__}"


class DocumentError(Exception):
    """A document could not be read or parsed; the message says why."""


def is_url(location: str) -> bool:
    """True when ``location`` is an http(s) URL."""
    return location.startswith(("http://", "https://"))


def resolve_href(href: object, base: str) -> tuple[HrefKind, str]:
    """Resolve a link or asset href; see :func:`_resolve`. Cached for string hrefs."""
    if isinstance(href, str):
        # most item links and asset hrefs: resolved directly, as the cache would only
        # churn (each is asked for by one item)
        if href.startswith("./"):
            plain = _beside(href[2:], base)
            if plain is not None:
                return "local", plain
        elif is_plain_url(href):
            return "remote", href
        return _resolve_cached(href, base)
    return _resolve(href, base)


def is_plain_url(href: str) -> bool:
    """True when ``href`` is an http(s) URL that :func:`_resolve` gives back as it is
    (nothing to strip, no NUL, nothing to normalise)."""
    return href.startswith(("https://", "http://")) and not href[-1].isspace() \
        and "\x00" not in href and _is_normal_url(href)


def _beside(rest: str, base: str) -> str | None:
    """``./REST`` beside a local, normalised ``base`` when nothing in REST needs parsing
    or normalising (else None)."""
    folder = _clean_folder(base)
    if folder is None or not rest or rest[0] in "./" or rest[-1] == "/" or "/." in rest \
            or "//" in rest or _PLAIN_PATH_NEEDS_PARSE.search(rest) or rest[-1].isspace():
        return None
    return f"{folder}/{rest}" if folder not in ("", "/") else folder + rest


@lru_cache(maxsize=8192)
def _resolve_cached(href: str, base: str) -> tuple[HrefKind, str]:
    # Each asset href is resolved for the page and again for the JSON copy.
    return _resolve(href, base)


def _resolve(href: object, base: str) -> tuple[HrefKind, str]:
    """Resolve a link or asset href against the location of the document holding it.

    Args:
        href: The raw href from the document (anything: it is untrusted).
        base: Location of the document.

    Returns:
        ``("local", path)`` for a file, ``("remote", url)`` for http(s),
        ``("other", href)`` for other schemes (s3, gs, ftp, javascript, data, ...) and
        ``("invalid", text)`` for something that is not a usable href.
    """
    if not isinstance(href, str) or not href.strip() or "\x00" in href:
        return "invalid", repr(href)
    href = href.strip()
    if _is_normal_url(href):
        return "remote", href
    if not _PLAIN_PATH_NEEDS_PARSE.search(href) and not href.startswith("//") \
            and not is_url(base):
        # A plain relative or absolute path (most item links): nothing to parse or unquote.
        if os.path.isabs(href):
            return "local", os.path.normpath(href)
        plain = _beside(href[2:] if href.startswith("./") else href, base)
        if plain is not None:  # nothing for normpath to do
            return "local", plain
        return "local", os.path.normpath(os.path.join(os.path.dirname(base), href))
    return _resolve_parsed(href, base)


@lru_cache(maxsize=4096)
def _clean_folder(base: str) -> str | None:
    """The folder of a local ``base`` when it is already normalised (POSIX only)."""
    folder = os.path.dirname(base)
    if os.sep != "/" or is_url(base) or os.path.normpath(folder or ".") != (folder or "."):
        return None
    return folder


def _resolve_parsed(href: str, base: str) -> tuple[HrefKind, str]:
    """:func:`_resolve` of a stripped href that may be more than a plain path."""
    try:
        return _resolve_parsing(href, base)
    except ValueError:  # urllib refuses it (``http://[x``: "Invalid IPv6 URL")
        return "invalid", href


def _resolve_parsing(href: str, base: str) -> tuple[HrefKind, str]:
    parsed = urlparse(href)
    scheme = parsed.scheme.lower()
    if scheme in WEB_SCHEMES:
        if not parsed.netloc:
            return "invalid", href
        return "remote", _normalize_url(href)
    if scheme == "file":
        return "local", os.path.normpath(unquote(parsed.path))
    if len(scheme) > 1:
        return "other", href
    if is_url(base):
        return "remote", _normalize_url(urljoin(base, href))
    # A plain path. A one-letter "scheme" is a Windows drive letter: not resolvable here.
    if len(scheme) == 1:
        return "invalid", href
    path = unquote(parsed.path)
    if not path:
        return "invalid", href
    if os.path.isabs(path):
        return "local", os.path.normpath(path)
    return "local", os.path.normpath(os.path.join(os.path.dirname(base), path))


#: What makes an href more than a plain path: a scheme or drive letter, parameters, a
#: query or fragment, percent-escapes, backslashes, control characters (and a network
#: path, ``//host/...``, tested apart: an alternative in the pattern made every search
#: three times slower, 1.1 against 0.35 microseconds for an item link).
_PLAIN_PATH_NEEDS_PARSE = re.compile(r"[:;?#%\\\x00-\x1f\x7f]")


def _is_normal_url(url: str) -> bool:
    """Cheap test: an http(s) URL whose host is lower case and path has nothing to fold.

    Most hrefs are like that; skipping the full parse for them mattered per asset.
    """
    scheme_end = url.find("://")
    if scheme_end not in (4, 5) or url[:scheme_end] not in ("http", "https"):
        return False
    host_end = url.find("/", scheme_end + 3)
    if host_end <= scheme_end + 3:
        return False
    host, rest = url[scheme_end + 3:host_end], url[host_end:]
    # no fragment, dot segment, backslash or empty segment (tested one by one: a
    # generator over a tuple of them cost more than the rest of the function)
    return (host == host.lower() and "#" not in rest and "/./" not in rest
            and "/../" not in rest and "\\" not in rest and "//" not in rest
            and not rest.endswith(("/.", "/..")))


def _normalize_url(url: str) -> str:
    """Drop the fragment and collapse ``.`` and ``..`` in the path of a URL."""
    if _is_normal_url(url):
        return url
    return _normalize_url_fully(url)


def _normalize_url_fully(url: str) -> str:
    parsed = urlparse(url)
    path = posixpath.normpath(parsed.path) if parsed.path else "/"
    if parsed.path.endswith("/") and not path.endswith("/"):
        path += "/"
    path = path.replace("//", "/")
    return urlunparse((parsed.scheme.lower(), parsed.netloc.lower(), path, "", parsed.query, ""))


def parent_location(location: str) -> str:
    """The folder that holds ``location`` (a URL keeps its trailing slash)."""
    if is_url(location):
        return urljoin(location, "./")
    return os.path.dirname(location)


def parse_json(data: bytes, location: str) -> tuple[Any, bool]:
    """Parse JSON bytes.

    Returns:
        The value, and True when the text was only readable leniently (NaN, Infinity).

    Raises:
        DocumentError: The bytes are not JSON.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return orjson.loads(data), False
    except orjson.JSONDecodeError as exc:
        first_error = exc
    # Python's parser accepts NaN and Infinity, which some producers write.
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=lambda _: math.nan)
    except (UnicodeDecodeError, ValueError):
        if data.lstrip()[:14].lower().startswith((b"<!doctype html", b"<html")):
            raise DocumentError("an HTML page, not JSON") from None
        raise DocumentError(f"invalid JSON: {first_error}") from None
    return _without_surrogates(value), True


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(value: Any) -> Any:
    """``value`` with unpaired surrogates (``"\\ud800"`` escapes, which orjson refuses
    and Python's parser accepts) replaced by U+FFFD: no UTF-8 output can hold them."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    return value


@dataclass(frozen=True)
class Reader:
    """Reads documents from disk or http(s).

    Picklable, so worker processes can use it. Remote documents are written to
    ``cache_dir`` once fetched (and so are failures, as ``.error`` files), so a worker
    re-reading an item neither fetches it again nor retries a dead server.

    Attributes:
        timeout: Seconds to wait for a server (connect, or between two reads); a whole
            document must arrive within ``DEADLINE_FACTOR`` times this.
        cache_dir: Folder for fetched remote documents, or None to not cache.
        retries: Extra attempts after a timeout, a dropped connection, or a 429/5xx answer.
        max_bytes: Largest document read.
        max_connections: Most requests :meth:`prefetch` keeps in flight.
    """

    timeout: float = 30.0
    cache_dir: str | None = None
    retries: int = 2
    max_bytes: int = MAX_DOCUMENT_BYTES
    max_connections: int = 4

    def cache_path(self, url: str) -> str | None:
        """Where a fetched copy of ``url`` is kept, or None without a cache."""
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
        return os.path.join(self.cache_dir, digest + ".json")

    def read_bytes(self, location: str) -> bytes:
        """Return the bytes of a document.

        Raises:
            DocumentError: It is missing, unreadable, too large or the server failed.
        """
        if not is_url(location):
            return read_local(location, self.max_bytes)
        cached = self.cache_path(location)
        if cached is None:
            return self._fetch(location)
        if os.path.exists(cached):
            return read_local(cached, self.max_bytes)
        failed = cached + ".error"
        if os.path.exists(failed):
            with open(failed, encoding="utf-8") as fh:
                raise DocumentError(fh.read())
        try:
            data = self._fetch(location)
        except DocumentError as exc:
            _write_atomic(failed, str(exc).encode("utf-8"))
            raise
        _write_atomic(cached, data)
        return data

    def prefetch(self, locations: Iterable[str]) -> None:
        """Fetch the remote ones among ``locations`` into the cache, ``max_connections``
        at a time. Failures are cached too and reported when the document is read.
        Without a cache this does nothing (documents are then read one at a time).
        """
        if self.cache_dir is None:
            return
        todo = [loc for loc in dict.fromkeys(locations) if is_url(loc)
                and not os.path.exists(self.cache_path(loc) or "")]
        if len(todo) < 2:
            return

        def fetch(url: str) -> None:
            with contextlib.suppress(DocumentError):
                self.read_bytes(url)

        with ThreadPoolExecutor(max_workers=self.max_connections,
                                thread_name_prefix="sitegen-fetch") as pool:
            for _ in pool.map(fetch, todo):
                pass

    def local_path(self, location: str) -> str:
        """A local file holding the document, for re-reading in a worker."""
        if is_url(location):
            cached = self.cache_path(location)
            if cached is not None and os.path.exists(cached):
                return cached
        return location

    def _fetch(self, url: str) -> bytes:
        request = urllib.request.Request(
            url, headers={"User-Agent": USER_AGENT, "Accept": "application/json, */*;q=0.5"}
        )
        delay = 0.5
        for attempt in range(self.retries + 1):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    data = self._read_body(response)
                    content_type = response.headers.get("Content-Type", "")
                if content_type.split(";")[0].strip().lower() == "text/html" and \
                        not data.lstrip().startswith((b"{", b"[")):
                    raise DocumentError("the server answered with an HTML page, not JSON "
                                        "(a login page, an error page or a wrong URL?)")
                return data
            except urllib.error.HTTPError as exc:
                if 300 <= exc.code < 400:
                    raise DocumentError(f"HTTP {exc.code}: too many redirects (a redirect "
                                        "loop?)") from None
                if exc.code not in RETRY_STATUS or attempt == self.retries:
                    raise DocumentError(f"HTTP {exc.code} {exc.reason}") from None
                delay = max(delay, _retry_after(exc.headers.get("Retry-After")))
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                if attempt == self.retries:
                    if isinstance(reason, TimeoutError | socket.timeout):
                        reason = f"no answer within {self.timeout:g} s"
                    raise DocumentError(f"cannot fetch: {reason}") from None
            time.sleep(delay)
            delay *= 2
        raise DocumentError("cannot fetch")  # pragma: no cover - loop always returns/raises

    def _read_body(self, response: Any) -> bytes:
        """Read in pieces, enforcing the size limit and the whole-document deadline."""
        length = response.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > self.max_bytes:
            raise DocumentError(f"larger than {_mb(self.max_bytes)} "
                                f"({_mb(int(length))}); see max_document_mb")
        deadline = time.monotonic() + DEADLINE_FACTOR * self.timeout
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk: bytes = response.read1(1 << 16)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > self.max_bytes:
                raise DocumentError(f"larger than {_mb(self.max_bytes)}; see max_document_mb")
            if time.monotonic() > deadline:
                raise DocumentError(f"not complete after {DEADLINE_FACTOR * self.timeout:g} s "
                                    "(server too slow)")
            chunks.append(chunk)

    def read_json(self, location: str) -> tuple[Any, bool]:
        """Read and parse a document; see :func:`parse_json`."""
        return parse_json(self.read_bytes(location), location)


#: A whole document must arrive within this many times the timeout.
DEADLINE_FACTOR = 10
#: Answers worth another attempt.
RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


def _retry_after(value: str | None) -> float:
    """Seconds from a Retry-After header (numbers only), capped at 60."""
    if value and value.strip().isdigit():
        return min(float(value.strip()), 60.0)
    return 0.0


def _mb(size: int) -> str:
    return f"{size / 1_000_000:g} MB"


def _write_atomic(path: str, data: bytes) -> None:
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def read_local(path: str, max_bytes: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of a local file.

    Raises:
        DocumentError: It is missing, a folder, larger than ``max_bytes`` or unreadable.
    """
    # os.open/fstat/read: half the time of open().read() for an 8 kB item, which every
    # build reads once (and a rebuild only to hash it)
    try:
        fd = os.open(path, _READ_FLAGS)
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError(path)
            if st.st_size > max_bytes:
                raise DocumentError(f"larger than {_mb(max_bytes)} ({_mb(st.st_size)}); "
                                    "see max_document_mb")
            data = os.read(fd, st.st_size + 1)
            if len(data) > st.st_size:  # it grew meanwhile: read to the end
                parts = [data]
                while part := os.read(fd, 1 << 20):
                    parts.append(part)
                data = b"".join(parts)
            return data
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise DocumentError("file not found") from None
    except IsADirectoryError:
        raise DocumentError("is a folder, not a file") from None
    except (OSError, ValueError) as exc:
        raise DocumentError(f"cannot read: {exc.__class__.__name__}: {exc}") from None
