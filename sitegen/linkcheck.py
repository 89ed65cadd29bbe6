"""Check a built site: every internal link resolves, nothing loads from other hosts.

Used by the tests on every fixture and real catalog; it only reads the site.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

#: (tag, attribute) pairs whose URL the browser loads by itself, without a click.
_LOADS = {("img", "src"), ("script", "src"), ("link", "href"), ("iframe", "src"),
          ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"),
          ("object", "data")}
_LINK_ATTRS = {"href", "src", "data"}


@dataclass
class LinkReport:
    """Result of :func:`check_site`.

    Attributes:
        pages: HTML files checked.
        links: Internal links checked.
        broken: ``(page, url)`` of internal links whose target file is missing.
        directory_links: ``(page, url)`` of internal links that name a folder, not a file.
        external_loads: ``(page, url)`` of resources loaded from another host.
    """

    pages: int = 0
    links: int = 0
    broken: list[tuple[str, str]] = field(default_factory=list)
    directory_links: list[tuple[str, str]] = field(default_factory=list)
    external_loads: list[tuple[str, str]] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in _LINK_ATTRS and value is not None:
                rel = dict(attrs).get("rel") or ""
                # <link rel="canonical"> names the published URL; it is not loaded.
                if tag == "link" and rel in ("canonical", "alternate") and \
                        value.startswith(("http://", "https://")):
                    continue
                self.urls.append((tag, name, value))


def check_site(site: Path) -> LinkReport:
    """Check every ``.html`` file below ``site``.

    Targets are looked up in one listing of the site (no symlinks are followed: a
    link must name a real file inside the site), which keeps sites with deep trees
    and long breadcrumbs quick to check.
    """
    report = LinkReport()
    root = os.path.realpath(site)
    files: set[str] = set()
    folders: set[str] = {"."}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = os.path.relpath(dirpath, root)
        for name in dirnames:
            folders.add(os.path.normpath(os.path.join(rel_dir, name)))
        for name in filenames:
            if not os.path.islink(os.path.join(dirpath, name)):
                files.add(os.path.normpath(os.path.join(rel_dir, name)))
    for rel_page in sorted(f for f in files if f.endswith(".html")):
        report.pages += 1
        collector = _Collector()
        collector.feed((site / rel_page).read_text(encoding="utf-8"))
        page_dir = os.path.dirname(rel_page)
        for tag, attr, url in collector.urls:
            parsed = urlparse(url)
            if parsed.scheme or url.startswith("//"):
                if (tag, attr) in _LOADS and parsed.scheme in ("http", "https", ""):
                    report.external_loads.append((rel_page, url))
                continue
            if not parsed.path:
                continue  # a fragment on the same page
            report.links += 1
            target = os.path.normpath(os.path.join(page_dir, unquote(parsed.path)))
            if target in folders:
                report.directory_links.append((rel_page, url))
            elif target.startswith("..") or os.path.isabs(target) or target not in files:
                report.broken.append((rel_page, url))
    return report
