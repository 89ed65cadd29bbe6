"""A non-editable install into a fresh virtual environment finds its theme and sample."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_wheel_install_ships_theme_and_sample(tmp_path: Path) -> None:
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    # The dependencies come from the test environment (a path in a .pth file: no
    # download); sitegen itself is installed from this checkout, not editable. Paths
    # in a .pth file are added as they are, so the test environment's own editable
    # install of sitegen (itself a .pth hook there) is not picked up.
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip()
    deps = sysconfig.get_paths()["purelib"]
    Path(purelib, "test-deps.pth").write_text(deps + "\n", encoding="utf-8")
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-build-isolation",
                    "--quiet", str(REPO)], check=True, capture_output=True, timeout=600)
    where = subprocess.run(
        [str(python), "-c", "import sitegen.render as r; print(r.default_theme_dir()); "
                            "print(r.sample_catalog_dir())"],
        cwd=tmp_path, check=True, capture_output=True, text=True).stdout.split()
    assert all(str(env) in line for line in where), where
    work = tmp_path / "work"
    work.mkdir()
    proc = subprocess.run([str(env / "bin" / "sitegen"), "build", "--jobs", "1"], cwd=work,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (work / "site" / "_static" / "sitegen.css").is_file()
    assert (work / "site" / "sentinel-2-l2a-fiji" / "index.html").is_file()
    assert sys.version_info >= (3, 11)
