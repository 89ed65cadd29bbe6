"""Output layout (DESIGN section 3): where each document, page and asset goes.

The site mirrors the source tree below the root document's folder. The path of a
document's JSON copy is a pure function of its location (so worker processes can
rewrite links without a global table); page paths need the whole crawl because an
Item alone in its folder gets ``index.html`` and collisions must be settled, so
they come from :class:`PageAllocator`, run once in the main process.

Every path returned here is a relative POSIX path with safe segments; documents
outside the root folder, or whose path would not be safe, go below ``_external/``.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from urllib.parse import quote, unquote, urlparse

from sitegen.sources import is_url, parent_location

STATIC_DIR = "_static"
EXTERNAL_DIR = "_external"
#: Top-level names the generator writes itself; source files may not take them.
RESERVED_TOP = frozenset(
    {STATIC_DIR, EXTERNAL_DIR, "search", "404.html", "sitemap.xml", "robots.txt",
     ".sitegen-build", ".nojekyll"}
)
JSON_SUFFIXES = (".json", ".geojson")
_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f\\:*?"<>|]')
_MAX_SEGMENT = 180
_URL_SAFE = "/-_.~!$&'()*+,;=@"
_KEPT_BY_QUOTE = re.compile(r"[A-Za-z0-9/\-_.~!$&'()*+,;=@]*")


def _safe_segment(segment: str) -> str:
    cleaned = _UNSAFE_CHARS.sub("_", segment).strip(" ")
    if cleaned in ("", ".", "..") or cleaned.startswith(".sitegen"):
        cleaned = "_" + cleaned
    return cleaned[:_MAX_SEGMENT]


def _is_safe_rel(rel: str) -> bool:
    """True when ``_safe_segment`` leaves every segment of ``rel`` as it is (``rel``
    holding no unsafe character); tested on the whole path at once, as every
    document's path is in every build (0.5 against 1.3 microseconds segment by segment)."""
    wrapped = f"/{rel}/"
    return ("//" not in wrapped and "/./" not in wrapped and "/../" not in wrapped
            and "/ " not in wrapped and " /" not in wrapped and "/.sitegen" not in wrapped
            and (len(rel) <= _MAX_SEGMENT
                 or max(map(len, rel.split("/"))) <= _MAX_SEGMENT))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


class Layout:
    """Maps source locations to output paths for one root.

    Args:
        root: Location of the root document.
    """

    def __init__(self, root: str) -> None:
        self.root = root
        self.root_dir = parent_location(root)
        if not is_url(self.root_dir):
            self.root_dir = self.root_dir.rstrip("/") + "/"

    def source_rel(self, location: str) -> str | None:
        """Path of ``location`` relative to the root folder, or None when outside it."""
        if not location.startswith(self.root_dir):
            return None
        rest = location[len(self.root_dir):]
        if is_url(location):
            parsed = urlparse(rest)
            if parsed.query or parsed.fragment:
                return None
            rest = unquote(parsed.path)
        return rest or None

    def file_path(self, location: str) -> str | None:
        """Output path of a file mirrored from inside the root folder, or None.

        None when the file is outside the root folder, under a reserved top-level
        name, or its path has segments that are not safe as file names.
        """
        rel = self.source_rel(location)
        if rel is None:
            return None
        if rel.partition("/")[0] in RESERVED_TOP:
            return None
        if _UNSAFE_CHARS.search(rel) or not _is_safe_rel(rel):
            return None
        return rel

    def json_path(self, location: str) -> str:
        """Output path of a STAC document's JSON copy."""
        rel = self.file_path(location)
        if rel is not None and rel.endswith(JSON_SUFFIXES):
            return rel
        base = location.rstrip("/").rsplit("/", 1)[-1]
        base = _safe_segment(unquote(base.split("?", 1)[0])) or "document"
        if not base.endswith(JSON_SUFFIXES):
            base += ".json"
        return f"{EXTERNAL_DIR}/{_digest(location)}/{base}"


def page_stem(json_path: str) -> str:
    """``a/b/item.json`` -> ``a/b/item``."""
    folder, name = posixpath.split(json_path)
    stem = name.rsplit(".", 1)[0] or "page"
    return posixpath.join(folder, stem)


class PageAllocator:
    """Hands out HTML page paths without collisions, deterministically.

    Callers claim in a fixed order (index pages first), so the same crawl always
    gives the same paths.
    """

    def __init__(self) -> None:
        self.taken: set[str] = {"404.html"}

    def claim(self, path: str) -> bool:
        """Take ``path`` if it is free."""
        if path in self.taken:
            return False
        self.taken.add(path)
        return True

    def claim_unique(self, stem: str) -> str:
        """Take ``STEM.html``, or ``STEM-2.html``, ``STEM-3.html``, ... when taken."""
        path = f"{stem}.html"
        n = 2
        while not self.claim(path):
            path = f"{stem}-{n}.html"
            n += 1
        return path


def relative_url(target: str, from_page: str) -> str:
    """A relative, percent-encoded URL from the page at ``from_page`` to ``target``.

    Both are output paths relative to the site root. The result always names a file
    (``../index.html``, never ``../``), so it works from ``file://`` too.
    """
    rel = relative_path(target, from_page.rpartition("/")[0])
    # quoting changes nothing when every character is one it keeps (most paths)
    return rel if _KEPT_BY_QUOTE.fullmatch(rel) else quote(rel, safe=_URL_SAFE)


def relative_path(target: str, start: str) -> str:
    """``posixpath.relpath(target, start)`` for output paths, without its ``getcwd``.

    Output paths are relative and normalised, so plain string work is enough (and
    was a measurable part of every item page, which holds dozens of links). Anything
    else goes through :func:`posixpath.relpath`.
    """
    parts = target.split("/")
    base = start.split("/") if start and start != "." else []
    if "" in parts or "." in parts or ".." in parts or "" in base or "." in base \
            or ".." in base:
        return posixpath.relpath(target, start or ".")
    common = 0
    for a, b in zip(parts, base, strict=False):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(base) - common) + parts[common:]) or "."


def to_root(from_page: str) -> str:
    """Relative prefix from a page to the site root (``""`` or ``../../``)."""
    depth = from_page.count("/")
    return "../" * depth
