"""The commands of docs/quickstart.md, docs/theming.md, docs/getting-found.md and
docs/user-guide.md run as written, in order, in a fresh folder holding a copy of the
sample catalog in catalog/; docs/development.md's translation commands in a copy of
the sources.

A block is marked ``<!-- tested -->`` (run with ``sh -e``) or ``<!-- tested: serve -->``
(a server: started, asked for its home page, stopped with Ctrl-C)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO, SAMPLE

BLOCK = re.compile(r"^( *)<!-- tested(?:: (\w+))? -->\n\1```sh\n(.*?)\n\1```", re.S | re.M)


def blocks(doc: str) -> list[tuple[str, str]]:
    text = (REPO / "docs" / doc).read_text(encoding="utf-8")
    return [(kind or "sh", textwrap.dedent(indent + body if indent else body))
            for indent, kind, body in BLOCK.findall(text)]


def run_doc(doc: str, work: Path, catalog: bool = True) -> list[str]:
    """Run every block of ``doc`` in ``work``; returns each block's output."""
    if catalog:
        shutil.copytree(SAMPLE, work / "catalog")
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                                                  os.environ.get("PATH", "")])}
    outputs = []
    for kind, body in blocks(doc):
        if kind == "serve":
            outputs.append(serve(body, work, env))
            continue
        done = subprocess.run(["sh", "-e", "-c", body], cwd=work, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, (body, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        outputs.append(done.stdout + done.stderr)
    return outputs


def serve(body: str, work: Path, env: dict[str, str]) -> str:
    log = work / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(["sh", "-c", f"exec {body.strip()}"], cwd=work, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log.read_text("utf-8")
            try:
                with urllib.request.urlopen("http://127.0.0.1:8000/", timeout=5) as answer:
                    page = answer.read().decode("utf-8")
                break
            except OSError:
                assert time.monotonic() < deadline, "sitegen serve did not answer"
                time.sleep(0.3)
        assert "Open Geodata Sample Catalogue" in page
        return page
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)


def test_the_docs_mark_their_commands() -> None:
    assert [k for k, _ in blocks("quickstart.md")] == ["sh", "serve", "sh", "sh", "sh"]
    assert [k for k, _ in blocks("user-guide.md")] == ["sh", "serve"]
    assert len(blocks("development.md")) == 1
    assert len(blocks("theming.md")) == 4
    assert len(blocks("getting-found.md")) == 3


def test_quickstart(tmp_path: Path) -> None:
    outputs = run_doc("quickstart.md", tmp_path)
    site = tmp_path / "site"
    assert " – Example open data</title>" in (site / "index.html").read_text("utf-8")
    assert (site / "sitemap.xml").is_file()  # base_url from the config
    assert "(updated: 0 written, 0 removed)" in outputs[-1], outputs[-1]  # from the cache


def test_theming_guide(tmp_path: Path) -> None:
    run_doc("theming.md", tmp_path)
    site = tmp_path / "site"
    home = (site / "index.html").read_text("utf-8")
    assert '<html lang="de">' in home and '_static/agency.css"' in home
    assert "Veröffentlicht von der Beispiel-Vermessungsbehörde · " in home
    assert "Fragen zu diesen Daten? Schreiben Sie an data@agency.example." in home
    assert (site / "_static" / "agency.css").is_file()
    assert (site / "_static" / "logo.svg").is_file()
    item = (site / "sweden" / "elevation-skane" / "dem-skane-01" / "index.html").read_text(
        "utf-8")
    assert ">Laden<" in item and "Herunterladen" not in item
    assert "Adresse kopieren" in item  # the rest from the built-in catalog


def test_getting_found_guide(tmp_path: Path) -> None:
    outputs = run_doc("getting-found.md", tmp_path)
    lines = [line for line in outputs[1].splitlines() if not line.startswith("warning")]
    assert lines[0].startswith("Dataset | Höjdmodell Skåne")
    assert lines[1].startswith("license: https://spdx.org/licenses/CC0-1.0")
    assert int(lines[-1]) > 30  # pages in the sitemap
    home = (tmp_path / "site" / "index.html").read_text("utf-8")
    assert '<meta name="google-site-verification" content="TOKEN-FROM-GOOGLE">' in home
    assert (tmp_path / "site" / "sitemap.xml").is_file()


def test_user_guide(tmp_path: Path) -> None:
    outputs = run_doc("user-guide.md", tmp_path)
    assert (tmp_path / "sitegen.toml").is_file()
    workflow = (tmp_path / ".github" / "workflows" / "sitegen-pages.yml").read_text("utf-8")
    assert "catalog/catalog.json" in workflow
    assert "stac-sitegen" in outputs[1]  # the served home page


def test_translation_commands_of_the_development_guide(tmp_path: Path) -> None:
    """Run in a copy of the sources: extracting again changes nothing, and a new
    language's catalog is started with every message."""
    for part in ("scripts", "sitegen", "themes"):
        shutil.copytree(REPO / part, tmp_path / part,
                        ignore=shutil.ignore_patterns("__pycache__"))
    pot = (tmp_path / "sitegen" / "locale" / "sitegen.pot").read_bytes()
    german = (tmp_path / "sitegen" / "locale" / "de" / "LC_MESSAGES" / "sitegen.po").read_bytes()
    outputs = run_doc("development.md", tmp_path, catalog=False)
    assert "created sitegen/locale/fr/LC_MESSAGES/sitegen.po" in outputs[0]
    assert (tmp_path / "sitegen" / "locale" / "sitegen.pot").read_bytes() == pot
    assert (tmp_path / "sitegen" / "locale" / "de" / "LC_MESSAGES" / "sitegen.po"
            ).read_bytes() == german
    french = (tmp_path / "sitegen" / "locale" / "fr" / "LC_MESSAGES" / "sitegen.po"
              ).read_text("utf-8")
    assert french.count("msgid ") == pot.decode("utf-8").count("msgid ")


@pytest.mark.parametrize("doc", ["quickstart.md", "theming.md", "getting-found.md",
                                 "user-guide.md"])
def test_doc_links_resolve(doc: str) -> None:
    text = (REPO / "docs" / doc).read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", text):
        assert (REPO / "docs" / target).resolve().is_file(), target
