"""Bulk downloads end to end: the generated download.sh fetches every data file."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import build_site

META4 = "{urn:ietf:params:xml:ns:metalink}"


def _multihash(data: bytes) -> str:
    return "1220" + hashlib.sha256(data).hexdigest()


def make_catalog(root: Path, corrupt: bool = False, hostile: bool = False) -> dict[str, bytes]:
    """A catalog of 2 collections x 2 items with real data files; returns path -> bytes."""
    files: dict[str, bytes] = {}

    def write(rel: str, doc: Any) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(json.dumps(doc, indent=1), encoding="utf-8")

    children = []
    for c in range(2):
        items = []
        for i in range(2):
            item_id = f"item-{c}-{i}"
            assets: dict[str, Any] = {}
            for name in ("red.bin", "nir.bin"):
                data = hashlib.sha256(f"{item_id}/{name}".encode()).digest() * (50 + i)
                rel = f"c{c}/{item_id}/{name}"
                files[rel] = data
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_bytes(data)
                checksum = _multihash(b"wrong" if corrupt and c == 1 and i == 1 and
                                      name == "nir.bin" else data)
                assets[name.split(".")[0]] = {"href": f"./{name}", "roles": ["data"],
                                              "type": "application/octet-stream",
                                              "file:size": len(data), "file:checksum": checksum}
            assets["thumbnail"] = {"href": "./missing-thumb.png", "roles": ["thumbnail"]}
            assets["notes"] = {"href": "./notes.txt", "roles": ["metadata"]}
            if hostile and c == 0 and i == 0:
                assets["evil"] = {"href": "./it's $(touch PWNED) `touch PWNED2`.bin",
                                  "roles": ["data"]}
            write(f"c{c}/{item_id}/{item_id}.json", {
                "type": "Feature", "stac_version": "1.0.0", "id": item_id,
                "geometry": None, "properties": {"datetime": "2022-01-01T00:00:00Z"},
                "links": [], "assets": assets})
            items.append({"rel": "item", "href": f"./{item_id}/{item_id}.json"})
        write(f"c{c}/collection.json", {
            "type": "Collection", "stac_version": "1.0.0", "id": f"c{c}",
            "description": "Downloads", "license": "CC0-1.0",
            "extent": {"spatial": {"bbox": [[0, 0, 1, 1]]},
                       "temporal": {"interval": [[None, None]]}}, "links": items})
        children.append({"rel": "child", "href": f"./c{c}/collection.json"})
    write("catalog.json", {"type": "Catalog", "stac_version": "1.0.0", "id": "dl",
                           "description": "Download fixture", "links": children})
    return files


def run_script(script: Path, target: Path, env: dict[str, str] | None = None,
               cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(["sh", str(script), str(target)], capture_output=True, text=True,
                          env=full_env, cwd=cwd or target.parent, timeout=120)


@pytest.fixture
def served(tmp_path: Path, http_serve: Any) -> tuple[Path, str, dict[str, bytes]]:
    src = tmp_path / "src"
    files = make_catalog(src)
    return src, http_serve(src), files


def test_collection_script_fetches_every_data_file_with_checksums(
        tmp_path: Path, served: tuple[Path, str, dict[str, bytes]]) -> None:
    _, base, files = served
    built = build_site(base + "catalog.json", tmp_path / "site")
    script = built.out / "c0" / "index.download.sh"
    proc = run_script(script, tmp_path / "got")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = {p.relative_to(tmp_path / "got").as_posix(): p.read_bytes()
           for p in (tmp_path / "got").rglob("*") if p.is_file()}
    assert got == {k: v for k, v in files.items() if k.startswith("c0/")}
    assert "4 file(s) ok" in proc.stdout
    # a second run finds every file complete and fetches nothing
    again = run_script(script, tmp_path / "got")
    assert again.returncode == 0 and again.stdout.count("already here") == 4


def test_catalog_lists_cover_everything_below(
        tmp_path: Path, served: tuple[Path, str, dict[str, bytes]]) -> None:
    _, base, files = served
    built = build_site(base + "catalog.json", tmp_path / "site")
    urls = (built.out / "index.urls.txt").read_text().split()
    assert sorted(urls) == sorted(base + k for k in files)
    tree = ET.parse(built.out / "index.meta4")
    entries = tree.getroot().findall(f"{META4}file")
    assert len(entries) == len(files) == 8
    for entry in entries:
        name = entry.get("name") or ""
        assert int(entry.findtext(f"{META4}size") or 0) == len(files[name])
        assert entry.findtext(f"{META4}hash") == hashlib.sha256(files[name]).hexdigest()
        assert entry.find(f"{META4}hash").get("type") == "sha-256"  # type: ignore[union-attr]
        assert entry.findtext(f"{META4}url") == base + name
    proc = run_script(built.out / "index.download.sh", tmp_path / "all")
    assert proc.returncode == 0, proc.stderr
    assert len([p for p in (tmp_path / "all").rglob("*") if p.is_file()]) == 8
    # the item's own lists hold its two data files only (thumbnail, metadata left out)
    item_urls = (built.out / "c1" / "item-1-0" / "index.urls.txt").read_text().split()
    assert item_urls == [base + "c1/item-1-0/red.bin", base + "c1/item-1-0/nir.bin"]
    page = built.html("c1/index.html")
    assert 'href="index.download.sh" download="c1-download.sh"' in page
    assert "4 files" in page


@pytest.mark.skipif(shutil.which("wget") is None, reason="wget not installed")
def test_wget_is_used_when_curl_is_missing(
        tmp_path: Path, served: tuple[Path, str, dict[str, bytes]]) -> None:
    _, base, files = served
    built = build_site(base + "catalog.json", tmp_path / "site")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sh", "wget", "sha256sum", "cut", "mkdir", "dirname", "rm", "wc", "tr", "cp"):
        found = shutil.which(tool)
        if found:
            os.symlink(found, bin_dir / tool)
    proc = run_script(built.out / "c1" / "index.download.sh", tmp_path / "got",
                      env={"PATH": str(bin_dir)})
    assert proc.returncode == 0, proc.stderr
    assert len(list((tmp_path / "got").rglob("*.bin"))) == 4


def test_checksum_mismatch_fails_the_script(tmp_path: Path, http_serve: Any) -> None:
    src = tmp_path / "src"
    make_catalog(src, corrupt=True)
    built = build_site(http_serve(src) + "catalog.json", tmp_path / "site")
    proc = run_script(built.out / "c1" / "index.download.sh", tmp_path / "got")
    assert proc.returncode == 1
    assert "CHECKSUM MISMATCH c1/item-1-1/nir.bin" in proc.stderr
    assert "3 file(s) ok, 1 failed" in proc.stderr


def test_hostile_names_never_run_as_shell_code(tmp_path: Path, http_serve: Any) -> None:
    src = tmp_path / "src"
    make_catalog(src, hostile=True)
    built = build_site(http_serve(src) + "catalog.json", tmp_path / "site")
    work = tmp_path / "work"
    work.mkdir()
    proc = run_script(built.out / "c0" / "index.download.sh", work / "got", cwd=work)
    assert proc.returncode == 1  # the evil file does not exist on the server
    assert "FAILED" in proc.stderr
    for root in (work, tmp_path, built.out):
        assert not list(root.rglob("PWNED*"))


def test_local_site_without_base_url_copies_from_the_site(tmp_path: Path,
                                                          http_serve: Any) -> None:
    src = tmp_path / "src"
    files = make_catalog(src)
    built = build_site(src, tmp_path / "site")
    urls = (built.out / "c0" / "index.urls.txt").read_text().split()
    # no base URL: relative to the list file, and pointing at the copy in the site
    assert not urls[0].startswith("http")
    assert (built.out / "c0" / urls[0]).resolve() == (built.out / "c0/item-0-0/red.bin").resolve()
    # run from the site itself (a USB stick): files are copied from it
    proc = run_script(built.out / "c0" / "index.download.sh", tmp_path / "stick")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "stick" / "c0" / "item-0-1" / "nir.bin").read_bytes() == \
        files["c0/item-0-1/nir.bin"]
    # a copy of the script alone fetches from SITE_URL
    lonely = tmp_path / "lonely.sh"
    shutil.copy(built.out / "c0" / "index.download.sh", lonely)
    no_url = run_script(lonely, tmp_path / "x")
    assert no_url.returncode == 1 and "set SITE_URL" in no_url.stderr
    site_url = http_serve(built.out)
    proc = run_script(lonely, tmp_path / "web", env={"SITE_URL": site_url})
    assert proc.returncode == 0, proc.stderr
    assert len(list((tmp_path / "web").rglob("*.bin"))) == 4


def test_base_url_makes_site_files_absolute(tmp_path: Path) -> None:
    src = tmp_path / "src"
    make_catalog(src)
    built = build_site(src, tmp_path / "site", base_url="https://example.org/data/")
    urls = (built.out / "index.urls.txt").read_text().split()
    assert urls[0] == "https://example.org/data/c0/item-0-0/red.bin"


def test_download_roles_option(tmp_path: Path, served: tuple[Path, str, dict[str, bytes]]
                               ) -> None:
    _, base, _ = served
    built = build_site(base + "catalog.json", tmp_path / "site",
                       download_roles=("data", "metadata"))
    urls = (built.out / "c0" / "item-0-0" / "index.urls.txt").read_text().split()
    assert base + "c0/item-0-0/notes.txt" in urls
