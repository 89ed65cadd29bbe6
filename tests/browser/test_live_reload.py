"""An open page reloads itself when `sitegen serve` rebuilds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from sitegen.build import build
from sitegen.config import Config
from sitegen.serve import Server
from tests.conftest import DATA


def test_open_page_shows_an_edit_by_itself(tmp_path: Path, probe: Any) -> None:
    src = tmp_path / "src"
    shutil.copytree(DATA / "old", src)
    server = Server(str(src), Config(jobs=1), build, port=0, say=lambda _: None)
    server.start()
    try:
        host, port = server.address
        base = f"http://{host}:{port}/"
        tab = probe(allow=(base,))
        tab.page.goto(base + "coll/i2.html")
        tab.page.wait_for_timeout(300)  # the reload script is polling
        item = json.loads((src / "coll" / "i2.json").read_text())
        item["properties"]["title"] = "Reloaded by itself"
        (src / "coll" / "i2.json").write_text(json.dumps(item))
        tab.page.wait_for_selector("h1:has-text('Reloaded by itself')", timeout=5000)
        assert tab.errors == []
    finally:
        server.stop()
