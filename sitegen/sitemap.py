"""sitemap.xml (and a sitemap index above 50,000 URLs) and robots.txt.

``lastmod`` comes from the STAC ``updated`` field, else the item's date, and is left out
when neither is known: never the build time, which would tell crawlers that everything
changed on every build. Written as a stream, so a million items need no list in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import BinaryIO
from urllib.parse import quote, urlparse
from xml.sax.saxutils import escape

from sitegen.fields import UTC_STAMP, parse_timestamp

#: The sitemaps.org limit of URLs per file (the 50 MB limit is far off at this count).
MAX_URLS = 50_000
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def w3c_datetime(value: str | None) -> str | None:
    """A STAC timestamp as W3C datetime (UTC, ``Z``), or None when it does not parse."""
    if value and UTC_STAMP.match(value):
        # the usual form: its own first 19 characters once it parses (every item's
        # date goes through here when it is crawled)
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return value[:19] + "Z"
    parsed = parse_timestamp(value)
    return None if parsed is None else parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _entry(base: str, path: str, lastmod: str | None) -> bytes:
    loc = escape(base + quote(path))
    stamp = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    return f"  <url><loc>{loc}</loc>{stamp}</url>\n".encode()


def write_sitemaps(open_file: Callable[[str], BinaryIO], base: str,
                   pages: Iterable[tuple[str, str | None]]) -> list[str]:
    """Write ``sitemap.xml``; above 50,000 pages, an index of ``sitemap-N.xml`` files.

    Args:
        open_file: Opens a path in the site for writing (the writer's).
        base: The site's absolute base URL, ending in ``/``.
        pages: ``(page path, lastmod or None)`` for every page to list, in order.

    Returns:
        The sitemap files written, ``sitemap.xml`` first.
    """
    parts: list[tuple[str, str | None]] = []
    chunk: list[bytes] = []
    newest: str | None = None

    def write_urlset(name: str) -> None:
        with open_file(name) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
            fh.write(f'<urlset xmlns="{_NS}">\n'.encode())
            fh.writelines(chunk)
            fh.write(b"</urlset>\n")

    for path, lastmod in pages:
        stamp = w3c_datetime(lastmod)
        if stamp and (newest is None or stamp > newest):
            newest = stamp
        chunk.append(_entry(base, path, stamp))
        if len(chunk) == MAX_URLS:
            name = f"sitemap-{len(parts) + 1}.xml"
            write_urlset(name)
            parts.append((name, newest))
            chunk, newest = [], None
    if not parts:
        write_urlset("sitemap.xml")
        return ["sitemap.xml"]
    if chunk:
        name = f"sitemap-{len(parts) + 1}.xml"
        write_urlset(name)
        parts.append((name, newest))
    with open_file("sitemap.xml") as fh:
        fh.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        fh.write(f'<sitemapindex xmlns="{_NS}">\n'.encode())
        for name, stamp in parts:
            mod = f"<lastmod>{stamp}</lastmod>" if stamp else ""
            fh.write(f"  <sitemap><loc>{escape(base + name)}</loc>{mod}</sitemap>\n".encode())
        fh.write(b"</sitemapindex>\n")
    return ["sitemap.xml", *(name for name, _ in parts)]


def robots_txt(base: str) -> str | None:
    """robots.txt naming the sitemap, when the site is at the root of its host (crawlers
    only read robots.txt there); None otherwise."""
    if urlparse(base).path not in ("", "/"):
        return None
    return f"User-agent: *\nAllow: /\n\nSitemap: {base}sitemap.xml\n"
