"""`sitegen serve`, `build --watch` and `init`: live reload, resilience, valid files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from sitegen.build import build
from sitegen.config import Config
from sitegen.init import init
from sitegen.serve import RELOAD_PATH, SCRIPT_PATH, Server, content_type
from tests.conftest import DATA


def get(url: str, timeout: float = 10) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


@pytest.fixture
def served(tmp_path: Path) -> Any:
    src = tmp_path / "src"
    shutil.copytree(DATA / "old", src)
    lines: list[str] = []
    server = Server(str(src), Config(jobs=1), build, port=0, say=lines.append)
    server.start()
    host, port = server.address
    yield server, src, f"http://{host}:{port}/", lines
    server.stop()


def wait_for(check: Any, limit: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if check():
            return time.perf_counter() - started
        time.sleep(0.05)
    raise AssertionError(f"not within {limit} s")


def test_served_pages_reload_after_an_item_changes(served: Any) -> None:
    server, src, base, _lines = served
    status, kind, page = get(base + "coll/i2.html")
    assert status == 200 and kind.startswith("text/html")
    assert f'<script src="{SCRIPT_PATH}"></script>' in page  # only in served pages
    assert SCRIPT_PATH not in (server.tmp / "site" / "coll" / "i2.html").read_text()
    generation = server.state.generation
    item = json.loads((src / "coll" / "i2.json").read_text())
    item["properties"]["title"] = "Changed title"
    (src / "coll" / "i2.json").write_text(json.dumps(item))
    seconds = wait_for(lambda: "Changed title" in get(base + "coll/i2.html")[2], 2.0)
    assert seconds < 2.0
    # the reload endpoint tells open pages that there is a new build
    _s, kind, body = get(base + RELOAD_PATH + f"?since={generation}")
    assert kind == "application/json" and json.loads(body)["generation"] > generation


def test_broken_json_keeps_the_last_good_site_with_a_banner(served: Any) -> None:
    server, src, base, lines = served
    (src / "catalog.json").write_text('{"stac_version": "0.8.1", "links": [')
    wait_for(lambda: server.state.error is not None, 3.0)
    status, _kind, page = get(base + "index.html")
    assert status == 200 and "old-coll" in page  # the last good root page
    assert 'id="sitegen-error"' in page and "invalid JSON" in page
    assert any("still serving the last good site" in line for line in lines)
    (src / "catalog.json").write_text((DATA / "old" / "catalog.json").read_text())
    wait_for(lambda: server.state.error is None, 3.0)
    assert 'id="sitegen-error"' not in get(base + "index.html")[2]


def test_binds_loopback_by_default_and_types_are_right(served: Any) -> None:
    server, _src, base, _lines = served
    assert server.address[0] == "127.0.0.1"
    for name, kind in (("x.js", "text/javascript"), ("x.json", "application/json"),
                       ("x.geojson", "application/geo+json"),
                       ("x.meta4", "application/metalink4+xml")):
        assert content_type(name) == kind
    assert get(base + "catalog.json")[1] == "application/json"
    assert get(base + "../../etc/passwd")[0] == 404
    assert get(base + "no/such/page.html")[0] == 404


def test_init_writes_valid_files(tmp_path: Path) -> None:
    written, kept = init(tmp_path, "catalog.json", github_pages=True, s3_bucket="my-bucket")
    assert kept == []
    assert {p.name for p in written} == {"sitegen.toml", "sitegen-pages.yml", "deploy-s3.sh"}
    assert tomllib.loads((tmp_path / "sitegen.toml").read_text()) == {}  # all commented
    options = {f.name for f in Config.options()}
    # every option line, uncommented, is valid TOML giving the default
    uncommented = [line[2:] for line in (tmp_path / "sitegen.toml").read_text().splitlines()
                   if line.startswith("# ") and line[2:].split(" = ")[0] in options
                   and not line.rstrip().endswith("=")]
    defaults = tomllib.loads("\n".join(uncommented))
    assert defaults["tiles_attribution"] == Config().tiles_attribution
    assert defaults["items_per_page"] == 100 and defaults["tiles"].startswith("https://")
    workflow = yaml.safe_load((tmp_path / ".github/workflows/sitegen-pages.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    assert any("sitegen build catalog.json" in str(s.get("run", "")) for s in steps)
    assert workflow["permissions"]["pages"] == "write"
    script = (tmp_path / "deploy-s3.sh").read_text()
    assert 'bucket="s3://my-bucket"' in script and "application/geo+json" in script
    assert subprocess.run(["sh", "-n", str(tmp_path / "deploy-s3.sh")]).returncode == 0
    from sitegen.errors import OutputError

    with pytest.raises(OutputError):
        init(tmp_path, "catalog.json")  # never overwrites
    # a deploy file added later: the others are kept as they are
    (tmp_path / "deploy-s3.sh").unlink()
    (tmp_path / "sitegen.toml").write_text("title = 'mine'\n", encoding="utf-8")
    assert init(tmp_path, "catalog.json", s3_bucket="other") == (
        [tmp_path / "deploy-s3.sh"], [tmp_path / "sitegen.toml"])
    assert (tmp_path / "sitegen.toml").read_text(encoding="utf-8") == "title = 'mine'\n"


def test_cli_serve_refuses_a_busy_port_with_a_message(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "sitegen", "serve", str(DATA / "old"),
                               "--port", str(port)], capture_output=True, text=True,
                              timeout=60, cwd=tmp_path)
    assert proc.returncode == 1 and "cannot listen" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_url_source_is_served_without_watching(tmp_path: Path, http_serve: Any) -> None:
    base = http_serve(DATA / "old")
    lines: list[str] = []
    server = Server(base + "catalog.json", Config(jobs=1), build, port=0, say=lines.append)
    server.start()
    try:
        host, port = server.address
        assert get(f"http://{host}:{port}/index.html")[0] == 200
        assert server.watcher is None and any("not watching" in line for line in lines)
    finally:
        server.stop()


def _wait_line(proc: subprocess.Popen[str], text: str, limit: float = 60) -> None:
    started = time.perf_counter()
    assert proc.stderr is not None
    while time.perf_counter() - started < limit:
        line = proc.stderr.readline()
        if text in line:
            return
    raise AssertionError(f"no line with {text!r}")


def test_build_watch_rebuilds_and_ctrl_c_stops(tmp_path: Path) -> None:
    import signal

    src = tmp_path / "src"
    shutil.copytree(DATA / "old", src)
    with subprocess.Popen([sys.executable, "-m", "sitegen", "build", str(src), "-o",
                           str(tmp_path / "out"), "--watch", "--jobs", "1"],
                          stderr=subprocess.PIPE, text=True, cwd=tmp_path) as proc:
        try:
            _wait_line(proc, "watching for changes")
            item = json.loads((src / "coll" / "i1.json").read_text())
            item["properties"]["title"] = "Watched title"
            (src / "coll" / "i1.json").write_text(json.dumps(item))
            page = tmp_path / "out" / "coll" / "i1.html"
            wait_for(lambda: page.is_file() and "Watched title" in page.read_text(), 10.0)
            assert SCRIPT_PATH not in page.read_text()  # build output never gets the script
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=20)
    assert proc.returncode == 0


def test_cli_serve_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    import os
    import signal

    caches = Path(os.environ["SITEGEN_CACHE_DIR"])
    before = set(caches.iterdir()) if caches.is_dir() else set()
    with subprocess.Popen([sys.executable, "-m", "sitegen", "serve", str(DATA / "old"),
                           "--port", "0", "--jobs", "1"], stderr=subprocess.PIPE, text=True,
                          cwd=tmp_path) as proc:
        try:
            _wait_line(proc, "serving on http://127.0.0.1:")
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=20)
        assert proc.stderr is not None and "Traceback" not in proc.stderr.read()
    assert proc.returncode == 0
    # the temporary site's build cache goes with it
    assert (set(caches.iterdir()) if caches.is_dir() else set()) == before
