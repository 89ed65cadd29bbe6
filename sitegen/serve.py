"""``sitegen serve``: build, serve on 127.0.0.1, rebuild on change, reload open tabs.

The site is built into a temporary folder and served from there. Served HTML pages get
a small reload script (and, after a failed rebuild, an error banner) added on the way
out: the files themselves are the same as ``sitegen build`` writes. The script
long-polls ``/__sitegen__/reload?since=N`` and reloads the page when the build
generation changes. A failed rebuild keeps the last good site.
"""

from __future__ import annotations

import html
import http.server
import json
import logging
import mimetypes
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from sitegen.cache import BuildCache
from sitegen.config import Config
from sitegen.errors import SitegenError
from sitegen.reporter import Reporter
from sitegen.sources import is_url
from sitegen.watch import Watcher

log = logging.getLogger(__name__)
RELOAD_PATH = "/__sitegen__/reload"
SCRIPT_PATH = "/__sitegen__/reload.js"
#: Types the standard library guesses wrong or not at all.
TYPES = {".js": "text/javascript", ".json": "application/json",
         ".geojson": "application/geo+json", ".meta4": "application/metalink4+xml",
         ".sh": "text/x-shellscript", ".txt": "text/plain"}
RELOAD_JS = b"""(function () {
  var generation = %d;
  function poll() {
    fetch("%s?since=" + generation).then(function (r) { return r.json(); }).then(function (d) {
      if (d.generation !== generation) { window.location.reload(); } else { poll(); }
    }, function () { window.setTimeout(poll, 2000); });
  }
  poll();
})();
"""


@dataclass
class State:
    """What the server shares with the rebuild thread."""

    generation: int = 0
    error: str | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)

    def bump(self, error: str | None) -> None:
        with self.changed:
            self.generation += 1
            self.error = error
            self.changed.notify_all()


def content_type(path: str) -> str:
    suffix = os.path.splitext(path)[1].lower()
    if suffix in TYPES:
        return TYPES[suffix]
    guessed = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return guessed + ("; charset=utf-8" if guessed.startswith("text/") else "")


def make_handler(root: Path, state: State) -> type[http.server.BaseHTTPRequestHandler]:
    """A request handler serving ``root`` with the reload script and endpoint."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            log.debug(format, *args)

        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            url = urlparse(self.path)
            if url.path == RELOAD_PATH:
                self._reload(parse_qs(url.query))
                return
            if url.path == SCRIPT_PATH:
                self._send(200, "text/javascript",
                           RELOAD_JS % (state.generation, RELOAD_PATH.encode()))
                return
            rel = unquote(url.path).lstrip("/")
            target = (root / rel).resolve()
            if root.resolve() not in target.parents and target != root.resolve():
                self._send(404, "text/plain; charset=utf-8", b"not found")
                return
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                page = root / "404.html"
                body = page.read_bytes() if page.is_file() else b"not found"
                self._send(404, "text/html; charset=utf-8", self._inject(body))
                return
            body = target.read_bytes()
            kind = content_type(str(target))
            if kind.startswith("text/html"):
                body = self._inject(body)
            self._send(200, kind, body)

        def _inject(self, body: bytes) -> bytes:
            extra = f'<script src="{SCRIPT_PATH}"></script>'
            if state.error:
                extra += ('<div id="sitegen-error" role="alert" style="position:fixed;left:0;'
                          'right:0;bottom:0;z-index:10000;background:#b00020;color:#fff;'
                          'padding:.75rem 1rem;font:14px/1.4 system-ui,sans-serif;'
                          'white-space:pre-wrap">Rebuild failed; showing the last good site.'
                          "\n" + html.escape(state.error) + "</div>")
            data = extra.encode("utf-8")
            index = body.rfind(b"</body>")
            return body[:index] + data + body[index:] if index >= 0 else body + data

        def _reload(self, query: dict[str, list[str]]) -> None:
            try:
                since = int(query.get("since", ["-1"])[0])
            except ValueError:
                since = -1
            with state.changed:
                state.changed.wait_for(lambda: state.generation != since, timeout=25)
                data = {"generation": state.generation, "error": state.error}
            self._send(200, "application/json", json.dumps(data).encode())

        def _send(self, code: int, kind: str, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return Handler


class Server:
    """Builds ``source`` into a temporary folder, serves it, rebuilds on change.

    Args:
        source: Catalog root (path or URL) or None for the sample.
        config: Build options (``output`` is replaced by the temporary folder).
        build: The build function (``sitegen.build.build``), injected for tests.
        host, port: Where to listen; port 0 picks a free one.
        watch_paths: Extra files or folders to watch (config file, theme).
        say: Prints a line to the user.
    """

    def __init__(self, source: str | None, config: Config, build: Callable[..., Any],
                 host: str = "127.0.0.1", port: int = 8000,
                 watch_paths: tuple[Path, ...] = (),
                 say: Callable[[str], None] = print) -> None:
        self.source = source
        self.build = build
        self.say = say
        self.tmp = Path(tempfile.mkdtemp(prefix="sitegen-serve-"))
        self.config = replace(config, output=str(self.tmp / "site"))
        self.state = State()
        self.httpd = http.server.ThreadingHTTPServer(
            (host, port), make_handler(self.tmp / "site", self.state))
        self.httpd.daemon_threads = True
        self.watcher: Watcher | None = None
        self._lock = threading.Lock()
        if source is not None and is_url(source):
            self.say("the source is a URL: not watching for changes")
        else:
            from sitegen.build import bundled_source

            local = Path(source if source is not None else bundled_source())
            paths = (local if local.is_dir() else local.parent, *watch_paths)
            self.watcher = Watcher(paths, self.rebuild, ignore=(self.tmp,))

    @property
    def address(self) -> tuple[str, int]:
        host, port = self.httpd.server_address[:2]
        return str(host), int(port)

    def rebuild(self) -> bool:
        """Build once; on failure keep serving the last good site. True when built."""
        with self._lock:
            started = time.perf_counter()
            try:
                result = self.build(self.source, self.config, Reporter())
            except SitegenError as exc:
                self.say(f"error: {exc} (still serving the last good site)")
                self.state.bump(str(exc))
                return False
            self.say(f"built {sum(result.pages.values())} pages in "
                     f"{time.perf_counter() - started:.1f} s")
            self.state.bump(None)
            return True

    def start(self) -> None:
        """First build, then serve and watch in background threads."""
        self.rebuild()
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        if self.watcher is not None:
            self.watcher.start()

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        self.httpd.shutdown()
        self.httpd.server_close()
        with self.state.changed:
            self.state.changed.notify_all()
        shutil.rmtree(self.tmp, ignore_errors=True)
        # The temporary site's build cache made rebuilds quick; it has no use after.
        BuildCache.remove(Path(self.config.output))
