from __future__ import annotations

import posixpath

import pytest

from sitegen.layout import Layout, PageAllocator, relative_path, relative_url, to_root


def test_json_path_mirrors_the_tree_inside_the_root() -> None:
    layout = Layout("/data/cat/catalog.json")
    assert layout.json_path("/data/cat/catalog.json") == "catalog.json"
    assert layout.json_path("/data/cat/a/b/item.json") == "a/b/item.json"


@pytest.mark.parametrize("location", [
    "/data/outside/catalog.json",          # ../ from the root
    "/etc/passwd",                         # absolute elsewhere
    "/data/cat/_static/evil.json",         # reserved top-level name
    "/data/cat/a\\..\\..\\x.json",         # backslashes
    "/data/cat/page.html",                 # not a JSON name: would collide with pages
    "https://other.example/c.json",        # other host
])
def test_unsafe_or_outside_documents_go_below_external(location: str) -> None:
    path = Layout("/data/cat/catalog.json").json_path(location)
    assert path.startswith("_external/")
    parts = path.split("/")
    assert len(parts) == 3 and ".." not in parts and "\\" not in path
    assert path.endswith((".json", ".geojson"))


def test_external_paths_are_distinct_and_stable() -> None:
    layout = Layout("/data/cat/catalog.json")
    a = layout.json_path("/x/one/catalog.json")
    b = layout.json_path("/x/two/catalog.json")
    assert a != b and a == layout.json_path("/x/one/catalog.json")


def test_remote_root_mirrors_urls_below_it() -> None:
    layout = Layout("https://h.example/stac/catalog.json")
    assert layout.json_path("https://h.example/stac/c/Item%201.json") == "c/Item 1.json"
    assert layout.json_path("https://h.example/other/x.json").startswith("_external/")


def test_allocator_numbers_collisions_deterministically() -> None:
    alloc = PageAllocator()
    assert alloc.claim("a/index.html")
    assert not alloc.claim("a/index.html")
    assert alloc.claim_unique("a/x") == "a/x.html"
    assert alloc.claim_unique("a/x") == "a/x-2.html"
    assert not alloc.claim("404.html")


def test_relative_urls_are_quoted_exactly_when_quoting_changes_them() -> None:
    """Paths whose characters quoting keeps skip it: every other character still gets
    quoted (each ASCII character, and a few others, in a file name)."""
    import posixpath
    from urllib.parse import quote

    for char in [chr(n) for n in range(32, 127)] + ["é", "\u2028", "\U0001f600", "\x7f"]:
        target = f"a/b{char}c.html"
        expected = quote(relative_path(target, posixpath.dirname("x/index.html")),
                         safe="/-_.~!$&'()*+,;=@")
        assert relative_url(target, "x/index.html") == expected, char


def test_relative_urls_name_files_and_are_encoded() -> None:
    assert relative_url("index.html", "a/b/index.html") == "../../index.html"
    assert relative_url("a/b/c d#1.html", "index.html") == "a/b/c%20d%231.html"
    assert relative_url("a/x.html", "a/y.html") == "x.html"
    assert to_root("a/b/index.html") == "../../" and to_root("index.html") == ""


@pytest.mark.parametrize("target,start", [
    ("a/b/c.html", "a/b"), ("a/b/c.html", "a"), ("a/b/c.html", ""), ("a/b/c.html", "."),
    ("x.html", "a/b/c"), ("a/x/y.json", "a/b/c"), ("a/b", "a/b"), ("a/b/c", "a/b/c/d"),
    ("_static/s.css", "p/q"), ("a/./b", "a"), ("../up.json", "a"), ("a//b", "a"),
    ("a/b.json", "a/../c"),
])
def test_relative_path_matches_posixpath(target: str, start: str) -> None:
    assert relative_path(target, start) == posixpath.relpath(target, start or ".")


@pytest.mark.parametrize("segment", [
    "a", " a", "a ", ".", "..", "", ".sitegen-build", ".sitegenx", "x" * 180, "x" * 181,
    "a:b", "a*b", "a\tb", "a\\b", "é", ".hidden", "a b", "...",
])
def test_file_path_refuses_exactly_the_segments_safe_segment_would_change(
        segment: str) -> None:
    from sitegen.layout import _safe_segment

    layout = Layout("/data/cat/catalog.json")
    # first, in the middle and last: the whole path is tested at once
    for location in (f"/data/cat/x/{segment}/item.json", f"/data/cat/{segment}/item.json",
                     f"/data/cat/x/{segment}", f"/data/cat/{segment}"):
        path = layout.file_path(location)
        assert (path is not None) == (_safe_segment(segment) == segment), location
