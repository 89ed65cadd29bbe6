"""Bulk download lists: file names taken from URLs."""

from __future__ import annotations

import io
import random
import re
import string
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

import pytest

from sitegen import bulk
from sitegen.bulk import (
    _URL_SAFE,
    PLACE_BYTES,
    Chunks,
    Entry,
    Spool,
    Stats,
    _file_name,
    entry_bytes,
    entry_digest,
    entry_stats,
    item_entries,
    item_lists,
    list_url,
    render_chunks,
    write_lists,
)
from sitegen.layout import Layout, _safe_segment
from sitegen.links import HrefPolicy


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


@pytest.mark.parametrize("stem", ["a/b/item", "item", "a/b/c/index"])
def test_item_lists_are_what_write_lists_streams_for_one_chunk(stem: str) -> None:
    entries = [Entry("a/b/x.tif", "https://data.example/x y.tif", None, 10,
                     ("sha-256", "ab" * 32)),
               Entry("a/b/site.png", None, "a/b/site file.png", None, None)]
    chunks = render_chunks(entries, ["s3://bucket/key'quote"])
    streamed: dict[str, io.BytesIO] = {}

    class Kept(io.BytesIO):
        def close(self) -> None:
            pass

    def open_file(rel: str) -> io.BytesIO:
        streamed[rel] = Kept()
        return streamed[rel]

    write_lists(open_file, stem, "T'itle $(x)", chunks.stats, [chunks.texts],
                "https://s.example/")
    whole = dict(item_lists(stem, "T'itle $(x)", chunks, "https://s.example/"))
    assert whole == {rel: f.getvalue() for rel, f in streamed.items()}
    assert len(whole) == 4 and b"../" * stem.count("/") + b"a/b/site%20file.png" in \
        whole[stem + ".urls.txt"]


def test_list_url_fast_path_matches_quote() -> None:
    chars = string.printable + "éü\u2028 <>`\"'"
    rng = random.Random(1)
    for _ in range(20000):
        url = "".join(rng.choice(chars) for _ in range(rng.randint(0, 12)))
        assert list_url(url) == quote(url, safe=_URL_SAFE), repr(url)


def test_spool_gives_back_what_it_was_given() -> None:
    spool = Spool(io.BytesIO())
    big = Stats(files=3, size=5 << 40, sized=2, others=1)
    first = Chunks(b"u1\n", b"s1\n", b"<m1/>", b"o1\n", big, b"d" * 16)
    second = Chunks(b"", b"", b"", b"o2\n", Stats(others=1), b"")
    spool.add("/a.json", first, b'{"f":1}')
    spool.add("/b.json", second)
    places = spool.places(["/a.json", "/missing.json", "/b.json"])
    assert len(places) == 80  # 40 bytes an item with an entry
    assert list(spool.texts(places)) == [first.texts, second.texts]
    assert spool.footprint("/a.json") == b'{"f":1}'
    assert spool.footprint("/b.json") == spool.footprint("/missing.json") == b""
    assert spool.stats(["/a.json", "/b.json", "/missing.json"]) == big + Stats(others=1)
    entry = spool.entry("/a.json")
    assert entry is not None and isinstance(entry, bytes)
    assert entry_stats(entry) == big and entry_digest(entry) == b"d" * 16
    assert entry_bytes(entry) == len(b"u1\ns1\n<m1/>o1\n" + b'{"f":1}')
    # an entry taken over by another spool over the same file reads the same
    other = Spool(spool.file)
    other.keep("/a.json", entry)
    assert list(other.texts(other.places(["/a.json"]))) == [first.texts]


def test_a_worker_given_many_places_in_a_file_writes_the_same_lists(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The root catalog's places (40 MB at 1,000,000 items) go to a worker as a file,
    written and read a piece at a time; the lists are the same, and the file goes."""
    from sitegen import build

    spool_path = tmp_path / "spool"
    locations = [f"/i{n}.json" for n in range(30)]
    with open(spool_path, "w+b") as fh:
        spool = Spool(fh)
        for n, location in enumerate(locations):
            spool.add(location, Chunks(f"https://x.test/{n}.tif\n".encode(), b"", b"",
                                       f"o{n}\n".encode(), Stats(files=1, others=1),
                                       b"d" * 16))
        fh.flush()
        stats = spool.stats(locations)
        inline = build._places_for_worker(spool, locations, str(tmp_path / "a"), "p-0")
        assert inline == spool.places(locations) and len(inline) == 30 * PLACE_BYTES
        monkeypatch.setattr(build, "PLACES_IN_FILE", 100)  # three places a piece
        name = build._places_for_worker(spool, ["/i0.json", *locations[1:]],
                                        str(tmp_path / "b"), "p-1")
        assert name == "p-1" and (tmp_path / "b" / "p-1").read_bytes() == inline
    one = build.write_lists_from(str(spool_path), str(tmp_path / "a"), "c/index", "C",
                                 stats, inline, None)
    two = build.write_lists_from(str(spool_path), str(tmp_path / "b"), "c/index", "C",
                                 stats, name, None)
    assert one == two and one
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["c"]  # the file went
    for rel in one:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()
    assert b"https://x.test/29.tif" in (tmp_path / "b" / "c" / "index.urls.txt").read_bytes()


def test_plain_file_urls_take_the_general_ways_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Most asset hrefs skip resolving, quoting and naming (``_PLAIN_FILE_URL``): the
    entries, and what the href policy remembers for the page, must be what the
    general way gives, for hrefs on both sides of the pattern's edges."""
    edges = ["https://h.org/a/b.tif", "http://h.org:8080/a.tif", "https://H.org/a.tif",
             "https://h.org/_", "https://h.org/a/_", "https://h.org/./a.tif",
             "https://h.org/a/../b.tif", "https://h.org//a.tif", "https://h.org/.hidden",
             "https://h.org/.sitegen-build", "https://h.org/" + "x" * 180,
             "https://h.org/" + "x" * 181, "https://h.org/a.tif?x=1", "https://h.org/a%20b",
             "https://h.org/a b.tif", "https://h.org/~a/-b_.c", "https://h.org/",
             "https://h.org", "https://h.org/a/", "http://[x", "http://]/b.tif?x",
             "./local.tif", "s3://bucket/key", "https://h.org/a.tif ", "https://h.org/é.tif"]
    rng = random.Random(7)
    chars = string.ascii_letters + string.digits + "_.-~/%?#;'\"&<> é[]\x01"
    hrefs = edges + [rng.choice(["https://h.org/", "http://a.b:8/", "https://"]) +
                     "".join(rng.choice(chars) for _ in range(rng.randint(1, 20)))
                     for _ in range(3000)]
    layout = Layout("/cat/catalog.json")
    location, page = "/cat/c/i/i.json", "c/i/index.html"

    def entries(shortcut: bool) -> tuple[list[object], list[object]]:
        if not shortcut:
            monkeypatch.setattr(bulk, "_PLAIN_FILE_URL", re.compile(r"(?!x)x"))
        policy = HrefPolicy(layout, False, False, None)
        got: list[object] = []
        for start in range(0, len(hrefs), 5):
            doc = {"assets": {f"k{n}": {"href": h, "roles": ["data"], "file:size": n}
                              for n, h in enumerate(hrefs[start:start + 5])}}
            got.append(item_entries(doc, location, page, "c/i/i.json", policy, ("data",),
                                    "https://site.example/"))
        return got, [policy.asset(h, location, page) for h in hrefs]

    fast = entries(True)
    assert sum(1 for h in hrefs if bulk._PLAIN_FILE_URL.fullmatch(h)) > 300  # both sides
    assert fast == entries(False)


def test_a_title_holding_a_placeholder_is_written_as_it_is() -> None:
    chunks = render_chunks([Entry("x.tif", "https://d.example/x.tif", None, 1, None)], [])
    script = dict(item_lists("a/index", "T @SIZE@ @FILES@", chunks, None))["a/index.download.sh"]
    assert b"# Download the data of T @SIZE@ @FILES@: 1 file(s), 1 B." in script
