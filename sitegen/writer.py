"""Writing the site: the only module that touches the output folder.

A build writes into a fresh staging folder beside the output and swaps it in at
the end, so an interrupted or failed build leaves the previous site as it was.
Every path is joined through :func:`safe_join`, which refuses anything that could
leave the staging folder, whatever a catalog's ids and hrefs hold.
"""

from __future__ import annotations

import contextlib
import errno
import filecmp
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, ItemsView, Iterable, Iterator, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any, BinaryIO

from sitegen import __version__
from sitegen.errors import OutputError

MARKER = ".sitegen-build"
_TMP_TAG = ".sitegen-tmp-"
_OLD_TAG = ".sitegen-old-"


#: an empty, ``.`` or ``..`` segment (a leading or doubled ``/`` makes an empty one), a
#: backslash or a NUL
_UNSAFE_PATH = re.compile(r"(?:^|/)\.{0,2}(?:/|$)|[\\\x00]")


def safe_join(root: str, rel: str) -> str:
    """Join a relative POSIX output path onto ``root``, refusing any escape.

    Raises:
        OutputError: ``rel`` is empty, absolute, or has ``..``, ``.``, empty,
            backslash or NUL segments.
    """
    if _UNSAFE_PATH.search(rel) is not None:
        raise OutputError(f"refusing unsafe output path {rel!r}")
    if os.sep == "/":  # one search and a join: every file of every item comes here
        return f"{root}/{rel}" if root and not root.endswith("/") else root + rel
    return os.path.join(root, *rel.split("/"))  # pragma: no cover - Windows


#: Folders this process made (or found) lately. Every item has a folder of its own,
#: so the set is cleared when full: remembering them all grew a worker by a path per
#: item (120 MiB a worker at 1,000,000 items). A folder forgotten costs one ``mkdir``.
_made_dirs: set[str] = set()
_MADE_DIRS_MAX = 4096


def _ensure_dir(path: str) -> None:
    """``makedirs`` once per folder while remembered (a failed open per new folder was a
    hot spot)."""
    if path not in _made_dirs:
        try:
            os.mkdir(path)  # mostly an item's new folder, in a folder made before
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(path, exist_ok=True)
        if len(_made_dirs) >= _MADE_DIRS_MAX:
            _made_dirs.clear()
        _made_dirs.add(path)


_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0) | \
    getattr(os, "O_BINARY", 0)


def write_file(root: str, rel: str, data: bytes | str) -> int:
    """Write one file below ``root``; returns the number of bytes written.

    With ``os.open``/``os.write`` rather than a Python file object: half the cost for
    the five small files of every item.
    """
    path = safe_join(root, rel)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.rpartition(os.sep)[0] or os.path.dirname(path)
    _ensure_dir(folder)
    try:
        fd = os.open(path, _WRITE_FLAGS, 0o666)
    except FileNotFoundError:
        # The cache outlives a build; never trust it over the file system.
        _made_dirs.discard(folder)
        os.makedirs(folder, exist_ok=True)
        fd = os.open(path, _WRITE_FLAGS, 0o666)
    try:
        done = os.write(fd, payload)
        while done < len(payload):  # a short write (a signal, say)
            done += os.write(fd, memoryview(payload)[done:])
    finally:
        os.close(fd)
    return len(payload)


def open_output(root: str, rel: str) -> BinaryIO:
    """Open ``rel`` below ``root`` for writing (binary), creating folders. Close it."""
    path = safe_join(root, rel)
    _ensure_dir(os.path.dirname(path))
    return open(path, "wb")


def copy_file(root: str, source: str, rel: str) -> int:
    """Copy (hard-link when possible) ``source`` to ``rel`` unless it already exists.

    An existing output file wins: pages and JSON copies are written before assets,
    so an asset can never replace them. Returns bytes added (0 when skipped).
    """
    path = safe_join(root, rel)
    if os.path.lexists(path):
        return 0
    _ensure_dir(os.path.dirname(path))
    try:
        os.link(source, path)
    except OSError:
        shutil.copyfile(source, path)
    return os.path.getsize(path)


def compact_files(files: tuple[str, ...], shared: tuple[str, ...] = ()) -> tuple[str, ...]:
    """A set of files made together (an item's), as kept for the whole build: the first
    of them that is in ``shared`` (strings held elsewhere already: the model's page and
    JSON paths), else the first, comes first; every other file in its folder, but
    those of ``shared``, is its name with a ``/`` before it, one string for every item
    (``/index.urls.txt``). An item's download lists are then no string of their own:
    about 270 bytes an item. :func:`expand_files` undoes it, but for the order."""
    if len(files) < 2:
        return files
    # first a file of ``shared``, if any, whose string costs nothing
    lead = next((n for n, rel in enumerate(files) if rel in shared), 0)
    folder, _, _ = files[lead].rpartition("/")
    cut = len(folder) + 1 if folder else 0
    out = [files[lead]]
    for rel in files[:lead] + files[lead + 1:]:
        name = rel[cut:]
        if rel not in shared and "/" not in name and (
                not folder or (rel.startswith(folder) and rel.startswith("/", cut - 1))):
            out.append(sys.intern("/" + name))
        else:
            out.append(rel)
    return tuple(out)


def expand_files(files: tuple[str, ...]) -> tuple[str, ...]:
    """The site paths of a set of files made compact by :func:`compact_files`, the first
    one's folder before each name starting with ``/`` (which no site path does:
    ``files`` as they are when none does)."""
    if not any(rel[:1] == "/" for rel in files):
        return files
    folder = files[0].rpartition("/")[0]
    prefix = folder + "/" if folder else ""
    return tuple(prefix + rel[1:] if rel[:1] == "/" else rel for rel in files)


class Output:
    """Writes the files of a new site below ``root`` (a staging folder).

    Without ``previous`` every file is written. With ``previous`` (the site as the
    last build left it, for an incremental build) a file whose bytes equal the file
    of the same name there is not written at all; ``root`` then holds only what is new
    or changed, which :meth:`Staging.apply` moves into place.

    ``existing`` names the files of ``previous`` (see :func:`checked_listing`): only
    those can be kept. None means the files its build cache lists, unchanged since:
    the names the caller keeps come from that list, so they are not looked up (the list
    is not even made). ``files`` gathers every file the new site has, written or not
    (the manifest), and ``record`` hears only of the files that are new or changed.
    """

    def __init__(self, root: str, previous: str | None = None,
                 record: Callable[[str], None] | None = None,
                 existing: set[str] | None = None) -> None:
        self.root = root
        self.previous = previous
        self.record = record
        self.existing = existing
        self.files: set[str] = _Manifest()
        #: files kept or settled a set at a time (an item's), not added to ``files`` one
        #: by one: half a million names at 100,000 items (see :meth:`keep_files`,
        #: :meth:`settle_files`)
        self.kept: list[tuple[str, ...]] = []
        self._kept: set[str] | None = None
        self.copies: list[tuple[str, str]] = []  # asset copies its pages link to

    def group(self) -> Output:
        """An output writing to the same places whose ``files`` are only what is
        written through it (they are added to this one's too)."""
        child = Output(self.root, self.previous, self.record, self.existing)
        child.files = _Manifest(self.files)
        return child

    def write(self, rel: str, data: bytes | str) -> int:
        """Write one file unless the previous site has it as it is; returns its size."""
        payload = data.encode("utf-8") if isinstance(data, str) else data
        self.files.add(rel)
        if self.previous is not None and self._same(rel, payload):
            return len(payload)
        written = write_file(self.root, rel, payload)
        self._changed(rel)
        return written

    def open(self, rel: str) -> BinaryIO:
        """A file to stream into; when it turns out unchanged it is dropped on close."""
        self.files.add(rel)
        fh = open_output(self.root, rel)
        if self.previous is None:
            self._changed(rel)
            return fh
        return _Comparing(fh, self, rel)  # type: ignore[return-value]

    def keep(self, rel: str) -> bool:
        """Keep the previous site's file as it is; False when it has no such file."""
        if self.previous is None or not (
                os.path.isfile(safe_join(self.previous, rel)) if self.existing is None
                else rel in self.existing):
            return False
        self.files.add(rel)
        return True

    def keep_all(self, rels: Iterable[str]) -> bool:
        """Keep several files of the build cache's list, or none (False) when one of
        them is missing."""
        rels = rels if isinstance(rels, tuple) else tuple(rels)
        if not self._listed(rels):
            return False
        self.files.update(rels)
        return True

    def keep_files(self, rels: tuple[str, ...]) -> bool:
        """Keep a set of files of the build cache's list made together (an item's, maybe
        compact: see :func:`compact_files`), or none (False) when one of them is
        missing. They go to :attr:`kept`, not ``files``: ask :meth:`has` whether the new
        site has a file, :meth:`count` how many."""
        if not self._listed(rels):
            return False
        self.kept.append(rels)
        self._kept = None
        return True

    def _listed(self, rels: tuple[str, ...]) -> bool:
        """True when the previous site has all of ``rels``, names of the build cache's
        list (taken as they are while that list holds: see ``existing``); ``rels`` may
        be compact (see :func:`compact_files`)."""
        return self.previous is not None and (self.existing is None or
                                              self.existing.issuperset(expand_files(rels)))

    def has(self, rel: str) -> bool:
        """True when the new site has ``rel``: written, settled or kept."""
        if rel in self.files:
            return True
        if not self.kept:
            return False
        if self._kept is None:  # made only when asked about a file not in ``files``
            self._kept = {r for rels in self.kept for r in expand_files(rels)}
        return rel in self._kept

    def count(self) -> int:
        """How many files the new site has (a kept set's files are in no other)."""
        return len(self.files) + sum(map(len, self.kept))

    def settle(self, rel: str) -> None:
        """Take note of a file written below ``root`` by someone else (a worker): when
        it equals the previous site's it is dropped, else it is recorded as changed."""
        self.files.add(rel)
        if self.previous is not None:
            new, old = safe_join(self.root, rel), safe_join(self.previous, rel)
            with contextlib.suppress(OSError):
                if filecmp.cmp(new, old, shallow=False):
                    os.remove(new)
                    return
        self._changed(rel)

    def settle_files(self, rels: tuple[str, ...]) -> None:
        """:meth:`settle` a set of files made together (an item's, by a worker). In a
        full build they join :attr:`kept` as the tuple they are, which the build cache
        keeps too: no set of half a million names at 100,000 items (about 200 bytes an
        item, the names being the cache entries' own). ``rels`` may be compact (see
        :func:`compact_files`), as :meth:`keep_files`'s may."""
        if self.previous is not None:
            for rel in expand_files(rels):
                self.settle(rel)
            return
        self.kept.append(rels)
        self._kept = None
        if self.record is not None:
            for rel in expand_files(rels):
                self.record(rel)

    def _changed(self, rel: str) -> None:
        if self.record is not None:
            self.record(rel)

    def _same(self, rel: str, payload: bytes) -> bool:
        assert self.previous is not None
        old = safe_join(self.previous, rel)
        try:
            if os.stat(old).st_size != len(payload):
                return False
            with open(old, "rb") as fh:
                return fh.read() == payload
        except OSError:
            return False


class _Manifest(set[str]):
    """A set of file names that also adds to a parent set (see :meth:`Output.group`)."""

    def __init__(self, parent: set[str] | None = None) -> None:
        super().__init__()
        self.parent = parent

    def add(self, rel: str) -> None:
        super().add(rel)
        if self.parent is not None:
            self.parent.add(rel)

    def update(self, *others: Iterable[str]) -> None:
        for other in others:
            other = other if isinstance(other, (list, tuple, set, frozenset)) else list(other)
            super().update(other)
            if self.parent is not None:
                self.parent.update(other)


class _Comparing:
    """A file being written that is compared, as it goes, with the previous version."""

    def __init__(self, fh: BinaryIO, output: Output, rel: str) -> None:
        self.fh = fh
        self.output = output
        self.rel = rel
        self.old: BinaryIO | None
        try:
            self.old = open(safe_join(output.previous or "", rel), "rb")
        except OSError:
            self.old = None

    def write(self, data: bytes) -> int:
        if self.old is not None and self.old.read(len(data)) != data:
            self.old.close()
            self.old = None
        return self.fh.write(data)

    def writelines(self, lines: Iterable[bytes]) -> None:
        for line in lines:
            self.write(line)

    def close(self) -> None:
        if self.fh.closed:
            return
        self.fh.close()
        same = self.old is not None and self.old.read(1) == b""
        if self.old is not None:
            self.old.close()
        if same:
            os.remove(safe_join(self.output.root, self.rel))
        else:
            self.output._changed(self.rel)

    def __enter__(self) -> _Comparing:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self.fh.close()
            if self.old is not None:
                self.old.close()
            return
        self.close()


def _umask() -> int:
    mask = os.umask(0o22)
    os.umask(mask)
    return mask


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Staging:
    """A staging folder for one build of ``output``.

    Raises:
        OutputError: ``output`` exists and is not a folder made by sitegen (and not
            empty), or its parent cannot be written.
    """

    def __init__(self, output: Path, protect: list[Path] | None = None) -> None:
        self.output = output.resolve()
        self._check(protect or [])
        parent = self.output.parent
        self._sweep(parent)
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.path = tempfile.mkdtemp(
                prefix=f".{self.output.name}{_TMP_TAG}{os.getpid()}-", dir=parent
            )
            # mkdtemp makes it private; the published folder must be readable like any
            # folder the user makes (a web server usually runs as another user).
            os.chmod(self.path, 0o777 & ~_umask())
        except OSError as exc:
            raise OutputError(f"cannot write output folder {output}: {exc.strerror}") from None

    def _check(self, protect: list[Path]) -> None:
        out = self.output
        if out == Path(out.anchor):
            raise OutputError("refusing to use the file system root as output folder")
        for path in protect:
            path = path.resolve()
            if path == out or out in path.parents:
                raise OutputError(
                    f"output folder {out} contains the source {path}; choose another folder"
                )
        if out.exists():
            if not out.is_dir():
                raise OutputError(f"output {out} exists and is not a folder")
            if not (out / MARKER).is_file() and any(out.iterdir()):
                raise OutputError(
                    f"output folder {out} is not empty and was not made by sitegen; "
                    "refusing to replace it (remove it or choose another folder)"
                )

    def _sweep(self, parent: Path) -> None:
        """Remove staging folders left by killed builds of the same output."""
        if not parent.is_dir():
            return
        if not self.output.exists():
            # Killed between the two renames of a swap: the previous site is the old one.
            for leftover in sorted(parent.glob(f".{self.output.name}{_OLD_TAG}*")):
                pid = self._leftover_pid(leftover, _OLD_TAG)
                if pid is not None and not _pid_alive(pid) and (leftover / MARKER).is_file():
                    os.rename(leftover, self.output)
                    break
        for tag in (_TMP_TAG, _OLD_TAG):
            for leftover in parent.glob(f".{self.output.name}{tag}*"):
                pid = self._leftover_pid(leftover, tag)
                if pid is not None and _pid_alive(pid) and pid != os.getpid():
                    continue
                shutil.rmtree(leftover, ignore_errors=True)

    def _leftover_pid(self, leftover: Path, tag: str) -> int | None:
        """The process id in a staging or old folder's name (``.site.sitegen-tmp-PID-...``)."""
        pid_text = leftover.name[len(self.output.name) + 1 + len(tag):].split("-")[0]
        return int(pid_text) if pid_text.isdigit() else None

    def commit(self) -> None:
        """Swap the staging folder in place of the output."""
        write_file(self.path, MARKER, f"stac-sitegen {__version__}\n")
        old = None
        if self.output.exists():
            old = self.output.parent / f".{self.output.name}{_OLD_TAG}{os.getpid()}"
            shutil.rmtree(old, ignore_errors=True)
            os.rename(self.output, old)
        try:
            os.rename(self.path, self.output)
        except OSError as exc:
            if old is not None:
                os.rename(old, self.output)
            raise OutputError(f"cannot move the new site into place: {exc}") from None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def apply(self, has: Callable[[str], bool], candidates: Iterable[str], journal: Path,
              ) -> tuple[int, int, int, set[str]]:
        """Update the output in place (an incremental build): move the staged files,
        which are the new and changed ones, into it and delete the files the new site
        no longer has: those of ``candidates`` (the previous site's files, or those of
        them the new site may have dropped) for which ``has`` says no.

        ``journal`` exists while the output is being changed; a build that finds it
        knows an update was cut short and builds from scratch.

        Returns:
            Files moved in, files removed, how many bytes the site grew (negative when
            it shrank), and the folders whose entries changed (see :func:`folder_ids`).
        """
        journal.write_text(f"updating {self.output}\n", encoding="utf-8")
        output = str(self.output)
        change = moved = removed = 0
        touched: set[str] = set()
        for dirpath, _dirs, names in os.walk(self.path):
            for name in names:
                src = os.path.join(dirpath, name)
                rel = os.path.relpath(src, self.path).replace(os.sep, "/")
                dest = safe_join(output, rel)
                change += os.lstat(src).st_size
                try:
                    change -= os.lstat(dest).st_size
                except FileNotFoundError:
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                os.replace(src, dest)
                moved += 1
                touched.add(os.path.dirname(rel))
        folders: set[str] = set()
        for rel in candidates:
            if rel == MARKER or has(rel):
                continue
            path = safe_join(output, rel)
            with contextlib.suppress(FileNotFoundError):
                change -= os.lstat(path).st_size
                os.remove(path)
                removed += 1
                folders.add(os.path.dirname(rel))
        for folder in sorted(folders, key=len, reverse=True):
            while folder:
                try:
                    os.rmdir(safe_join(output, folder))
                except OSError:
                    break  # not empty
                folder = os.path.dirname(folder)
        self.abort()
        journal.unlink()
        # a folder made or removed changes its parent's entries too
        return moved, removed, change, _with_parents(touched | folders)

    def abort(self) -> None:
        """Delete the staging folder (the previous site stays)."""
        with contextlib.suppress(OSError):
            shutil.rmtree(self.path)


def _with_parents(folders: Iterable[str]) -> set[str]:
    """``folders`` (relative, ``""`` for the root) and every folder above them."""
    out: set[str] = set()
    for folder in folders:
        while folder not in out:
            out.add(folder)
            if not folder:
                break
            folder = folder.rpartition("/")[0]
    return out


#: A folder's identity: its inode number and change time (ns) as one number, ``inode
#: << 64 | change time``. One is kept per folder of the site (an item's folder each):
#: a pair of numbers in a tuple takes 90 bytes more.
FolderId = int
_NS = (1 << 64) - 1
#: Bytes of a :data:`FolderId` packed (see :class:`Packed`).
ID_BYTES = 16


def _folder_id(st: os.stat_result) -> FolderId:
    """A folder's identity (see :func:`folder_ids`); :func:`tree_stats` takes the same."""
    return st.st_ino << 64 | (st.st_ctime_ns & _NS)


def changed_ns(ident: FolderId) -> int:
    """The change time of a folder identity (ns; a time before 1970 reads as far in
    the future)."""
    return ident & _NS


class Packed(Mapping[str, int]):
    """Names with a number each, packed: the names in one string, joined by NUL (no site
    path holds one), and the numbers in one ``bytes``, ``width`` bytes each
    (little-endian). The identities of a site's folders, one per item: a dictionary of
    them was 200 bytes a folder, 200 MiB at 1,000,000 items, at the build's peak.

    Iterating reads them in order; a lookup makes (and keeps) a dictionary, which is
    for small ones only."""

    __slots__ = ("names", "data", "width", "_index")

    def __init__(self, names: str = "", data: bytes = b"", width: int = ID_BYTES) -> None:
        self.names = names
        self.data = data
        self.width = width
        self._index: dict[str, int] | None = None

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, int]], width: int = ID_BYTES) -> Packed:
        names: list[str] = []
        data = bytearray()
        for name, number in pairs:
            names.append(name)
            data += number.to_bytes(width, "little")
        return cls("\0".join(names), bytes(data), width)

    @classmethod
    def join(cls, parts: Iterable[Packed], width: int = ID_BYTES) -> Packed:
        """The entries of ``parts`` in one (each name in one part only)."""
        full = [p for p in parts if p.data]
        if any(p.width != width for p in full):
            raise ValueError("packed entries of another width")
        if len(full) == 1:
            return full[0]
        return cls("\0".join(p.names for p in full), b"".join(p.data for p in full), width)

    def name_list(self) -> list[str]:
        return self.names.split("\0") if self.data else []

    def numbers(self) -> Iterator[int]:
        data, width, from_bytes = self.data, self.width, int.from_bytes
        return (from_bytes(data[at:at + width], "little")
                for at in range(0, len(data), width))

    def __len__(self) -> int:
        return len(self.data) // self.width

    def __iter__(self) -> Iterator[str]:
        return iter(self.name_list())

    def __getitem__(self, name: str) -> int:
        if self._index is None:
            self._index = dict(zip(self.name_list(), self.numbers(), strict=True))
        return self._index[name]

    def items(self) -> ItemsView[str, int]:
        return _PackedItems(self)

    def without(self, names: set[str]) -> Packed:
        """These entries but those of ``names``."""
        if not names:
            return self
        listed = self.name_list()
        keep = [n for n, name in enumerate(listed) if name not in names]
        if len(keep) == len(listed):
            return self
        width = self.width
        return Packed("\0".join(listed[n] for n in keep),
                      b"".join(self.data[n * width:(n + 1) * width] for n in keep), width)

    def same(self, other: Packed) -> bool:
        """The same names with the same numbers, in the same order (a quick test)."""
        return self.names == other.names and self.data == other.data and \
            self.width == other.width

    def __getstate__(self) -> tuple[str, bytes, int]:
        return self.names, self.data, self.width

    def __setstate__(self, state: tuple[str, bytes, int]) -> None:
        self.names, self.data, self.width = state
        self._index = None

    def __repr__(self) -> str:
        return f"Packed({dict(self.items())!r})"


class _PackedItems(ItemsView[str, int]):
    _mapping: Packed

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return zip(self._mapping.name_list(), self._mapping.numbers(), strict=True)


#: The folder identities of a site (see :func:`folder_ids`).
FolderIds = Packed


def folder_ids(root: str, folders: Iterable[str]) -> FolderIds:
    """The identity (inode, change time) of each of ``folders`` below ``root`` that
    exists, in their order. A folder's change time moves whenever an entry is added to
    it, removed or renamed, so an unchanged identity means its list of files is as it
    was."""
    found: list[tuple[str, FolderId]] = []
    # relative to the root's descriptor where the system takes one (not Windows): no
    # path joined, no root looked up again, for each of 100,000 folders
    fd: int | None = None
    if os.stat in os.supports_dir_fd:
        try:
            fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:
            return FolderIds()
    try:
        for rel in folders:
            try:
                st = os.stat(rel or ".", dir_fd=fd) if fd is not None else \
                    os.stat(os.path.join(root, rel) if rel else root)
            except OSError:
                continue
            found.append((rel, _folder_id(st)))
    finally:
        if fd is not None:
            os.close(fd)
    return FolderIds.of(found)


def checked_listing(root: str, files: Callable[[], set[str]], ids: FolderIds,
                    ) -> tuple[set[str] | None, FolderIds]:
    """The files below ``root``, from a manifest instead of a listing of the whole site.

    ``files`` gives what the last build left (called only when needed: made from the
    build cache, it is half a million names at 100,000 items) and ``ids`` the
    identities its folders had then. A folder whose identity is unchanged is taken as
    listed in the manifest; one that changed (someone deleted or added a file in it)
    or is gone is listed again. Stating 100,000 folders is several times quicker than
    listing 500,000 files.

    Returns:
        The files (None: the manifest's, every folder being unchanged) and the
        folders' identities now.
    """
    now = folder_ids(root, ids)
    if now.same(ids):  # (in the same order: made from them)
        return None, now
    current = dict(now.items())
    changed = {rel for rel, ident in ids.items() if current.get(rel) != ident}
    found = {rel for rel in files() if rel.rpartition("/")[0] not in changed}
    for folder in changed:
        if folder not in current:
            continue  # gone, with its files
        with contextlib.suppress(OSError), os.scandir(os.path.join(root, folder)) as it:
            prefix = folder + "/" if folder else ""
            found.update(prefix + e.name for e in it if not e.is_dir(follow_symlinks=False))
    return found, now


#: What a walk found below a folder: files, bytes, and the identity of every folder.
Walked = tuple[int, int, FolderIds]
#: An earlier walk of a folder with no folder in it (an item's, see :func:`walk_folders`):
#: its identity, bytes and files in one integer (a tuple of them was 130 bytes an item
#: more, for every item until the site's walk is done).
KnownWalk = int
_FILES_BITS = 24
_SIZE_BITS = 40
_ID_SHIFT = _FILES_BITS + _SIZE_BITS
#: Bytes of a :data:`KnownWalk` packed.
WALK_BYTES = ID_BYTES + (_ID_SHIFT + 7) // 8


def _known_walk(files: int, size: int, ident: FolderId) -> KnownWalk | None:
    """A :data:`KnownWalk`; None when the counts do not fit (the folder is walked again)."""
    if files >> _FILES_BITS or size >> _SIZE_BITS:
        return None
    return ident << _ID_SHIFT | size << _FILES_BITS | files


def known_parts(walk: KnownWalk) -> tuple[int, int, FolderId]:
    """``(files, bytes, identity)`` of an earlier walk."""
    return (walk & ((1 << _FILES_BITS) - 1), walk >> _FILES_BITS & ((1 << _SIZE_BITS) - 1),
            walk >> _ID_SHIFT)


#: How long ago a folder must have changed last for an earlier walk of it to be taken
#: later (see :func:`walk_folders`): more than the coarsest timestamps of common file
#: systems (2 s on FAT; the kernel's clock ticks on ext4 and tmpfs).
SETTLED_NS = 3_000_000_000


def walk_folders(root: str, folders: Iterable[str]) -> dict[str, KnownWalk]:
    """Walks of those of ``folders`` (paths in the site below ``root``) that are folders
    with no folder in them: a batch for a worker, walking the items' folders of a new
    site while the rest of it is still being written (see the ``known`` of
    :func:`tree_stats`).

    Only settled folders are given: a change time is a clock tick (or two seconds)
    coarse, so a file added soon after a folder's last change may leave its identity
    as it was; after :data:`SETTLED_NS`, any change gives it a new one."""
    out: dict[str, KnownWalk] = {}
    for rel in folders:
        settled = time.time_ns() - SETTLED_NS
        files, size, ids = tree_stats(safe_join(root, rel), rel)
        ident = ids.get(rel)
        if ident is not None and len(ids) == 1 and changed_ns(ident) < settled:
            walk = _known_walk(files, size, ident)
            if walk is not None:
                out[rel] = walk
    return out


class KnownWalks:
    """Earlier walks of item folders (see :func:`walk_folders`), packed, in groups by
    the site's top-level folder they are in: the walk of the site hands each group to
    the worker walking that folder. Taken out as they are used (:meth:`pop`)."""

    def __init__(self, walks: Mapping[str, KnownWalk] | None = None) -> None:
        self._groups: dict[str, list[Packed]] = {}
        self._open: dict[str, dict[str, KnownWalk]] = {}  # groups being taken
        if walks:
            self.add(by_top_folder(walks))

    def add(self, groups: dict[str, Packed]) -> None:
        """Walks grouped by :func:`by_top_folder`."""
        for top, packed in groups.items():
            self._groups.setdefault(top, []).append(packed)

    def pop(self, name: str) -> KnownWalk | None:
        """The walk of folder ``name`` (a path in the site), taken out; None if none."""
        top = _group(name)
        group = self._open.get(top)
        if group is None:
            parts = self._groups.pop(top, None)
            if parts is None:
                return None
            group = self._open[top] = dict(Packed.join(parts, WALK_BYTES).items())
        return group.pop(name, None)

    def take(self, top: str) -> KnownWalks | None:
        """The walks below the top-level folder ``top``, taken out (for the worker
        walking it); None if none."""
        parts = self._groups.pop(top, None)
        opened = self._open.pop(top, None)
        if not parts and not opened:
            return None
        taken = KnownWalks()
        taken._groups[top] = [*(parts or ()), *([Packed.of(opened.items(), WALK_BYTES)]
                                               if opened else [])]
        return taken

    def __bool__(self) -> bool:
        return bool(self._groups) or any(self._open.values())


def _group(name: str) -> str:
    """The group of a folder's walk: the top-level folder it is in; ``""`` for a
    top-level folder (so that looking one up unpacks no group of folders below it)."""
    top, below, _rest = name.partition("/")
    return top if below else ""


def by_top_folder(walks: Mapping[str, KnownWalk]) -> dict[str, Packed]:
    """``walks`` packed, by the site's top-level folder they are in (see :func:`_group`;
    for :meth:`KnownWalks.add`)."""
    groups: dict[str, list[tuple[str, KnownWalk]]] = {}
    for name, walk in walks.items():
        groups.setdefault(_group(name), []).append((name, walk))
    return {top: Packed.of(pairs, WALK_BYTES) for top, pairs in groups.items()}


def tree_stats(path: Path | str, rel: str = "",
               submit: Callable[..., Future[Any]] | None = None,
               known: KnownWalks | None = None) -> Walked:
    """``(files, bytes)`` below ``path`` and the identity of every folder (see
    :func:`folder_ids`), in one walk (``scandir``: a third faster than ``os.walk``
    with a ``lstat`` per joined path, for 500,000 files). ``rel``: the path's own
    name in the identities (its path in the site). With ``submit`` (an executor's),
    each top-level folder is walked by it: worker processes walk a large site side by
    side. ``known``: earlier walks of some folders (see :func:`walk_folders`), taken
    instead of walking them again when the folder is unchanged; the walk takes them out
    as it uses them."""
    files = total = 0
    ids: dict[str, FolderId] = {}
    walks: list[Future[Walked]] = []
    top = str(path)
    stack = [(top, rel)]
    while stack:
        folder, rel = stack.pop()
        try:
            st = os.stat(folder)
            entries = os.scandir(folder)
        except OSError as exc:  # pragma: no cover - raced deletion
            if exc.errno != errno.ENOENT:
                raise
            continue
        ids[rel] = _folder_id(st)
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir():  # a link to a folder is skipped, as os.walk does
                        if not entry.is_symlink():
                            name = f"{rel}/{entry.name}" if rel else entry.name
                            walked = known.pop(name) if known else None
                            earlier = known_parts(walked) if walked is not None else None
                            if earlier is not None and \
                                    _folder_id(entry.stat()) == earlier[2]:
                                files += earlier[0]
                                total += earlier[1]
                                ids[name] = earlier[2]
                            elif submit is not None and folder == top:
                                # (handed over: the worker's copy is the one it takes)
                                walks.append(submit(tree_stats, entry.path, name, None,
                                                    known.take(name) if known else None))
                            else:
                                stack.append((entry.path, name))
                        continue
                    total += entry.stat(follow_symlinks=False).st_size
                except OSError as exc:  # pragma: no cover - raced deletion
                    if exc.errno != errno.ENOENT:
                        raise
                    continue
                files += 1
    found = [FolderIds.of(ids.items())]
    for walk in walks:
        more, size, folders = walk.result()
        files += more
        total += size
        found.append(folders)
    return files, total, FolderIds.join(found)
