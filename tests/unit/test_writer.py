from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sitegen.errors import OutputError
from sitegen.writer import (
    MARKER,
    Output,
    Staging,
    checked_listing,
    folder_ids,
    safe_join,
    tree_stats,
    write_file,
)


@pytest.mark.parametrize("rel", ["../x", "/etc/x", "a/../../x", "a\\..\\x", "a//b", "",
                                 "a/./b", "a\x00b"])
def test_safe_join_refuses_escapes(tmp_path: Path, rel: str) -> None:
    with pytest.raises(OutputError):
        safe_join(str(tmp_path), rel)


def test_safe_join_agrees_with_its_rules_segment_by_segment() -> None:
    """One expression checks the whole path; it must refuse exactly what the rules name:
    an empty, ``.`` or ``..`` segment, a backslash or a NUL (every mix of these pieces
    up to four long, joined onto roots with and without a trailing slash)."""
    import itertools
    import os

    pieces = ["", ".", "..", "...", ".a", "a.", "a", "/", "\\", "\x00", "b/c"]
    for n in range(1, 5):
        for combo in itertools.product(pieces, repeat=n):
            rel = "".join(combo)
            segments = rel.split("/")
            unsafe = "\\" in rel or "\x00" in rel or any(s in ("", ".", "..")
                                                        for s in segments)
            for root in ("/site", "/site/", "site", ""):
                if unsafe:
                    with pytest.raises(OutputError):
                        safe_join(root, rel)
                else:
                    assert safe_join(root, rel) == os.path.join(root, *segments)


def test_commit_swaps_and_abort_keeps_previous(tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = Staging(out)
    write_file(first.path, "index.html", "one")
    first.commit()
    assert (out / "index.html").read_text() == "one" and (out / MARKER).is_file()
    second = Staging(out)
    write_file(second.path, "index.html", "two")
    second.abort()
    assert (out / "index.html").read_text() == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_refuses_to_replace_a_folder_it_did_not_make(tmp_path: Path) -> None:
    out = tmp_path / "documents"
    out.mkdir()
    (out / "thesis.txt").write_text("precious")
    with pytest.raises(OutputError, match="not made by sitegen"):
        Staging(out)
    assert (out / "thesis.txt").read_text() == "precious"


def test_refuses_output_that_contains_the_source(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="contains the source"):
        Staging(tmp_path, protect=[tmp_path / "catalog"])


def test_leftovers_of_killed_builds_are_swept(tmp_path: Path) -> None:
    stale = tmp_path / ".site.sitegen-tmp-999999999-abc"
    stale.mkdir()
    Staging(tmp_path / "site").abort()
    assert not stale.exists()


def test_write_recreates_a_folder_removed_behind_its_back(tmp_path: Path) -> None:
    import shutil

    write_file(str(tmp_path), "a/b/one.txt", "1")
    shutil.rmtree(tmp_path / "a")
    write_file(str(tmp_path), "a/b/two.txt", "2")
    assert (tmp_path / "a" / "b" / "two.txt").read_text() == "2"


def test_the_folders_remembered_stay_bounded_and_forgotten_ones_still_work(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder per item: remembering every one grew each worker by a path per item."""
    from sitegen import writer

    monkeypatch.setattr(writer, "_made_dirs", set())
    monkeypatch.setattr(writer, "_MADE_DIRS_MAX", 8)
    for n in range(50):
        write_file(str(tmp_path), f"c/item-{n}/index.html", str(n))
        assert len(writer._made_dirs) <= 8
    # folders made before and since forgotten are written to again
    for n in range(50):
        write_file(str(tmp_path), f"c/item-{n}/item.json", "{}")
    assert sorted(p.name for p in (tmp_path / "c" / "item-7").iterdir()) == \
        ["index.html", "item.json"]
    assert (tmp_path / "c" / "item-49" / "index.html").read_text() == "49"


def test_a_swap_killed_between_its_renames_gets_the_previous_site_back(tmp_path: Path) -> None:
    # What a build killed after "output -> old" and before "staging -> output" leaves.
    old = tmp_path / ".site.sitegen-old-999999999"
    old.mkdir()
    (old / MARKER).write_text("stac-sitegen\n")
    (old / "index.html").write_text("previous")
    (tmp_path / ".site.sitegen-tmp-999999999-abc").mkdir()
    staging = Staging(tmp_path / "site")
    assert (tmp_path / "site" / "index.html").read_text() == "previous"
    staging.abort()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_the_manifest_is_trusted_folder_by_folder(tmp_path: Path) -> None:
    """A rebuild takes the last build's file list where a folder's identity (inode,
    change time) is unchanged, and lists again the folders someone changed."""
    files = {"index.html", "a/index.html", "a/x.json", "b/c/index.html", "b/c/y.json",
             "d/index.html"}
    for rel in files:
        write_file(str(tmp_path), rel, rel)
    ids = folder_ids(str(tmp_path), {"", "a", "b", "b/c", "d", "gone"})
    assert set(ids) == {"", "a", "b", "b/c", "d"}
    # a full build takes them from the walk that measures the site
    assert tree_stats(tmp_path) == (len(files), sum(len(rel) for rel in files), ids)

    # nothing changed: the manifest holds (not even made), nothing listed
    def manifest() -> set[str]:
        asked.append(1)
        return files

    asked: list[int] = []
    assert checked_listing(str(tmp_path), manifest, ids) == (None, ids) and asked == []
    # a file deleted by hand, a folder removed, a file added
    (tmp_path / "a" / "x.json").unlink()
    (tmp_path / "b" / "c" / "index.html").unlink()
    (tmp_path / "b" / "c" / "y.json").unlink()
    (tmp_path / "b" / "c").rmdir()
    (tmp_path / "d" / "new.txt").write_text("new", encoding="utf-8")
    found, now = checked_listing(str(tmp_path), manifest, ids)
    assert asked == [1]
    assert found == {"index.html", "a/index.html", "d/index.html", "d/new.txt"}
    assert set(now) == {"", "a", "b", "d"} and now[""] == ids[""] and now["a"] != ids["a"]


def test_a_walk_split_by_top_level_folder_finds_what_one_walk_finds(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from sitegen.writer import tree_stats

    site = tmp_path / "site"
    for rel, size in [("index.html", 10), ("a/x.json", 3), ("a/b/c/y.json", 7),
                      ("d/z.txt", 0), ("e/f/w.bin", 5)]:
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(b"x" * size)
    (site / "empty").mkdir()
    (site / "link").symlink_to(site / "a")  # a link to a folder is not walked
    (site / "a" / "b" / "to-file").symlink_to(site / "index.html")
    with ThreadPoolExecutor(2) as pool:
        split = tree_stats(site, submit=pool.submit)
    whole = tree_stats(site)
    assert split == whole
    assert whole[0] == 6 and set(whole[2]) == {"", "a", "a/b", "a/b/c", "d", "e", "e/f",
                                               "empty"}


def test_a_walk_takes_earlier_walks_of_folders_that_did_not_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Item folders walked while the rest of the site is written are taken as walked,
    folder identities checked: a folder (or one below it) that changed since is walked
    again, and the result is always what one walk now finds."""
    from concurrent.futures import ThreadPoolExecutor

    from sitegen import writer
    from sitegen.writer import KnownWalks, known_parts, walk_folders

    monkeypatch.setattr(writer, "SETTLED_NS", -10**9)  # every folder counts as settled
    site = tmp_path / "site"
    for rel, size in [("index.html", 10), ("c/index.html", 4), ("c/i1/index.html", 3),
                      ("c/i1/i1.json", 2), ("c/i2/index.html", 5), ("c/i2/sub/x.json", 7),
                      ("c/i3/index.html", 1), ("d/i4/index.html", 6)]:
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(b"x" * size)
    known = walk_folders(str(site), ["c/i1", "c/i2", "c/i3", "d/i4", "c/gone"])
    # only folders with no folder in them: c/i2 is walked with the site
    assert set(known) == {"c/i1", "c/i3", "d/i4"}
    files, size, ids = tree_stats(site / "c" / "i1", "c/i1")
    assert known_parts(known["c/i1"]) == (files, size, ids["c/i1"]) and list(ids) == ["c/i1"]
    whole = tree_stats(site)
    assert tree_stats(site, known=KnownWalks(known)) == whole
    # taken, not walked again: made-up counts with true identities show through
    made_up = {rel: writer._known_walk(100, 1000, known_parts(walk)[2])
               for rel, walk in known.items()}
    assert tree_stats(site, known=KnownWalks(made_up))[:2] == (whole[0] - 4 + 300,
                                                         whole[1] - 12 + 3000)
    # the walk takes them out of ``known`` as it takes them
    taking = KnownWalks(made_up)
    tree_stats(site, known=taking)
    assert not taking
    # after the walks, files come into a folder and into a folder below one
    (site / "c" / "i1" / "B01.tif").write_bytes(b"x" * 9)
    (site / "c" / "i2" / "sub" / "y.json").write_bytes(b"x" * 8)
    (site / "c" / "new").mkdir()
    whole = tree_stats(site)
    assert whole[:2] == (10, 38 + 9 + 8)
    assert tree_stats(site, known=KnownWalks(made_up)) == (whole[0] - 2 + 200,
                                                     whole[1] - 7 + 2000, whole[2])
    with ThreadPoolExecutor(2) as pool:
        assert tree_stats(site, submit=pool.submit, known=KnownWalks(made_up)) == \
            tree_stats(site, known=KnownWalks(made_up))
    assert tree_stats(site, known=KnownWalks(known)) == whole
    # counts too large to pack are not kept: the folder is walked again
    assert writer._known_walk(1 << 24, 0, 5) is None
    assert writer._known_walk(0, 1 << 40, 5) is None
    assert known_parts(writer._known_walk((1 << 24) - 1, (1 << 40) - 1, 7) or 0) == \
        ((1 << 24) - 1, (1 << 40) - 1, 7)


def test_packed_folder_identities_read_back_as_they_were_given() -> None:
    import pickle

    from sitegen.writer import FolderIds, Packed

    pairs = [("", 5), ("a", (1 << 127) + 3), ("a/b", 0), ("c d/é", 1 << 64)]
    ids = FolderIds.of(pairs)
    assert list(ids.items()) == pairs and list(ids) == [n for n, _ in pairs]
    assert len(ids) == 4 and ids["a"] == (1 << 127) + 3 and "x" not in ids
    assert ids == dict(pairs) and pickle.loads(pickle.dumps(ids)) == ids
    # the root alone: its name is the empty string, and it is there
    root = FolderIds.of([("", 7)])
    assert len(root) == 1 and dict(root.items()) == {"": 7}
    assert len(FolderIds()) == 0 and list(FolderIds()) == [] and FolderIds() == {}
    # joined, parts empty or not; entries taken out
    whole = FolderIds.join([FolderIds(), FolderIds.of(pairs[:2]), root.without({""}),
                            FolderIds.of(pairs[2:])])
    assert list(whole.items()) == pairs and whole.same(ids)
    assert dict(ids.without({"a", "gone"}).items()) == {"": 5, "a/b": 0, "c d/é": 1 << 64}
    assert ids.without({"gone"}) is ids and ids.without(set()) is ids
    assert not ids.same(FolderIds.of(pairs[::-1])) and ids == FolderIds.of(pairs[::-1])
    with pytest.raises(ValueError, match="width"):
        Packed.join([ids, Packed.of([("x", 1)], 24)])


def test_earlier_walks_are_grouped_by_top_level_folder_and_taken_out() -> None:
    from sitegen import writer
    from sitegen.writer import KnownWalks, by_top_folder

    walks = {"c/i1": 11, "c/i2": 12, "d/x/i3": 13, "top-item": 14, "d/i4": 1 << 190}
    groups = by_top_folder(walks)
    assert {top: dict(g.items()) for top, g in groups.items()} == {
        "c": {"c/i1": 11, "c/i2": 12}, "d": {"d/x/i3": 13, "d/i4": 1 << 190},
        "": {"top-item": 14}}
    assert writer.WALK_BYTES * 8 >= (1 << 190).bit_length()
    known = KnownWalks()
    known.add(by_top_folder({"c/i1": 11, "top-item": 14}))
    known.add(by_top_folder({"c/i2": 12, "d/x/i3": 13, "d/i4": 1 << 190}))
    # a top-level folder is looked up without unpacking the groups below
    assert known.pop("c") is None and known.pop("top-item") == 14
    assert known._open.keys() == {""}
    assert known.pop("c/i2") == 12 and known.pop("c/i2") is None
    # the rest of a group, some of it unpacked, goes to whoever walks that folder
    taken = known.take("c")
    assert taken is not None and taken.pop("c/i1") == 11 and not taken
    assert known.take("c") is None and known.take("nothing") is None
    d = known.take("d")
    assert d is not None and d.pop("d/i4") == 1 << 190 and d.pop("d/x/i3") == 13
    assert not known


def test_folders_that_changed_moments_ago_are_not_taken_from_an_earlier_walk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file added within a clock tick of a walk may leave its folder's change time as
    it was: a walk gives only folders whose last change is older than that."""
    import os

    from sitegen import writer

    for rel in ("old/index.html", "old/x.json", "new/index.html", "mixed/index.html",
                "mixed/sub/x.json", "parent/sub/x.json"):
        write_file(str(tmp_path), rel, rel)
    real_stat = os.stat

    def aged(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        """Folders changed long ago: "old", "parent" and what is below it, "mixed" but
        not below."""
        st = real_stat(path, *args, **kwargs)
        if str(path).endswith(("old", "mixed", "parent", "parent/sub")):
            return os.stat_result(list(st)[:10], {"st_ctime_ns": 10**9})
        return st

    monkeypatch.setattr(os, "stat", aged)
    walked = writer.walk_folders(str(tmp_path), ["old", "new", "mixed", "parent"])
    assert set(walked) == {"old"}  # ("parent" has a folder in it)
    assert writer.known_parts(walked["old"])[:2] == (2, len("old/index.html") +
                                                      len("old/x.json"))


def test_files_kept_a_set_at_a_time_count_and_are_never_dropped(tmp_path: Path) -> None:
    """An item's files are kept as one tuple, not added to the file set name by name:
    the new site still has them (``has``, ``count``), an update deletes none of them,
    and deletes a dropped item's files."""
    out_dir = tmp_path / "site"
    previous = {"index.html", "a/index.html", "a/a.json", "b/index.html", "b/b.json"}
    for rel in previous | {MARKER}:
        write_file(str(out_dir), rel, rel)
    staging = Staging(out_dir)
    out = Output(str(staging.path), str(out_dir), None, set(previous))
    assert not out.keep_files(("a/index.html", "a/missing.json"))  # one of them is gone
    assert out.keep_files(("a/index.html", "a/a.json"))
    assert out.keep("index.html")
    out.write("index.html", "changed")  # (written again: not counted twice)
    assert out.has("a/a.json") and out.has("index.html") and not out.has("b/b.json")
    assert out.count() == 3 and out.files == {"index.html"}
    journal = tmp_path / "journal"
    # every previous file is a candidate: only item b's are dropped
    moved, removed, _change, _touched = staging.apply(out.has, sorted(previous | {MARKER}),
                                                      journal)
    assert (moved, removed) == (1, 2)
    assert sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*")
                  if p.is_file()) == [MARKER, "a/a.json", "a/index.html", "index.html"]
    assert (out_dir / "index.html").read_text(encoding="utf-8") == "changed"
    assert not journal.exists()


def test_with_the_cache_list_unchanged_kept_names_are_not_looked_up(tmp_path: Path) -> None:
    """``existing=None``: the build cache's list of files holds (no folder changed), so
    the names kept from it are taken as they are; a single file (an asset copy, which
    may not be on that list) is looked for on disk."""
    out_dir = tmp_path / "site"
    write_file(str(out_dir), "a/copy.png", "image")
    out = Output(str(tmp_path / "staging"), str(out_dir), None, None)
    assert out.keep_files(("a/index.html", "a/a.json")) and out.keep_all(("b/index.html",))
    assert out.keep("a/copy.png") and not out.keep("a/missing.png")
    assert out.count() == 4 and out.has("a/a.json") and not out.has("a/missing.png")


def test_files_settled_a_set_at_a_time(tmp_path: Path) -> None:
    """An item's files, written by a worker: a full build takes the set as it is (no
    name added one by one) and still knows and counts them; a rebuild compares each
    with the previous site's and drops the equal ones."""
    changed: list[str] = []
    full = Output(str(tmp_path / "full"), None, changed.append)
    item = ("a/index.html", "a/a.json")
    write_file(str(tmp_path / "full"), "a/index.html", "page")
    write_file(str(tmp_path / "full"), "a/a.json", "{}")
    full.settle_files(item)
    full.write("index.html", "root")
    assert full.kept[0] is item and full.files == {"index.html"}
    assert full.has("a/a.json") and full.has("index.html") and not full.has("b/b.json")
    assert full.count() == 3 and changed == ["a/index.html", "a/a.json", "index.html"]

    previous = tmp_path / "site"
    write_file(str(previous), "a/index.html", "page")
    write_file(str(previous), "a/a.json", "{}")
    staging = tmp_path / "staging"
    write_file(str(staging), "a/index.html", "page, edited")
    write_file(str(staging), "a/a.json", "{}")
    changed.clear()
    update = Output(str(staging), str(previous), changed.append, {"a/index.html", "a/a.json"})
    update.settle_files(item)
    assert changed == ["a/index.html"] and not (staging / "a" / "a.json").exists()
    assert update.files == set(item) and update.count() == 2


def test_a_folder_identity_is_its_inode_and_change_time_in_one_number() -> None:
    import os

    from sitegen.writer import _folder_id, changed_ns

    def st(ino: int, ctime_ns: int) -> os.stat_result:
        return os.stat_result((0o40755, ino, 1, 2, 0, 0, 4096, 0, 0, 0),
                              {"st_ctime_ns": ctime_ns})

    stamp = 1_795_393_874_646_931_180
    ids = {_folder_id(st(ino, ns)) for ino in (1, 2, 2**40) for ns in (0, stamp, stamp + 1)}
    assert len(ids) == 9  # every inode and change time apart
    assert changed_ns(_folder_id(st(2**40, stamp))) == stamp
    assert changed_ns(_folder_id(st(7, -1))) > stamp  # before 1970: never settled


@pytest.mark.parametrize("files", [
    ("a/b/index.html", "a/b/x.json", "a/b/index.urls.txt", "a/b/index.meta4"),
    ("index.html", "x.json", "index.urls.txt", "sub/index.html"),
    ("a/index.html", "ab/index.urls.txt", "a/sub/x.txt", "a", "a/index.meta4"),
    ("a/index.html",),
    (),
])
def test_compact_file_sets_expand_to_the_same_files(files: tuple[str, ...]) -> None:
    from sitegen.writer import compact_files, expand_files

    compact = compact_files(files, files[1:2])
    assert sorted(expand_files(compact)) == sorted(files) and len(compact) == len(files)
    assert compact[:1] == files[1:2] or len(files) < 2  # a shared string, first
    assert compact_files(files) == files[:1] + compact_files(files)[1:]
    assert expand_files(compact_files(files)) == files


def test_compact_file_sets_share_their_names_across_items() -> None:
    from sitegen.writer import compact_files

    one = compact_files(("p/a/index.html", "p/a/a.json", "".join(["p/a/index", ".meta4"])))
    two = compact_files(("p/b/index.html", "p/b/b.json", "".join(["p/b/index", ".meta4"])))
    assert one[2] == "/index.meta4" and one[2] is two[2]


def test_compact_file_sets_are_kept_settled_and_listed_as_their_files(
        tmp_path: Path) -> None:
    from sitegen.writer import compact_files

    item = ("a/index.html", "a/a.json", "a/index.urls.txt")
    compact = compact_files(item)
    out_dir = tmp_path / "site"
    for rel in item:
        write_file(str(out_dir), rel, rel)
    out = Output(str(tmp_path / "staging"), str(out_dir), None, set(item))
    assert out.keep_files(compact) and out.has("a/index.urls.txt")
    assert not out.has("/index.urls.txt") and out.count() == 3
    missing = Output(str(tmp_path / "staging"), str(out_dir), None, set(item[:2]))
    assert not missing.keep_files(compact)

    changed: list[str] = []
    full = Output(str(tmp_path / "full"), None, changed.append)
    full.settle_files(compact)
    assert changed == list(item) and full.has("a/index.urls.txt") and full.count() == 3
    staging = tmp_path / "staging2"
    for rel in item:
        write_file(str(staging), rel, rel + (" edited" if rel.endswith(".txt") else ""))
    changed.clear()
    update = Output(str(staging), str(out_dir), changed.append, set(item))
    update.settle_files(compact)
    assert changed == ["a/index.urls.txt"] and update.files == set(item)


def test_folder_identities_are_the_same_with_or_without_a_root_descriptor(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from sitegen.writer import folder_ids

    for rel in ("a/index.html", "a/b/x.json"):
        write_file(str(tmp_path), rel, rel)
    rels = ["", "a", "a/b", "gone"]
    with_fd = folder_ids(str(tmp_path), rels)
    assert set(with_fd) == {"", "a", "a/b"}
    monkeypatch.setattr(os, "supports_dir_fd", set())  # as on Windows
    assert folder_ids(str(tmp_path), rels) == with_fd
    assert folder_ids(str(tmp_path / "missing"), rels) == {}
