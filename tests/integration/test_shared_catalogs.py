"""Every real-world tree in ../shared/catalogs builds with zero broken internal links."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from sitegen.build import crawl_only
from sitegen.config import Config
from sitegen.fields import is_known
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
    # a rebuild of the unchanged catalog takes everything from the build cache, with
    # the same warnings, and changes no file
    rebuilt = build_site(SHARED / tree / root, tmp_path / "site")
    assert rebuilt.reporter.cache is None
    assert rebuilt.reporter.written == [] and rebuilt.reporter.changed == []
    assert rebuilt.result.pages == pages
    assert [str(w) for w in rebuilt.reporter.warnings] == \
        [str(w) for w in built.reporter.warnings]


#: Prefixes of the common extensions whose fields must all carry a real label.
COMMON = {"eo", "raster", "proj", "sar", "view", "sat", "file", "sci", "version", "processing",
          "label", "timestamps", "grid", "mgrs", "storage", "alternate", "language",
          "classification", "table", "cube", "forecast"}
#: Keys in the shared catalogs that are not fields of any extension (upstream typos).
NOT_FIELDS = {"proj:cpde"}  # stac-spec examples: a typo of proj:code
RAW_REPR = re.compile(r"[\[{]&#39;|[\[{]&#34;|>(None|True|False)<|\{&#34;")


def _keys(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, sub in value.items():
            if isinstance(key, str) and ":" in key and key.split(":")[0] in COMMON:
                found.add(key)
            found |= _keys(sub)
    elif isinstance(value, list):
        for sub in value:
            found |= _keys(sub)
    return found


@needs_shared
@pytest.mark.parametrize(("tree", "root", "expected"), ROOTS,
                         ids=[f"{t}/{r}" for t, r, _ in ROOTS])
def test_shared_pages_label_every_field_and_control_every_asset(
        tmp_path: Path, tree: str, root: str, expected: dict[str, Any]) -> None:
    built = build_site(SHARED / tree / root, tmp_path / "site")
    keys: set[str] = set()
    for doc_path in built.out.rglob("*.json"):
        keys |= _keys(json.loads(doc_path.read_text(encoding="utf-8")))
    unlabelled = sorted(k for k in keys - NOT_FIELDS if not is_known(k))
    assert unlabelled == []
    for page in built.out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not RAW_REPR.search(html), (page, RAW_REPR.search(html))
        cards = html.split('<li class="asset"')[1:]
        if cards:
            cards[-1] = cards[-1].split("</section>")[0]
        for card in cards:
            assert 'class="copy"' in card or "no usable href" in card, (page, card[:300])
            url_text = card.split('<code class="url">')[1].split("</code>")[0]
            if url_text.startswith(("http://", "https://")):
                assert 'class="button"' in card, (page, url_text)
