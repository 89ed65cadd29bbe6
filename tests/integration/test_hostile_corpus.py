"""The generated hostile and broken corpus (tests/data/make_hostile_corpus.py).

Built once per module: every page, script, list and index it produces is checked for
catalog content that could run, and the build must end with warnings, never an
exception, writing nothing outside its output folder.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sitegen.linkcheck import check_site
from tests.conftest import Built, build_site, own_scripts_only, parse_html
from tests.data.make_hostile_corpus import MARK, write_corpus

UNSAFE = ("javascript:", "vbscript:", "data:")
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
MAP_DATA = re.compile(r'<script type="application/json" id="sitegen-map-data">(.*?)</script>',
                      re.S)


def _tmp_markers() -> set[str]:
    return {p.name for p in Path("/tmp").glob(f"{MARK}*")} | \
        {p.name for p in Path("/tmp").glob("sitegen-evil*")}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, Path, int]:
    work = tmp_path_factory.mktemp("corpus")
    cases = write_corpus(work)
    before = _tmp_markers()
    built = build_site(work / "corpus", work / "out", base_url="https://site.example/")
    assert _tmp_markers() == before
    return built, work, len(cases)


def test_corpus_has_the_cases_the_issue_lists(corpus: tuple[Built, Path, int]) -> None:
    _, _, cases = corpus
    assert cases >= 40


def test_build_ends_with_warnings_naming_files(corpus: tuple[Built, Path, int]) -> None:
    built, work, _ = corpus
    text = built.warnings_text()
    for expected in ("invalid JSON", "broken item link", "cycle", "points at the document "
                     "itself", "not a file or http(s) URL", "utf8.json", "html.json"):
        assert expected in text, expected
    for warning in built.reporter.warnings:
        assert warning.file, warning
        assert "Traceback" not in warning.message
    assert built.result.pages["item"] >= 20
    assert built.result.pages["catalog"] >= 200  # the 200-deep chain


def test_nothing_outside_the_output(corpus: tuple[Built, Path, int]) -> None:
    built, work, _ = corpus
    assert sorted(p.name for p in work.iterdir()) == ["corpus", "out", "outside"]
    out = built.out.resolve()
    for path in built.out.rglob("*"):
        assert out in path.resolve().parents, path
        assert not path.is_symlink(), path
    assert check_site(built.out).broken == []


def test_pages_carry_no_executable_catalog_content(corpus: tuple[Built, Path, int]) -> None:
    built, _, _ = corpus
    pages = sorted(built.out.rglob("*.html"))
    assert len(pages) > 230
    for page in pages:
        text = page.read_text(encoding="utf-8")
        own_scripts_only(page, built.out)
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", text), page
        for tag, attrs in parse_html(text).tags:
            assert tag not in ("iframe", "svg", "object", "embed", "base"), (page, tag)
            for name, value in attrs.items():
                assert not name.startswith("on"), (page, tag, name)
                if name in ("href", "src", "action", "formaction", "poster") and value:
                    cleaned = re.sub(r"[\x00-\x20]", "", value).lower()
                    assert not cleaned.startswith(UNSAFE), (page, value)
            if tag == "meta" and attrs.get("http-equiv"):
                assert attrs["http-equiv"].lower() != "refresh", page
        for block in JSON_LD.findall(text):
            json.loads(block)  # a payload cannot end the block early
            assert "</" not in block, page
        for block in MAP_DATA.findall(text):
            json.loads(block)
            assert "</" not in block, page


def test_payloads_are_shown_not_lost(corpus: tuple[Built, Path, int]) -> None:
    built, _, _ = corpus
    html = built.html("payloads/evil-item.html")
    for label in ("item title", "asset title", "band name", "property key", "property value",
                  "nested value", "provider role", "link title", "alternate title"):
        assert f"{label} &lt;script&gt;alert(" in html.lower(), label
    collection = built.html("payloads/index.html")
    for label in ("summary key", "summary value", "provider description", "item_assets title"):
        assert label in collection.lower(), label


def test_unpaired_surrogates_become_replacement_characters(
        corpus: tuple[Built, Path, int]) -> None:
    built, _, _ = corpus
    assert "surrogates.json: non-standard JSON" in built.warnings_text()
    html = (built.out / "broken" / "surrogates.html").read_text("utf-8")  # valid UTF-8
    assert "lone \ufffd and \ufffd" in html and "band \ufffd" in html
    copy = json.loads((built.out / "broken" / "surrogates.json").read_text("utf-8"))
    assert copy["id"] == "surrogates-\ufffd"
    assert copy["properties"]["title"] == "lone \ufffd and \ufffd"
    assert copy["assets"]["data\ufffd"]["title"] == "band \ufffd"


def test_search_index_is_data_only(corpus: tuple[Built, Path, int]) -> None:
    built, _, _ = corpus
    files = sorted((built.out / "search").rglob("*.js"))
    assert files
    shown = False
    for path in files:
        text = path.read_text(encoding="utf-8")
        match = re.fullmatch(r"sitegenSearch\.add\((.*)\);?\s*", text, re.S)
        assert match, f"{path} is not JSON handed to our code"
        json.loads(f"[{match.group(1)}]")
        shown = shown or MARK in text
    assert shown  # payloads are indexed (as data), not dropped


def test_lists_and_sitemaps_are_well_formed(corpus: tuple[Built, Path, int]) -> None:
    built, _, _ = corpus
    for path in [*built.out.rglob("*.meta4"), *built.out.rglob("sitemap*.xml")]:
        ET.parse(path)
    for path in built.out.rglob("*.urls.txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert line.startswith(("https://", "http://")) and " " not in line, (path, line)


FAKE_FETCH = """#!/bin/sh
# Records its arguments and writes an empty file where curl/wget was asked to.
printf '%s\\n' "$*" >> "$FETCH_LOG"
out=""
while [ $# -gt 0 ]; do
  case "$1" in -o|-O) out="$2"; shift;; esac
  shift
done
[ -n "$out" ] && : > "$out"
exit 0
"""


def test_download_scripts_never_run_catalog_content(corpus: tuple[Built, Path, int],
                                                    tmp_path: Path) -> None:
    built, _, _ = corpus
    tools = tmp_path / "bin"
    tools.mkdir()
    for name in ("curl", "wget"):
        (tools / name).write_text(FAKE_FETCH, encoding="utf-8")
        (tools / name).chmod(stat.S_IRWXU)
    scripts = sorted(built.out.rglob("*.download.sh"))
    assert scripts
    before = _tmp_markers()
    env = {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}",
           "FETCH_LOG": str(tmp_path / "fetch.log")}
    for n, script in enumerate(scripts):
        check = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
        assert check.returncode == 0, (script, check.stderr)
        target = tmp_path / f"t{n}"
        proc = subprocess.run(["sh", str(script), str(target)], capture_output=True, text=True,
                              env=env, timeout=60, cwd=tmp_path)
        for line in (proc.stdout + proc.stderr).splitlines():
            assert line.strip() != MARK, (script, line)
        if target.exists():
            resolved = target.resolve()
            for path in target.rglob("*"):
                assert resolved in path.resolve().parents, (script, path)
    assert _tmp_markers() == before
    fetched = (tmp_path / "fetch.log").read_text(encoding="utf-8")
    assert "$(touch" in fetched  # the URL reached curl whole, as one word


def test_cli_build_of_the_corpus_has_no_traceback(tmp_path: Path) -> None:
    write_corpus(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "sitegen", "build", str(tmp_path / "corpus"),
                           "-o", str(tmp_path / "site")], capture_output=True, text=True,
                          timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert "warning:" in proc.stderr

