"""Href policy: what a catalog href becomes in the site, and the JSON copies' links.

Untrusted hrefs (DESIGN section 7): only http, https and relative hrefs become
clickable (``mailto`` too, in markdown); ``javascript:``, ``data:`` and every other
scheme are shown as text. Local files that an asset names are copied into the site
when they sit inside the root folder, so relative hrefs keep working; a file that
is missing or outside the folder is shown without a link rather than a broken one.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import quote

import orjson

from sitegen.i18n import M_
from sitegen.layout import Layout, relative_path, relative_url
from sitegen.sources import is_plain_url, resolve_href

#: Schemes that are data locations (shown as copyable text with a note).
STORAGE_SCHEMES = ("s3", "gs", "gcs", "az", "abfs", "abfss", "wasb", "wasbs", "ftp", "ftps",
                   "sftp", "hdfs", "oss", "r2")
#: Extensions never copied as assets: they would be served as pages of this site.
NO_COPY_SUFFIXES = (".html", ".htm", ".xhtml", ".svg", ".js", ".mjs")
#: Resolved hrefs a policy remembers before it starts over.
_MEMO = 4096
#: URLs kept by :meth:`HrefPolicy.asset` (those of the last items), then forgotten.
_URLS = 512
#: The policy's memories of answers (attributes made on first use, never pickled).
_MEMORIES = ("_memo", "_urls")


class Target(NamedTuple):
    """What an href becomes in one page (a named tuple: made dozens of times a page).

    Attributes:
        url: Relative or absolute URL to link to, or None when not clickable.
        text: The href as the catalog wrote it (always shown, selectable).
        note: Why there is no link, or what kind of link it is.
        copy: ``(source file, output path)`` when the file must be copied into the site.
    """

    url: str | None
    text: str
    note: str | None = None
    copy: tuple[str, str] | None = None


@dataclass(frozen=True)
class HrefPolicy:
    """Decides the fate of hrefs for one build. Picklable for worker processes.

    Attributes:
        layout: The output layout.
        remote_root: True when the catalog was read over http(s).
        copy_assets: Copy local files inside the root folder into the site.
        asset_base_url: Where the source folder is published (for files not copied).
        remote_images: Pages may load images from other hosts.
    """

    layout: Layout
    remote_root: bool
    copy_assets: bool
    asset_base_url: str | None
    remote_images: bool = False

    def may_inline(self, url: str) -> bool:
        """True when a page may load ``url`` by itself (an ``<img>``, not a click)."""
        return self.remote_images or not url.startswith(("http://", "https://"))

    def web_url(self, target: str) -> str | None:
        """Absolute http(s) URL of a resolved location, when it has one."""
        if target.startswith(("http://", "https://")):
            return target
        if self.asset_base_url:
            rel = self.layout.source_rel(target)
            if rel is not None:
                return self.asset_base_url.rstrip("/") + "/" + quote(rel)
        return None

    def _really_inside(self, path: str) -> bool:
        """True when ``path`` is inside the root folder after following symlinks.

        A symlink in a catalog folder (``thumb.png -> /etc/passwd``) must never
        publish the file it points at.
        """
        root = os.path.realpath(self.layout.root_dir)
        return os.path.realpath(path).startswith(root.rstrip(os.sep) + os.sep)

    def asset(self, href: object, base: str, from_page: str) -> Target:
        """Resolve an asset (or thumbnail) href of the document at ``base``.

        Remembered per policy (a page, its JSON copy and its download lists ask for the
        same hrefs from the same folder), for one build: the answer depends on files.
        """
        if not isinstance(href, str):
            return self._asset(href, base, from_page)
        # A URL that needs no work is its own answer, wherever it is asked from: kept
        # by itself for the item's next asks (its page, JSON copy and download lists
        # ask for each of its fifteen or so hrefs), without the memo's tuple key.
        target = self._memory("_urls").get(href)
        if target is not None:
            return target
        if is_plain_url(href):
            return self.plain_url(href)
        key = (href, base, from_page.rpartition("/")[0])
        memo: dict[tuple[str, str, str], Target] = self._memory("_memo")
        target = memo.get(key)
        if target is None:
            if len(memo) >= _MEMO:
                memo.clear()
            target = memo[key] = self._asset(href, base, from_page)
        return target

    def plain_url(self, href: str) -> Target:
        """The answer of :meth:`asset` for ``href``, which the caller knows to be a plain
        http(s) URL (see :func:`sitegen.sources.is_plain_url`), remembered the same way
        without testing it again."""
        urls: dict[str, Target] = self._memory("_urls")
        target = urls.get(href)
        if target is None:
            if len(urls) >= _URLS:
                urls.clear()
            target = urls[href] = Target(url=href, text=href)
        return target

    def _memory(self, name: str) -> dict[Any, Target]:
        """One of the policy's memories of answers (made on first use: the policy is
        frozen, and pickled without them)."""
        memory: dict[Any, Target] | None = self.__dict__.get(name)
        if memory is None:
            memory = {}
            object.__setattr__(self, name, memory)
        return memory

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the memory of answers (workers start their own)."""
        return {k: v for k, v in self.__dict__.items() if k not in _MEMORIES}

    def _asset(self, href: object, base: str, from_page: str) -> Target:
        kind, target = resolve_href(href, base)
        text = href if isinstance(href, str) else ""
        if kind == "remote":
            return Target(url=target, text=text)
        if kind == "other":
            scheme = target.split(":", 1)[0].lower()
            if scheme in STORAGE_SCHEMES:
                return Target(url=None, text=text,
                              note=M_("%(scheme)s:// location: copy it into a tool that reads it",
                                       scheme=scheme))
            return Target(url=None, text=text, note=M_("not a web link; shown as text"))
        if kind == "invalid":
            return Target(url=None, text=text, note=M_("no usable href"))
        rel = self.layout.file_path(target)
        if (rel is not None and self.copy_assets and not rel.lower().endswith(NO_COPY_SUFFIXES)
                and os.path.isfile(target) and self._really_inside(target)):
            return Target(url=relative_url(rel, from_page), text=text, copy=(target, rel))
        web = self.web_url(target)
        if web is not None:
            return Target(url=web, text=text)
        if rel is None:
            return Target(url=None, text=text,
                          note=M_("outside the catalog folder; not published"))
        if not os.path.isfile(target):
            return Target(url=None, text=text, note=M_("file not found in the source folder"))
        return Target(url=None, text=text, note=M_("not copied into this site"))


@dataclass(frozen=True, slots=True)
class DocLinks:
    """Where the structural links of one JSON copy must point (output JSON paths)."""

    json_path: str
    page_path: str
    root_json: str
    parent_json: str | None
    collection_json: str | None = None
    self_url: str | None = None


def rewrite_document(
    raw: dict[str, Any],
    location: str,
    links: DocLinks,
    policy: HrefPolicy,
    member_json: dict[str, str] | None = None,
) -> tuple[bytes, list[tuple[str, str]]]:
    """The JSON copy of a document with links rewritten for the site.

    ``root``, ``parent`` and ``collection`` point at this site's copies; ``child`` and
    ``item`` links to crawled documents (``member_json``: location -> JSON path) point
    at their copies; ``self`` is the published URL (or dropped without a base URL);
    assets and other links follow :meth:`HrefPolicy.asset`, keeping the original href
    where there is nothing better; an ``alternate`` link to the HTML page is added.

    Returns:
        The JSON bytes, and the files to copy into the site for the hrefs it uses.
    """
    doc = dict(raw)
    here = posixpath.dirname(links.json_path) or "."
    copies: list[tuple[str, str]] = []

    def rel_to(path: str) -> str:
        return relative_path(path, here)

    def other_href(href: object) -> object:
        target = policy.asset(href, location, links.json_path)
        if target.copy is not None:
            copies.append(target.copy)
        return target.url if target.url is not None else href

    new_links: list[Any] = []
    raw_links = raw.get("links")
    for link in raw_links if isinstance(raw_links, list) else []:
        if not isinstance(link, dict):
            new_links.append(link)
            continue
        link = dict(link)
        rel = link.get("rel")
        if rel == "self":
            if links.self_url is None:
                continue
            link["href"] = links.self_url
        elif rel == "root":
            link["href"] = rel_to(links.root_json)
        elif rel == "parent" and links.parent_json is not None:
            link["href"] = rel_to(links.parent_json)
        elif rel == "collection" and links.collection_json is not None:
            link["href"] = rel_to(links.collection_json)
        elif rel in ("child", "item") and member_json is not None:
            kind, target = resolve_href(link.get("href"), location)
            if target in member_json:
                link["href"] = rel_to(member_json[target])
            elif kind == "remote" and policy.remote_root:
                link["href"] = target
        elif rel == "alternate" and link.get("type") == "text/html":
            continue
        elif "href" in link:
            link["href"] = other_href(link["href"])
        new_links.append(link)
    new_links.append({"rel": "alternate", "type": "text/html", "title": "HTML page",
                      "href": rel_to(links.page_path)})
    doc["links"] = new_links

    assets = raw.get("assets")
    if isinstance(assets, dict):
        new_assets: dict[str, Any] = {}
        for key, asset in assets.items():
            if isinstance(asset, dict) and "href" in asset:
                asset = dict(asset)
                asset["href"] = other_href(asset["href"])
            new_assets[key] = asset
        doc["assets"] = new_assets
    return dump_json(doc), copies


def dump_json(doc: Any) -> bytes:
    """Deterministic, indented JSON bytes (key order as in the source)."""
    try:
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except TypeError:
        # Integers beyond 64 bits and similar: fall back to the standard library.
        import json

        return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
