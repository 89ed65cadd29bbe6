"""Shared test helpers: building fixture sites, the shared real-world catalogs, http."""

from __future__ import annotations

import atexit
import functools
import http.server
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from sitegen.build import BuildResult, build
from sitegen.config import Config
from sitegen.reporter import Reporter

#: Build caches of the test builds go to a folder of their own, not the user's cache
#: (set before any build, and inherited by the sitegen processes tests start).
os.environ["SITEGEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="sitegen-test-caches-")
atexit.register(shutil.rmtree, os.environ["SITEGEN_CACHE_DIR"], True)

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
SAMPLE = REPO / "sample_catalog"
SHARED = REPO.parent / "shared" / "catalogs"


@dataclass
class Built:
    """A finished build: where, what it reported, and its warnings."""

    out: Path
    result: BuildResult
    reporter: Reporter

    def html(self, rel: str) -> str:
        return (self.out / rel).read_text(encoding="utf-8")

    def json(self, rel: str) -> Any:
        return json.loads((self.out / rel).read_text(encoding="utf-8"))

    def warnings_text(self) -> str:
        return "\n".join(str(w) for w in self.reporter.warnings)


def build_site(source: str | Path, out: Path, **options: Any) -> Built:
    """Build ``source`` into ``out`` in-process (one job unless ``jobs`` is given)."""
    options.setdefault("jobs", 1)
    reporter = Reporter(record_paths=True)
    result = build(str(source), Config(output=str(out), **options), reporter)
    return Built(out, result, reporter)


def shared_roots() -> list[tuple[str, str, dict[str, Any]]]:
    """``(tree, root file, expected counts)`` for every root in ../shared/catalogs."""
    inventory = SHARED / "inventory.json"
    if not inventory.is_file():
        return []
    data = json.loads(inventory.read_text(encoding="utf-8"))
    return [(tree, root, counts) for tree, entry in sorted(data.items())
            for root, counts in sorted(entry["roots"].items())]


needs_shared = pytest.mark.skipif(not shared_roots(), reason="../shared/catalogs not present")


class ElementCollector(HTMLParser):
    """Collects every start tag with its attributes, and text of <title>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> ElementCollector:
    collector = ElementCollector()
    collector.feed(text)
    return collector


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture
def http_serve() -> Iterator[Any]:
    """Serve folders on 127.0.0.1 (ephemeral ports); returns ``serve(dir) -> base URL``."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(directory: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def own_scripts_only(page: Path, site_root: Path) -> None:
    """Assert every <script> on a page is ours: a file under _static/ or the search index
    in search/, or JSON data (no inline code)."""
    text = page.read_text(encoding="utf-8")
    parsed = parse_html(text)
    ours = ((site_root / "_static").resolve(), (site_root / "search").resolve())
    for tag, attrs in parsed.tags:
        if tag != "script":
            continue
        if attrs.get("type") in ("application/json", "application/ld+json"):
            assert not attrs.get("src"), (page, attrs)
            continue
        src = attrs.get("src")
        assert src and not attrs.get("type"), f"inline or odd script in {page}: {attrs}"
        target = (page.parent / src).resolve()
        assert any(folder in target.parents for folder in ours), (page, src)
        assert target.is_file(), (page, src)
    assert text.count("<script") == text.count("</script>") == \
        sum(1 for tag, _ in parsed.tags if tag == "script")
