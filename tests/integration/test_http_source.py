"""A catalog served over http from 127.0.0.1 builds like the same catalog on disk."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from sitegen.linkcheck import check_site
from tests.conftest import DATA, SAMPLE, build_site


def test_http_root_builds_the_same_pages(tmp_path: Path, http_serve: Any) -> None:
    base = http_serve(SAMPLE)
    remote = build_site(base + "catalog.json", tmp_path / "remote", jobs=2)
    local = build_site(SAMPLE, tmp_path / "local")
    assert remote.result.pages == local.result.pages == {"catalog": 2, "collection": 4,
                                                         "item": 28}
    assert remote.result.warnings == 0, remote.warnings_text()
    assert sorted(p.relative_to(remote.out) for p in remote.out.rglob("*.html")) == \
        sorted(p.relative_to(local.out) for p in local.out.rglob("*.html"))
    report = check_site(remote.out)
    assert report.broken == [] and report.external_loads == []
    # relative asset hrefs of a remote catalog become absolute URLs of their origin
    doc = json.loads((remote.out / "sweden" / "elevation-skane" / "dem-skane-01" /
                      "dem-skane-01.json").read_text(encoding="utf-8"))
    assert doc["assets"]["thumbnail"]["href"] == \
        base + "sweden/elevation-skane/dem-skane-01/thumbnail.png"


def test_http_broken_links_warn_and_the_build_goes_on(tmp_path: Path, http_serve: Any) -> None:
    base = http_serve(DATA / "dag")
    built = build_site(base + "catalog.json", tmp_path / "site")
    assert built.result.pages == {"catalog": 2, "collection": 1, "item": 3}
    text = built.warnings_text()
    assert "HTTP 404" in text and "missing/catalog.json" in text
    assert "invalid JSON" in text


def test_http_root_that_is_missing_is_an_error(tmp_path: Path, http_serve: Any) -> None:
    import pytest

    from sitegen.errors import SourceError

    base = http_serve(tmp_path)
    with pytest.raises(SourceError, match="404"):
        build_site(base + "catalog.json", tmp_path / "site")


def test_local_root_shows_remote_children_without_fetching(tmp_path: Path,
                                                           http_serve: Any) -> None:
    served = tmp_path / "served"
    shutil.copytree(DATA / "old", served)
    base = http_serve(served)
    src = tmp_path / "src"
    src.mkdir()
    (src / "catalog.json").write_text(json.dumps({
        "type": "Catalog", "stac_version": "1.0.0", "id": "mixed", "description": "x",
        "links": [{"rel": "child", "href": base + "catalog.json", "title": "Served elsewhere"}],
    }), encoding="utf-8")
    built = build_site(src, tmp_path / "site")
    assert built.result.pages == {"catalog": 1}
    assert f'href="{base}catalog.json"' in built.html("index.html")
