"""Build reporter: collects warnings and events instead of printing them.

Modelled on Lektor's reporter: the build tells the reporter what happened and the
CLI (or a test) decides what to show. Warnings are also sent to :mod:`logging`.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from sitegen.picklefast import fast_pickle

log = logging.getLogger("sitegen")


@fast_pickle
@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One warning about one input file.

    Attributes:
        file: The document (path or URL) the problem was found in.
        message: What is wrong, in words for a data publisher.
        href: The link or href concerned, when there is one.
    """

    file: str
    message: str
    href: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        link = f" (href {self.href!r})" if self.href is not None else ""
        return f"{where}{self.message}{link}"


def href_text(href: object) -> str | None:
    """An href as written in a catalog, for messages (non-strings as their repr)."""
    if href is None or isinstance(href, str):
        return href
    return repr(href)


@dataclass
class Reporter:
    """Collects what a build did.

    Attributes:
        warnings: Every warning, in the order found.
        pages: Number of HTML pages written per page type.
        written: Pages rendered (kept only when ``record_paths`` is set).
        reused: Pages taken unchanged from the previous build (``record_paths`` only).
        changed: Output files that are new or differ from the previous site
            (``record_paths`` only); files equal to the previous site's are not listed.
        made: Groups of files made together that were made again, by name
            (``search``, ``sitemaps``, ``static``, ``node:LOCATION`` for a node's first
            page and JSON copy, ``page:PATH`` for its further list pages,
            ``lists:LOCATION``; ``record_paths`` only); the others were kept.
        cache: Why the build cache was not used, or None when it was (or is off).
    """

    record_paths: bool = False
    warnings: list[Diagnostic] = field(default_factory=list)
    pages: Counter[str] = field(default_factory=Counter)
    written: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    made: list[str] = field(default_factory=list)
    cache: str | None = None

    def warn(self, file: str, message: str, href: object = None) -> None:
        """Record a warning and log it. ``href`` may be anything a catalog held."""
        diag = Diagnostic(file, message, href_text(href))
        self.warnings.append(diag)
        log.warning("%s", diag)

    def add_diagnostics(self, diags: list[Diagnostic]) -> None:
        """Record warnings produced elsewhere (for example in a worker process)."""
        for diag in diags:
            self.warnings.append(diag)
            log.warning("%s", diag)

    def page(self, kind: str, path: str) -> None:
        """Record one written page of type ``kind``."""
        self.pages[kind] += 1
        if self.record_paths:
            self.written.append(path)

    def reuse(self, kind: str, path: str) -> None:
        """Record one page of type ``kind`` taken from the previous build."""
        self.pages[kind] += 1
        if self.record_paths:
            self.reused.append(path)

    def changed_file(self, path: str) -> None:
        """Record an output file that is new or changed."""
        if self.record_paths:
            self.changed.append(path)

    def made_group(self, name: str) -> None:
        """Record a group of files (see ``made``) that is made, not kept."""
        if self.record_paths:
            self.made.append(name)

    def cache_status(self, reason: str | None) -> None:
        """Called once per build: None when the build cache is used, else why not."""
        self.cache = reason

    def progress_start(self, total: int) -> None:
        """Called once before item pages render. Subclasses show a progress bar."""

    def progress_advance(self, n: int) -> None:
        """Called as item pages finish."""

    def progress_stop(self) -> None:
        """Called when item pages are done."""
