"""The README's screenshots can be taken again by the documented command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import REPO


def test_screenshot_script_writes_six_pictures(tmp_path: Path, browser: Any) -> None:
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "screenshots.py"), "--out",
                           str(tmp_path)], capture_output=True, text=True, timeout=300,
                          check=False, env={**os.environ})
    assert done.returncode == 0, done.stderr
    pictures = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pictures == sorted(p.name for p in (REPO / "docs" / "images").glob("*.png"))
    assert len(pictures) == 6
    for picture in tmp_path.glob("*.png"):
        data = picture.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000
