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
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from sitegen import __version__
from sitegen.errors import OutputError

MARKER = ".sitegen-build"
_TMP_TAG = ".sitegen-tmp-"
_OLD_TAG = ".sitegen-old-"


def safe_join(root: str, rel: str) -> str:
    """Join a relative POSIX output path onto ``root``, refusing any escape.

    Raises:
        OutputError: ``rel`` is empty, absolute, or has ``..``, ``.``, empty,
            backslash or NUL segments.
    """
    if not rel or rel.startswith("/") or "\\" in rel or "\x00" in rel:
        raise OutputError(f"refusing unsafe output path {rel!r}")
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise OutputError(f"refusing unsafe output path {rel!r}")
    return os.path.join(root, *parts)


_made_dirs: set[str] = set()


def _ensure_dir(path: str) -> None:
    """``makedirs`` once per folder and process (a failed open per new folder was a hot spot)."""
    if path not in _made_dirs:
        os.makedirs(path, exist_ok=True)
        _made_dirs.add(path)


def write_file(root: str, rel: str, data: bytes | str) -> int:
    """Write one file below ``root``; returns the number of bytes written."""
    path = safe_join(root, rel)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = os.path.dirname(path)
    _ensure_dir(folder)
    try:
        fh = open(path, "wb")
    except FileNotFoundError:
        # The cache outlives a build; never trust it over the file system.
        _made_dirs.discard(folder)
        os.makedirs(folder, exist_ok=True)
        fh = open(path, "wb")
    with fh:
        fh.write(payload)
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


class Output:
    """Writes files below ``root`` (a staging folder), reusing the previous site's.

    A file whose new bytes equal the file of the same name in ``previous`` is
    hard-linked from there instead of written, so unchanged outputs cost a comparison,
    not a write, and ``record`` hears only of files that are new or changed.
    Hard links are safe here: a file in the new site is never written after it was
    linked, and the previous site is never written at all.
    """

    def __init__(self, root: str, previous: str | None = None,
                 record: Callable[[str], None] | None = None) -> None:
        self.root = root
        self.previous = previous
        self.record = record

    def write(self, rel: str, data: bytes | str) -> int:
        """Write (or link) one file; returns its size."""
        payload = data.encode("utf-8") if isinstance(data, str) else data
        if self.previous is not None and self._link_if_same(rel, payload):
            return len(payload)
        written = write_file(self.root, rel, payload)
        if self.record is not None:
            self.record(rel)
        return written

    def open(self, rel: str) -> BinaryIO:
        """A file to stream into; on close it is swapped for a link when unchanged."""
        fh = open_output(self.root, rel)
        if self.previous is None:
            if self.record is not None:
                self.record(rel)
            return fh
        return _Comparing(fh, self, rel)  # type: ignore[return-value]

    def settle(self, rel: str) -> None:
        """Take note of a file written below ``root`` by someone else (a worker): when
        it equals the previous site's, it becomes a link to that; else it is recorded."""
        if self.previous is not None:
            new, old = safe_join(self.root, rel), safe_join(self.previous, rel)
            try:
                if filecmp.cmp(new, old, shallow=False) and self._replace_with_link(rel):
                    return
            except OSError:
                pass
        if self.record is not None:
            self.record(rel)

    def _replace_with_link(self, rel: str) -> bool:
        """Replace the new file by a link to the previous one (atomically: the new
        file stays when the link cannot be made)."""
        assert self.previous is not None
        new = safe_join(self.root, rel)
        tmp = new + ".sitegen-link"
        try:
            os.link(safe_join(self.previous, rel), tmp)
        except OSError:
            return False
        os.replace(tmp, new)
        return True

    def link(self, rel: str) -> bool:
        """Hard-link ``rel`` from the previous site; False when it is not there."""
        if self.previous is None:
            return False
        new = safe_join(self.root, rel)
        _ensure_dir(os.path.dirname(new))
        try:
            os.link(safe_join(self.previous, rel), new)
        except FileNotFoundError:
            return False
        return True

    def _link_if_same(self, rel: str, payload: bytes) -> bool:
        assert self.previous is not None
        old = safe_join(self.previous, rel)
        try:
            if os.stat(old).st_size != len(payload):
                return False
            with open(old, "rb") as fh:
                if fh.read() != payload:
                    return False
        except OSError:
            return False
        return self.link(rel)


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
        if same and self.output._replace_with_link(self.rel):
            return
        if self.output.record is not None:
            self.output.record(self.rel)

    def __enter__(self) -> _Comparing:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self.fh.close()
            if self.old is not None:
                self.old.close()
            return
        self.close()


def copy_tree(root: str, source: Path, rel: str) -> None:
    """Copy a folder of static files (a theme's ``static/``) to ``rel``, merging."""
    for path in sorted(source.rglob("*")):
        if path.is_file():
            dest = safe_join(root, f"{rel}/{path.relative_to(source).as_posix()}")
            _ensure_dir(os.path.dirname(dest))
            shutil.copyfile(path, dest)


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

    def abort(self) -> None:
        """Delete the staging folder (the previous site stays)."""
        with contextlib.suppress(OSError):
            shutil.rmtree(self.path)


def tree_size(path: Path) -> tuple[int, int]:
    """``(files, bytes)`` below ``path``."""
    files = total = 0
    for dirpath, _dirs, names in os.walk(path):
        for name in names:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError as exc:  # pragma: no cover - raced deletion
                if exc.errno != errno.ENOENT:
                    raise
                continue
            files += 1
    return files, total
