from __future__ import annotations

import json
from typing import Any

import pytest

from sitegen import search
from sitegen.search import (
    NO_KEY,
    Doc,
    day_number,
    hilbert,
    normalize,
    pack_doc,
    terms_of,
    write_index,
)


def test_terms_are_case_and_accent_insensitive_and_split_ids() -> None:
    assert normalize("Zürich ÅSTORP") == "zurich astorp"
    terms = terms_of("Orthophoto Malmö väst", "S2A_MSIL2A_20230114")
    assert {"orthophoto", "malmo", "vast", "s2a", "msil2a", "20230114",
            "s2a_msil2a_20230114"} <= terms


def test_day_numbers_and_hilbert_locality() -> None:
    assert day_number("1970-01-02T00:00:00Z") == 1
    assert day_number("2023-01-24T22:12:41.024Z") == 19381
    assert day_number("not a date") is None
    near = abs(hilbert(0.5, 0.5) - hilbert(0.5001, 0.5))
    far = abs(hilbert(0.5, 0.5) - hilbert(0.1, 0.9))
    assert near < far


class Files:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def write(self, rel: str, payload: bytes) -> None:
        assert rel not in self.data  # each file is written once
        self.data[rel] = payload

    def js(self, rel: str) -> Any:
        text = self.data[rel].decode()
        return json.loads(text[text.index(",", text.index(",") + 1) + 1:text.rindex(")")])


def packed(docs: list[Doc]) -> list[bytes]:
    return [pack_doc(NO_KEY, d) for d in docs]


def doc(n: int, month: int, lon: float, title: str = "scene") -> Doc:
    return Doc.make(title=f"{title} {n}", id=f"id-{n}", url=f"c/{n}.html",
               start=day_number(f"2023-{month:02d}-10T00:00:00Z"), end=None,
               bbox=(lon, 0, lon + 1, 1), thumb=None, collection=n % 2, kind="item",
               terms=frozenset(terms_of(f"{title} {n}", f"id-{n}")))


def test_index_buckets_shards_and_terms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_ROWS", 10)
    files = Files()
    docs = [doc(n, 1 + n % 3, (n * 37) % 300 - 150) for n in range(60)]
    sizes = write_index(files.write, packed(docs), [("A", "a/index.html"), ("B", "b/index.html")])
    manifest = files.js("search/manifest.js")
    assert manifest["docs"] == 60 and [b["k"] for b in manifest["buckets"]] == \
        ["2023-03", "2023-02", "2023-01"]  # newest month first
    bucket = files.js("search/b/2023-03.js")
    assert sum(s["n"] for s in bucket) == 20 and len(bucket) == 2
    assert all(set(s) >= {"n", "d", "t", "b", "c", "s"} for s in bucket)
    rows = files.js(f"search/s/{bucket[0]['s']}.js")
    assert len(rows) == 10 and rows[0][0] == bucket[0]["d"]
    assert sizes["manifest"] < 2000
    terms = files.js("search/t/s.js")
    assert len(terms["scene"][0]) == 60 and terms["scene"][1] == 60


def test_large_chunks_split_by_longer_prefixes_and_postings_cap(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "CHUNK_BYTES", 400)
    monkeypatch.setattr(search, "MAX_POSTINGS", 5)
    files = Files()
    write_index(files.write, packed([doc(n, 1, 0, "alpha") for n in range(40)]), [])
    chunks = files.js("search/manifest.js")["chunks"]
    assert any(len(c.rstrip("~")) > 1 for c in chunks)  # split beyond one letter
    alpha = next(files.js("search/t/" + search.chunk_file(c))
                 for c in chunks if "alpha".startswith(c.rstrip("~")) and not c.endswith("~"))
    assert alpha["alpha"][1] == 40 and alpha["alpha"][0] == [0, 1, 2, 3, 4]  # capped, count kept


def test_traversal_ids_never_become_file_names() -> None:
    assert "../../../evil-item" not in terms_of("../../../evil-item")
    assert search.chunk_file("a_b") != search.chunk_file("a~b") != search.chunk_file("a.b")
    assert "/" not in search.chunk_file("s2a_msil2a.x-y~")


def test_statistics_boxes_go_round_the_world_across_the_antimeridian() -> None:
    assert search._union([(170.0, 0.0, -170.0, 1.0), (10.0, 5.0, 20.0, 6.0), None]) == \
        [-180.0, 0.0, 180.0, 6.0]
    assert search._union([(10.0, 5.0, 20.0, 6.0), (-5.0, -1.0, 0.0, 2.0)]) == \
        [-5.0, -1.0, 20.0, 6.0]
    assert search._union([None, None]) is None
    # a box crossing the antimeridian widens to the whole world, not beyond other boxes
    assert search._union([(170.0, 0.0, -170.0, 1.0), (179.5, 0.0, 180.5, 1.0)]) == \
        [-180.0, 0.0, 180.5, 1.0]


def test_rounded_box_is_the_box_itself_when_rounding_changes_nothing() -> None:
    # one document is kept per item: an equal copy of its box would cost 170 bytes
    box = (-141.3449, -1.6404, -140.3449, -0.7404)
    doc = Doc.make("t", "t", "t/index.html", 1, 1, box, None, 0, "item", ["t"])
    assert doc.box is box
    fine = (10.123456, 20.0, 11.0, 21.0)
    assert Doc.make("t", "t", "u", 1, 1, fine, None, 0, "item", []).box == (10.1235, 20.0,
                                                                             11.0, 21.0)
    assert Doc.make("t", "t", "u", 1, 1, None, None, 0, "item", []).box is None


def test_a_packed_document_is_its_key_and_the_document() -> None:
    from sitegen.search import KEY_BYTES, doc_key, pack_doc, unpack_doc

    d = doc(3, 5, 10.5)
    key = doc_key(b"\x01" * 16, "c/3.html", 2, "Tiles")
    packed = pack_doc(key, d)
    assert isinstance(packed, bytes) and packed[:KEY_BYTES] == key
    assert unpack_doc(packed) == d and type(unpack_doc(packed)) is Doc
    # every part of the key counts, and no two parts run into each other
    keys = {key, doc_key(b"\x02" * 16, "c/3.html", 2, "Tiles"),
            doc_key(b"\x01" * 16, "c/4.html", 2, "Tiles"),
            doc_key(b"\x01" * 16, "c/3.html", 3, "Tiles"),
            doc_key(b"\x01" * 16, "c/3.html", 2, "Tiles 2"),
            doc_key(b"", "c/3.html", 2, "Tiles"), doc_key(b"", "c/3.html2", 2, "Tiles"),
            doc_key(b"", "c/3.html", 22, "Tiles")}
    assert len(keys) == 8


def test_a_month_is_grouped_and_sorted_packed_and_its_statistics_are_all_its_rows(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # the index unpacks a shard at a time: the month's statistics are gathered from its
    # shards', and must be those of all its rows
    monkeypatch.setattr(search, "SHARD_ROWS", 3)
    day = day_number("2023-05-10T00:00:00Z")
    assert day is not None

    def item(name: str, start: int | None, end: int | None,
             box: tuple[float, float, float, float] | None, collection: int) -> Doc:
        return Doc.make(name, name, f"{name}.html", start, end, box, None, collection,
                        "item", [name])

    may = [item("across", day, day + 3, (170.0, 0.0, -170.0, 1.0), 0),
           item("east", day + 1, None, (10.0, 5.0, 20.0, 6.0), 1),
           item("nobox", day + 2, day + 2, None, 1),
           item("endonly", None, day + 9, (-5.0, -1.0, 0.0, 2.0), 0),
           item("west", day - 4, day, (-60.0, -30.0, -50.0, -20.0), 2),
           item("same1", day, day, (1.0, 1.0, 2.0, 2.0), 0),
           item("same2", day, day, (1.0, 1.0, 2.0, 2.0), 0)]
    undated = item("undated", None, None, (0.0, 0.0, 1.0, 1.0), 0)
    files = Files()
    write_index(files.write, packed([undated, *may]), [])
    manifest = files.js("search/manifest.js")
    assert [b["k"] for b in manifest["buckets"]] == ["2023-05", "undated"]
    month = manifest["buckets"][0]
    assert month["n"] == 7 and month["d"] == 0 and month["s0"] == 0
    assert month["t"] == [day - 4, day + 9]
    assert month["b"] == search._union([d.box for d in may]) == [-180.0, -30.0, 180.0, 6.0]
    assert month["c"] == {"0": 4, "1": 2, "2": 1} and month["nb"] == 1
    # rows along the month's order; equal places keep the order they came in
    shards = files.js("search/b/2023-05.js")
    assert [s["n"] for s in shards] == [3, 3, 1]
    rows = [row for s in shards for row in files.js(f"search/s/{s['s']}.js")]
    expected = sorted(may, key=lambda d: d.order)
    assert [r[2] for r in rows] == [d.id for d in expected]
    assert [r[2] for r in rows].index("same1") + 1 == [r[2] for r in rows].index("same2")
    for shard in shards:
        these = [d for d in expected if d.id in
                 {r[2] for r in files.js(f"search/s/{shard['s']}.js")}]
        assert shard["b"] == search._union([d.box for d in these])
        assert shard["nb"] == sum(d.box is None for d in these)
    assert files.js("search/b/undated.js")[0]["t"] is None


def test_a_packed_document_says_its_month_without_being_unpacked() -> None:
    d = doc(1, 7, 0.0)
    assert search._month(pack_doc(NO_KEY, d)) == "2023-07"
    assert search._month(pack_doc(NO_KEY, d._replace(start=None, end=d.start))) == "2023-07"
    assert search._month(pack_doc(NO_KEY, d._replace(start=None))) == "undated"
