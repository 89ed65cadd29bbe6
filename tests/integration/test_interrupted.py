"""A build killed with SIGKILL midway leaves the previous site exactly as it was."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path


def _digest(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _catalog(root: Path, items: int, title: str) -> None:
    links = []
    for n in range(items):
        item_id = f"scene-{n:05d}"
        folder = root / "col" / item_id
        folder.mkdir(parents=True, exist_ok=True)
        assets = {f"b{k}": {"href": f"https://data.example.org/{item_id}/b{k}.tif",
                            "type": "image/tiff; application=geotiff", "roles": ["data"],
                            "title": f"Band {k}"} for k in range(8)}
        (folder / f"{item_id}.json").write_text(json.dumps({
            "type": "Feature", "stac_version": "1.0.0", "id": item_id,
            "bbox": [n % 170, 10, n % 170 + 1, 11],
            "geometry": {"type": "Point", "coordinates": [n % 170 + 0.5, 10.5]},
            "properties": {"datetime": "2023-05-01T10:00:00Z", "title": f"{title} {n}"},
            "links": [], "assets": assets}), encoding="utf-8")
        links.append({"rel": "item", "href": f"./{item_id}/{item_id}.json"})
    (root / "col" / "collection.json").write_text(json.dumps({
        "type": "Collection", "stac_version": "1.0.0", "id": "col", "title": title,
        "description": "Scenes.", "license": "CC0-1.0",
        "extent": {"spatial": {"bbox": [[0, 10, 171, 11]]},
                   "temporal": {"interval": [["2023-01-01T00:00:00Z", None]]}},
        "links": links}), encoding="utf-8")
    (root / "catalog.json").write_text(json.dumps({
        "type": "Catalog", "stac_version": "1.0.0", "id": "root", "description": title,
        "links": [{"rel": "child", "href": "./col/collection.json"}]}), encoding="utf-8")


def _command(source: Path, site: Path) -> list[str]:
    return [sys.executable, "-m", "sitegen", "build", str(source), "-o", str(site),
            "--jobs", "2"]


def _build(source: Path, site: Path) -> None:
    proc = subprocess.run(_command(source, site), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr


def test_sigkill_midway_keeps_the_previous_site_and_leaves_nothing(tmp_path: Path) -> None:
    source, site = tmp_path / "catalog", tmp_path / "site"
    _catalog(source, 1500, "First")
    _build(source, site)
    before = _digest(site)
    assert len(before) > 1500
    _catalog(source, 1500, "Second")

    build = subprocess.Popen(_command(source, site), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    staged = 0
    while time.monotonic() < deadline and build.poll() is None:
        staging = [p for p in tmp_path.glob(".site.sitegen-tmp-*") if p.is_dir()]
        staged = sum(1 for _ in staging[0].rglob("index.html")) if staging else 0
        if staged > 100:
            break
        time.sleep(0.05)
    assert build.poll() is None, "the build ended before it could be killed"
    assert staged > 100
    os.killpg(build.pid, signal.SIGKILL)  # the build and its worker processes
    build.wait(timeout=60)

    assert _digest(site) == before  # byte for byte
    assert any(tmp_path.glob(".site.sitegen-tmp-*"))  # what a kill leaves behind

    _build(source, site)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["catalog", "site"]
    assert "Second" in (site / "col" / "index.html").read_text(encoding="utf-8")
