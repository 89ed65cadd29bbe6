"""The command line, run as a user runs it: exit codes, messages, defaults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import DATA, SAMPLE


def run(*args: str, cwd: Path, columns: int | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run([sys.executable, "-m", "sitegen", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_no_source_builds_the_sample_into_site(tmp_path: Path) -> None:
    proc = run("build", "--jobs", "1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    assert "Built 2 catalog pages, 4 collection pages, 28 item pages" in proc.stderr
    assert "MB" in proc.stderr and " s " in proc.stderr  # size and seconds in the summary


def test_folder_source_output_and_base_url(tmp_path: Path) -> None:
    proc = run("build", str(SAMPLE), "-o", "public", "--base-url",
               "https://user.github.io/repo/", "--jobs", "2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / "public" / "sweden" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://user.github.io/repo/sweden/index.html">' in html
    assert "0 warnings" in proc.stderr


def test_missing_root_exits_1_with_one_line(tmp_path: Path) -> None:
    proc = run("build", str(tmp_path / "nope" / "catalog.json"), cwd=tmp_path)
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "not found" in lines[0]
    assert "Traceback" not in proc.stderr


def test_invalid_root_exits_1(tmp_path: Path) -> None:
    proc = run("build", str(DATA / "dag" / "invalid.json"), cwd=tmp_path)
    assert proc.returncode == 1 and "invalid JSON" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_messages_are_never_wrapped(tmp_path: Path) -> None:
    """One message is one line whatever the terminal width (CI logs are grepped)."""
    proc = run("build", str(DATA / "dag" / "invalid.json"), cwd=tmp_path, columns=30)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert "invalid.json" in errors[0] and "invalid JSON" in errors[0]
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("warning:")]
    assert warnings and all("base URL" in line for line in warnings[:1])


def test_usage_error_exits_2(tmp_path: Path) -> None:
    assert run("build", "--no-such-option", cwd=tmp_path).returncode == 2
    assert run("build", "--jobs", "0", cwd=tmp_path).returncode == 2
    assert run("frobnicate", cwd=tmp_path).returncode == 2


def test_strict_fails_on_warnings_and_keeps_nothing(tmp_path: Path) -> None:
    proc = run("build", str(DATA / "dag"), "--strict", "--base-url", "https://x.example/",
               cwd=tmp_path)
    assert proc.returncode == 1 and "--strict" in proc.stderr
    assert "warning:" in proc.stderr and "missing/catalog.json" in proc.stderr
    assert not (tmp_path / "site").exists()
    ok = run("build", str(DATA / "old"), "--strict", "--base-url", "https://x.example/",
             cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr


def test_output_not_writable_exits_1(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    proc = run("build", str(DATA / "old"), "-o", str(tmp_path / "file" / "site"), cwd=tmp_path)
    assert proc.returncode == 1 and "error:" in proc.stderr and "Traceback" not in proc.stderr


def test_refuses_to_overwrite_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "keep.txt").write_text("mine")
    proc = run("build", str(DATA / "old"), "-o", "docs", cwd=tmp_path)
    assert proc.returncode == 1 and "not made by sitegen" in proc.stderr
    assert (tmp_path / "docs" / "keep.txt").read_text() == "mine"


def test_config_file_is_read_and_unknown_keys_warn(tmp_path: Path) -> None:
    (tmp_path / "sitegen.toml").write_text(
        'title = "Agency open data"\noutput = "out"\nitems_per_page = 2\nbogus = 1\n'
        'description = "Every *dataset* of the agency."\n',
        encoding="utf-8")
    proc = run("build", str(DATA / "old"), "--jobs", "1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "unknown option 'bogus'" in proc.stderr
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Agency open data" in html
    assert '<meta name="description" content="Every dataset of the agency.">' in html
    strict = run("build", str(DATA / "old"), "--strict", "--base-url", "https://x.example/",
                 cwd=tmp_path)
    assert strict.returncode == 1  # the unknown key is a warning, so an error when strict


def test_bad_config_value_exits_1(tmp_path: Path) -> None:
    (tmp_path / "sitegen.toml").write_text('items_per_page = "many"\n', encoding="utf-8")
    proc = run("build", str(DATA / "old"), cwd=tmp_path)
    assert proc.returncode == 1 and "items_per_page" in proc.stderr


def test_version(tmp_path: Path) -> None:
    proc = run("--version", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("stac-sitegen ")
