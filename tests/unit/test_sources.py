from __future__ import annotations

import math
from pathlib import Path

import pytest

from sitegen.sources import DocumentError, Reader, parse_json, resolve_href


@pytest.mark.parametrize(("href", "kind", "target"), [
    ("./a/b.json", "local", "/cat/a/b.json"),
    ("../x.json", "local", "/x.json"),
    ("%2e%2e/x.json", "local", "/x.json"),
    ("file:///tmp/c.json", "local", "/tmp/c.json"),
    ("https://Example.com/a/./b/../c.json#frag", "remote", "https://example.com/a/c.json"),
    ("s3://bucket/key.tif", "other", "s3://bucket/key.tif"),
    ("javascript:alert(1)", "other", "javascript:alert(1)"),
    ("", "invalid", "''"),
    (None, "invalid", "None"),
    ("a\x00b.json", "invalid", repr("a\x00b.json")),
    ("C:\\data\\x.json", "invalid", "C:\\data\\x.json"),
    ("http://[x", "invalid", "http://[x"),  # urllib raises "Invalid IPv6 URL"
])
def test_resolve_href_local_base(href: object, kind: str, target: str) -> None:
    assert resolve_href(href, "/cat/catalog.json") == (kind, target)


def test_resolve_href_remote_base_joins_urls() -> None:
    base = "https://host.example/stac/catalog.json"
    assert resolve_href("./c/collection.json", base) == (
        "remote", "https://host.example/stac/c/collection.json")
    assert resolve_href("../../../x.json", base) == ("remote", "https://host.example/x.json")


def test_parse_json_accepts_nan_leniently_and_rejects_garbage() -> None:
    value, lenient = parse_json(b'{"a": NaN}', "x.json")
    assert lenient and math.isnan(value["a"])
    assert parse_json(b'\xef\xbb\xbf{"a": 1}', "x.json") == ({"a": 1}, False)
    with pytest.raises(DocumentError, match="invalid JSON"):
        parse_json(b'{"a": ', "x.json")
    with pytest.raises(DocumentError):
        parse_json(b'{"a": "\xff"}', "x.json")


def test_reader_errors_name_the_problem(tmp_path: Path) -> None:
    reader = Reader()
    with pytest.raises(DocumentError, match="file not found"):
        reader.read_bytes(str(tmp_path / "missing.json"))
    with pytest.raises(DocumentError, match="folder"):
        reader.read_bytes(str(tmp_path))
    with pytest.raises(DocumentError, match="cannot read"):
        reader.read_bytes(str(tmp_path / "nul\x00.json"))
    big = tmp_path / "big.json"
    big.write_bytes(b"x" * 2_000_001)
    with pytest.raises(DocumentError, match="larger than 2 MB"):
        Reader(max_bytes=2_000_000).read_bytes(str(big))


@pytest.mark.parametrize("size", [0, 1, 8_000, 3_000_000])
def test_reader_returns_a_files_bytes_exactly(tmp_path: Path, size: int) -> None:
    data = bytes(range(256)) * (size // 256) + b"\x00" * (size % 256)
    (tmp_path / "doc.json").write_bytes(data)
    assert Reader().read_bytes(str(tmp_path / "doc.json")) == data


@pytest.mark.parametrize("url", [
    "https://a.example/x/y.tif", "http://a.example/x?q=1&r=2", "https://A.example/x",
    "https://a.example/x/./y", "https://a.example/x/../y", "https://a.example//x",
    "https://a.example/x#frag", "https://a.example", "https://a.example/x/..",
    "https://a.example/%2e%2e/y", "https://user@a.example:8080/x/y z.tif",
    "https:///x", "http://", "HTTP://a.example/x", "https://a.example/x\\y",
])
def test_url_fast_path_agrees_with_full_normalisation(url: str) -> None:
    from urllib.parse import urlparse

    from sitegen.sources import _is_normal_url, _normalize_url, _normalize_url_fully, _resolve

    if urlparse(url).netloc:
        assert _normalize_url(url) == _normalize_url_fully(url)
    if _is_normal_url(url):
        assert _normalize_url_fully(url) == url
        assert _resolve(url, "/x/catalog.json") == ("remote", url)
    if not urlparse(url).netloc:
        assert _resolve(url, "/x/catalog.json")[0] == "invalid"


@pytest.mark.parametrize("url", [
    "https://a.example/x/y.tif", "http://a.example/x?q=1", "https://A.example/x",
    "https://a.example/x/../y", "https://a.example//x", "https://a.example/x#frag",
    "https://a.example", "https://a.example/x.tif ", " https://a.example/x.tif",
    "https://a.example/x\x00y", "https://a.example/x\ny", "https://a.example/x\\y",
])
def test_plain_urls_resolve_without_the_cache_as_with_it(url: str) -> None:
    from sitegen.sources import _resolve, is_plain_url, resolve_href

    assert resolve_href(url, "/x/catalog.json") == _resolve(url, "/x/catalog.json")
    if is_plain_url(url):
        assert _resolve(url, "/x/catalog.json") == ("remote", url)


def test_plain_path_fast_path_agrees_with_parsing_the_href() -> None:
    """Hrefs without a scheme, query, escape or such skip urlparse; they must resolve
    exactly as the full parse resolves them, and every other href must take it."""
    import random

    from sitegen import sources

    rng = random.Random(7)
    alphabet = ["a", "b", ".", "..", "/", "./", "../", " ", "-", "_", "é", "~", "+", ";",
                ":", "?", "#", "%", "%20", "\\", "//", "\t", "C:", "x.json", "=", "&", "@"]
    hrefs = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 8)))
             for _ in range(5000)]
    hrefs += ["./item/item.json", "/abs/item.json", "../up/x.json", "a b/c.json",
              "//host/x.json", "x;v=1.json", "C:/x.json", "%2e%2e/x", "x?y", "x#y"]
    for base in ("/cat/sub/collection.json", "/collection.json", "collection.json",
                 "/cat/./sub/../collection.json"):
        for href in hrefs:
            stripped = href.strip()
            if not stripped or sources._is_normal_url(stripped):
                continue
            parsed = sources._resolve_parsed(stripped, base)
            assert sources._resolve(href, base) == parsed, (href, base)
            assert sources.resolve_href(href, base) == parsed, (href, base)
            assert sources.resolve_href("./" + href, base) == \
                sources._resolve_parsed(("./" + href).strip(), base), (href, base)
