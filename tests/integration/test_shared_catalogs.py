"""Every real-world tree in ../shared/catalogs builds with zero broken internal links."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sitegen.build import crawl_only
from sitegen.config import Config
from sitegen.linkcheck import check_site
from tests.conftest import SHARED, build_site, needs_shared, shared_roots

ROOTS = shared_roots()


@needs_shared
@pytest.mark.parametrize(("tree", "root", "expected"), ROOTS,
                         ids=[f"{t}/{r}" for t, r, _ in ROOTS])
def test_shared_catalog_builds_cleanly(tmp_path: Path, tree: str, root: str,
                                       expected: dict[str, Any]) -> None:
    built = build_site(SHARED / tree / root, tmp_path / "site")
    pages = built.result.pages
    assert (pages.get("catalog", 0), pages.get("collection", 0), pages.get("item", 0)) == (
        expected["catalogs"], expected["collections"], expected["items"])
    report = check_site(built.out)
    assert report.broken == [] and report.directory_links == []
    assert report.external_loads == []
    # every missing link gives a warning that names it
    assert len(built.reporter.warnings) >= expected["missing"]
    # the output is itself a static catalog with the same documents
    again = crawl_only(str(built.out / root), Config())
    assert again.counts() == {"catalog": expected["catalogs"],
                              "collection": expected["collections"],
                              "item": expected["items"]}
