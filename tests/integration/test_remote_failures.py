"""A remote catalog whose server misbehaves in every common way still builds.

The server (127.0.0.1, started and stopped here) hangs, answers 500, 429, HTML instead
of JSON, a redirect loop and an oversized document, and counts requests in flight, so
the limit on concurrent requests and the number of attempts are checked from its side.
"""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen.linkcheck import check_site
from tests.conftest import build_site

ITEMS = 24


def _doc(kind: str, ident: str, links: list[dict[str, str]], **extra: Any) -> bytes:
    doc: dict[str, Any] = {"type": kind, "stac_version": "1.0.0", "id": ident,
                           "links": links, **extra}
    if kind != "Feature":
        doc["description"] = f"{ident} served by a misbehaving server"
    if kind == "Collection":
        doc.update(license="CC-BY-4.0", extent={
            "spatial": {"bbox": [[10, 50, 12, 52]]},
            "temporal": {"interval": [["2020-01-01T00:00:00Z", None]]}})
    return json.dumps(doc).encode()


def _item(ident: str) -> bytes:
    return _doc("Feature", ident, [], collection="good", bbox=[10, 50, 11, 51],
                geometry={"type": "Point", "coordinates": [10.5, 50.5]},
                properties={"datetime": "2020-05-01T00:00:00Z"}, assets={})


class Misbehaving(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: Counter[str] = Counter()
        self.in_flight = 0
        self.most_in_flight = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Misbehaving

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        srv = self.server
        path = self.path.lstrip("/")
        counted = path != "hang.json"  # its handler sleeps on after the client gave up
        with srv.lock:
            srv.requests[path] += 1
            count = srv.requests[path]
            srv.in_flight += counted
            srv.most_in_flight = max(srv.most_in_flight, srv.in_flight)
        try:
            self._answer(path, count)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with srv.lock:
                srv.in_flight -= counted

    def _send(self, status: int, body: bytes, content_type: str = "application/json",
              **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _answer(self, path: str, count: int) -> None:
        child = [{"rel": "child", "href": name} for name in (
            "good/collection.json", "hang.json", "fail.json", "flaky.json", "busy.json",
            "html.json", "loop.json", "big.json", "gone.json")]
        item_links = [{"rel": "item", "href": f"i{n}.json"} for n in range(ITEMS)]
        if path == "catalog.json":
            self._send(200, _doc("Catalog", "root", child))
        elif path == "good/collection.json":
            self._send(200, _doc("Collection", "good",
                                 [*item_links, {"rel": "item", "href": "broken-item.json"}]))
        elif path.startswith("good/i"):
            time.sleep(0.05)  # long enough for requests to overlap
            self._send(200, _item(path[5:-5]))
        elif path == "good/broken-item.json":
            self._send(500, b"{}")
        elif path == "hang.json":
            self.server.stop.wait(30)
        elif path == "fail.json":
            self._send(500, b'{"error": "internal"}')
        elif path == "flaky.json":
            if count == 1:
                self._send(503, b"busy")
            else:
                self._send(200, _doc("Catalog", "flaky", []))
        elif path == "busy.json":
            if count == 1:
                self._send(429, b"slow down", Retry_After="1")
            else:
                self._send(200, _doc("Catalog", "busy", []))
        elif path == "html.json":
            self._send(200, b"<!DOCTYPE html><html><body>Please log in</body></html>",
                       "text/html; charset=utf-8")
        elif path in ("loop.json", "loop2.json"):
            self.send_response(302)
            self.send_header("Location", "loop2.json" if path == "loop.json" else "loop.json")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "big.json":
            self._send(200, _doc("Catalog", "big", [], padding="x" * 50_000))
        else:
            self._send(404, b"not found", "text/plain")


@pytest.fixture
def server() -> Iterator[Misbehaving]:
    srv = Misbehaving()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.stop.set()
    srv.shutdown()
    srv.server_close()


LIMITS = {"timeout": 0.5, "retries": 1, "max_connections": 3, "max_document_mb": 0.02}


@pytest.mark.parametrize("jobs", [1, 2])
def test_misbehaving_server(tmp_path: Path, server: Misbehaving, jobs: int) -> None:
    started = time.monotonic()
    built = build_site(server.base + "catalog.json", tmp_path / "site", jobs=jobs, **LIMITS)
    elapsed = time.monotonic() - started
    text = built.warnings_text()
    base = server.base
    # every failure is one warning naming the document and the reason
    expected = {
        "hang.json": "no answer within 0.5 s",
        "fail.json": "HTTP 500",
        "html.json": "HTML page, not JSON",
        "loop.json": "redirect loop",
        "big.json": "larger than 0.02 MB",
        "gone.json": "HTTP 404",
        "good/broken-item.json": "HTTP 500",
    }
    for name, reason in expected.items():
        lines = [w for w in text.splitlines() if base + name in w]
        assert len(lines) == 1 and reason in lines[0], (name, text)
    assert built.result.warnings == len(expected), text
    # retried once after 500/503/429/timeouts, never again by a worker
    for name in ("hang.json", "fail.json", "good/broken-item.json"):
        assert server.requests[name] == 2, (name, server.requests)
    assert server.requests["flaky.json"] == server.requests["busy.json"] == 2
    assert server.requests["html.json"] == server.requests["big.json"] == 1
    assert all(server.requests[f"good/i{n}.json"] == 1 for n in range(ITEMS))
    # the limit on concurrent requests holds, and requests do overlap
    assert 2 <= server.most_in_flight <= LIMITS["max_connections"]
    # what could be read was built
    assert built.result.pages == {"catalog": 3, "collection": 1, "item": ITEMS}
    assert (built.out / "flaky.html").is_file()
    assert (built.out / "busy.html").is_file()
    report = check_site(built.out)
    assert report.broken == []
    # the hang cost two timeouts and a backoff, not the server's 30 s
    assert elapsed < 20


def test_misbehaving_server_from_the_command_line(tmp_path: Path, server: Misbehaving) -> None:
    (tmp_path / "sitegen.toml").write_text(
        "".join(f"{key} = {value}\n" for key, value in LIMITS.items()), encoding="utf-8")
    env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", server.base + "catalog.json", "-o", "site",
         "--jobs", "2"], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120,
        check=False)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "redirect loop" in done.stderr and "HTML page, not JSON" in done.stderr
    assert (tmp_path / "site" / "good" / "index.html").is_file()
    # --strict turns the same warnings into a failed build that keeps no partial site
    strict = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", server.base + "catalog.json", "-o",
         "strict-site", "--strict"], cwd=tmp_path, capture_output=True, text=True, env=env,
        timeout=120, check=False)
    assert strict.returncode == 1 and "Traceback" not in strict.stderr
    assert not (tmp_path / "strict-site" / "index.html").exists()


def test_unreachable_server_fails_fast_with_a_message(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # nothing listens on the port any more: connection refused, retried, then an error
    from sitegen.errors import SourceError

    with pytest.raises(SourceError, match="cannot fetch"):
        build_site(f"http://127.0.0.1:{port}/catalog.json", tmp_path / "site", retries=0)


class _Drip(http.server.BaseHTTPRequestHandler):
    """Sends a JSON document one byte every 50 ms: each read is quick, the whole is not."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        try:
            for _ in range(200):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.05)
            self.wfile.write(b"{}")
        except (BrokenPipeError, ConnectionResetError):
            pass


def test_a_document_that_drips_in_hits_the_whole_document_deadline() -> None:
    from sitegen.sources import DocumentError, Reader

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Drip)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        started = time.monotonic()
        with pytest.raises(DocumentError, match="not complete after 2 s"):
            Reader(timeout=0.2, retries=0).read_bytes(
                f"http://127.0.0.1:{srv.server_address[1]}/slow.json")
        assert time.monotonic() - started < 5
    finally:
        srv.shutdown()
        srv.server_close()
