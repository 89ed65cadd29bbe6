"""Check a built site: every internal link resolves, nothing loads from other hosts.

Used by the tests on every fixture and real catalog; it only reads the site.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

#: (tag, attribute) pairs whose URL the browser loads by itself, without a click.
_LOADS = {("img", "src"), ("script", "src"), ("link", "href"), ("iframe", "src"),
          ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"),
          ("object", "data")}
_LINK_ATTRS = {"href", "src", "data"}
#: A start tag, quoted attribute values included (they may hold ``>``). Only tags
#: with a URL attribute are parsed further: far quicker than Python's HTMLParser.
_TAG_RE = re.compile(
    r"""<[a-zA-Z][^\s/>]*(?:[\s/]+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*"""
    r"""[\s/]*>""")
_HAS_URL_RE = re.compile(r"[\s/](?:href|src|data)\s*=", re.I)
#: Comments and the bodies of script and style elements hold no tags.
_SKIP_RE = re.compile(r"<!--.*?-->|<(script|style)\b([^>]*)>.*?</\1\s*>", re.S | re.I)


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


_ATTR_RE = re.compile(r"""([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


def _keep_start_tag(match: re.Match[str]) -> str:
    return f"<{match.group(1)}{match.group(2)}>" if match.group(1) else ""


def _urls(text: str) -> list[tuple[str, str, str]]:
    """``(tag, attribute, url)`` of every URL-carrying attribute of the page's start tags.

    Attributes are parsed as the HTML standard tokenizes them (double, single or no
    quotes; character references decoded). Text, comments and script bodies are skipped.
    """
    urls: list[tuple[str, str, str]] = []
    for match in _TAG_RE.finditer(_SKIP_RE.sub(_keep_start_tag, text)):
        tag_text = match.group()
        if not _HAS_URL_RE.search(tag_text):
            continue
        name_end = 1
        while name_end < len(tag_text) and not tag_text[name_end].isspace():
            name_end += 1
        tag = tag_text[1:name_end].lower()
        attrs: dict[str, str] = {}
        for attr in _ATTR_RE.finditer(tag_text, name_end, len(tag_text) - 1):
            key = attr.group(1).lower()
            value = next((v for v in attr.groups()[1:] if v is not None), "")
            attrs.setdefault(key, html.unescape(value))
        rel = attrs.get("rel", "")
        for key, value in attrs.items():
            if key not in _LINK_ATTRS:
                continue
            # <link rel="canonical"> names the published URL; it is not loaded.
            if tag == "link" and rel in ("canonical", "alternate") and \
                    value.startswith(("http://", "https://")):
                continue
            urls.append((tag, key, value))
    return urls


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
        text = (site / rel_page).read_text(encoding="utf-8")
        page_dir = os.path.dirname(rel_page)
        for tag, attr, url in _urls(text):
            try:
                parsed = urlparse(url)
            except ValueError:  # "http://]/x": urllib refuses the host; not a site link
                if (tag, attr) in _LOADS:
                    report.external_loads.append((rel_page, url))
                continue
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
