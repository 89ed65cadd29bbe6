"""Bulk download lists: file names taken from URLs."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

import pytest

from sitegen.bulk import _file_name
from sitegen.layout import _safe_segment


def _reference(url: str, key: str) -> str:
    last = unquote(urlparse(url).path.rstrip("/").rsplit("/", 1)[-1]) if url else ""
    name = _safe_segment(last) if last else _safe_segment(key)
    return name if name not in ("", "_") else "file"


@pytest.mark.parametrize("url", [
    "https://a.example/x/y.tif", "https://a.example/", "https://a.example",
    "https://a.example/x/", "https://a.example/x?y=1", "https://a.example/x/y.tif#f",
    "a/b/c.tif", "c.tif", "", "https://a.example/x%20y.tif", "https://a.example//",
    "sub/dir/", "x.tif;v=1", "https://u@h:80/a/b", "https://a.example/..%2F..%2Fetc",
])
def test_file_name_fast_path_matches_a_full_parse(url: str) -> None:
    assert _file_name(url, "key") == _reference(url, "key")
