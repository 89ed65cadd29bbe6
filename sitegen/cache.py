"""The build cache: what a rebuild may take from the previous build instead of redoing.

It lives in the user's cache folder (see :func:`cache_root`), one folder per output
folder, and holds one state file, the shard files of its per-item entries, the spool of
per-item download-list chunks and footprints, and the compiled templates. Deleting it is
always safe: the next build is a full one.

Everything is keyed by content, never by modification times:

* an item's *content digest* (SHA-256 of its file's bytes) lets the crawl reuse the
  item's summary without parsing it;
* an item's *job key* (its content digest plus everything its page is rendered from:
  position in the tree, breadcrumbs, parents, collection, related links) lets the build
  keep the item's previous output files instead of rendering them;
* a *group key* per set of files made together (each catalog's and collection's pages
  and JSON copy; its download lists; the search index; the sitemaps; the static files)
  sums up their inputs: when it is unchanged, the files are kept;
* the *fingerprint* (tool version, every config option that changes the output, every
  file of the theme, the logo, the source root) guards all of it: when it changes,
  nothing is reused.

What is rendered again is written only where its bytes differ from the previous site's
(see :class:`sitegen.writer.Output`), so the build reports exactly the files that
changed. Those files are staged and moved into the output at the very end
(:meth:`sitegen.writer.Staging.apply`), so a rebuild killed before that leaves the
previous site as it was; a journal file marks the move, and a build that finds it
builds from scratch. The state file is replaced only after the site is in place; the
spool is append-only while a state refers to it.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import shutil
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import orjson

from sitegen import __version__
from sitegen.bulk import entry_bytes
from sitegen.i18n import LOCALE_DIR
from sitegen.writer import FolderIds

T = TypeVar("T")

STATE_NAME = "state.pickle"
SPOOL_NAME = "spool.bin"
#: Garbage the spool may hold beyond as much as its live entries before a build
#: starts a fresh one.
SPOOL_SLACK = 64 << 20
#: Bumped whenever the state's layout changes; older states are ignored.
FORMAT = 17


def cache_root() -> Path:
    """Where build caches live: ``$SITEGEN_CACHE_DIR``, else the user's cache folder
    (``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux, ``~/Library/Caches`` on macOS,
    ``%LOCALAPPDATA%`` on Windows) plus ``stac-sitegen``."""
    explicit = os.environ.get("SITEGEN_CACHE_DIR")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "stac-sitegen"


def cache_dir_for(output: Path) -> Path:
    """The cache folder of one output folder (named by a digest of its absolute path:
    nothing is written beside or inside the output but the site itself)."""
    output = output.resolve()
    key = hashlib.blake2b(str(output).encode("utf-8"), digest_size=10).hexdigest()
    return cache_root() / f"{output.name[:40]}-{key}"


def content_digest(data: bytes) -> bytes:
    """The digest a document's bytes are known by: the first 16 bytes of SHA-256 (about
    half the time of BLAKE2b for a 9 kB item here: 6 against 11 microseconds)."""
    return hashlib.sha256(data).digest()[:16]


def job_key(job: tuple[Any, ...], digest: bytes) -> bytes:
    """Key of an item page: its content digest plus every field of its render job
    (a named tuple of strings, tuples, booleans and None)."""
    # orjson is ten times quicker than a repr (100,000 keys a rebuild); it takes the
    # fields as a list, not as a named tuple
    return hashlib.blake2b(key_bytes(list(job)) + digest, digest_size=16).digest()


def key_bytes(data: object) -> bytes:
    """``data`` (JSON-like) as bytes to digest for a key: its JSON, or its ``repr`` when
    orjson refuses it (integers beyond 64 bits, read leniently; a lone surrogate, which
    documents no longer hold once read but a config file may)."""
    try:
        return orjson.dumps(data)
    except (TypeError, orjson.JSONEncodeError):
        return repr(data).encode("utf-8", "surrogatepass")


def fingerprint(config: Any, theme_dirs: tuple[str, ...], root: str) -> str:
    """Tool version, config options (but the ones that do not change the output),
    theme files, translations and the logo (names and bytes) and the source root, as
    one hex digest."""
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{__version__}\0{FORMAT}\0{root}\0".encode())
    for f in fields(config):
        if f.name not in _NOT_IN_OUTPUT:
            h.update(f"{f.name}={getattr(config, f.name)!r}\0".encode())
    logo = getattr(config, "logo", None)
    if logo:
        h.update(hashlib.blake2b(Path(logo).read_bytes(), digest_size=16).digest())
    # Theme files (their locale/ folders included) and the built-in translations.
    for theme in (*theme_dirs, str(LOCALE_DIR)):
        for path in sorted(Path(theme).rglob("*")):
            if path.is_file():
                h.update(path.relative_to(theme).as_posix().encode() + b"\0")
                h.update(hashlib.blake2b(path.read_bytes(), digest_size=16).digest())
    return h.hexdigest()


#: Options that change how a build runs, never what it writes.
_NOT_IN_OUTPUT = frozenset({"jobs", "strict", "timeout", "retries", "max_connections",
                            "cache", "output"})


class ItemEntry(NamedTuple):
    """What the previous build knew and made of one item (a named tuple: the state
    holds one per item and is read at the start of every build)."""

    digest: bytes
    summary: Any
    crawl_diagnostics: tuple[Any, ...] = ()
    key: bytes | None = None
    files: tuple[str, ...] = ()
    rendered: bool = False  # its page was made (else its files are never kept)
    diagnostics: tuple[Any, ...] = ()  # the warnings of its page
    copies: tuple[tuple[str, str], ...] = ()  # the asset copies its files link to
    spool: Any = None  # the item's entry in the spool


@dataclass
class State:
    """The cache's state file."""

    fingerprint: str
    build_id: str  # the output_identity() of the site this state describes
    items: dict[str, ItemEntry] = field(default_factory=dict)
    spool_bytes: int = 0
    #: every file of the site (the manifest): not saved, made from the items' and
    #: groups' files when first asked for (see :meth:`BuildCache.manifest`)
    files: set[str] | None = None
    total_bytes: int = 0
    #: ``name -> (key, files, asset copies)`` of files made together
    groups: dict[str, tuple[bytes, tuple[str, ...], tuple[tuple[str, str], ...]]] = \
        field(default_factory=dict)
    #: ``folder -> identity`` (inode and change time) when the manifest was made (see
    #: :func:`sitegen.writer.checked_listing`)
    folders: FolderIds = field(default_factory=FolderIds)
    #: ``item -> search document, packed`` (see :func:`sitegen.search.pack_doc`)
    docs: dict[str, bytes] = field(default_factory=dict)
    #: the files holding ``items``, one per shard (see :meth:`BuildCache.save`)
    shards: tuple[str, ...] = ()
    #: the files holding ``docs``, one per shard (see :meth:`BuildCache.save_docs`)
    doc_shards: tuple[str, ...] = ()
    #: bytes of the spool each shard's items use (the rest of the spool is garbage)
    live: tuple[int, ...] = ()
    format: int = FORMAT


class BuildCache:
    """The cache of one output folder for one build.

    Attributes:
        previous: The state of the last build, when it can be used for this one.
        items: Entries of this build, saved by :meth:`save` after the site is in place.
    """

    def __init__(self, output: Path, fingerprint: str) -> None:
        self.dir = cache_dir_for(output)
        self.output = output.resolve()
        self.fingerprint = fingerprint
        self._parts: list[dict[str, ItemEntry]] = []  # the previous state's, by shard
        self._doc_parts: list[dict[str, bytes]] = []  # (idem)
        self._shard_names: tuple[str, ...] = ()  # written by save_items
        self._live: tuple[int, ...] = ()  # the spool bytes of each shard's items (idem)
        self._doc_names: tuple[str, ...] = ()  # written by save_docs
        self.previous = self._load()
        self.items: dict[str, ItemEntry] = {}
        self.docs: dict[str, bytes] = {}  # filled by the search index (packed documents)
        self.groups: dict[str, tuple[bytes, tuple[str, ...], tuple[tuple[str, str], ...]]] = {}
        self.reason = self._why_not()
        if self.reason is not None:
            self.previous = None

    def _load(self) -> State | None:
        # Millions of small tuples: the cyclic garbage collector, run again and again
        # while they are made, would take longer than reading them (and they hold no
        # cycles).
        try:
            with gc_paused():
                with open(self.dir / STATE_NAME, "rb") as fh:
                    state = pickle.load(fh)  # noqa: S301 - our own file, in our cache folder
                if not isinstance(state, State) or state.format != FORMAT:
                    return None
                parts: list[dict[str, ItemEntry]] = []
                doc_parts: list[dict[str, bytes]] = []
                for names, into in ((state.shards, parts), (state.doc_shards, doc_parts)):
                    for name in names:
                        with open(self.dir / name, "rb") as fh:
                            into.append(pickle.load(fh))  # noqa: S301
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
                TypeError, ValueError):
            return None
        if len(parts) != SHARDS or len(doc_parts) != SHARDS or len(state.live) != SHARDS:
            return None
        for items in parts:
            state.items.update(items)
        for docs in doc_parts:
            state.docs.update(docs)
        state.files = None  # not saved: made when first asked for (see manifest())
        self._parts = parts
        self._doc_parts = doc_parts
        return state

    def _why_not(self) -> str | None:
        """Why the previous state cannot be used (None when it can)."""
        state = self.previous
        if state is None:
            return "no build cache yet"
        if self.journal.exists():
            return "an update of the site was cut short; building it from scratch"
        if state.fingerprint != self.fingerprint:
            return "config, theme or sitegen version changed"
        if output_identity(self.output) != state.build_id:
            return "the output folder is not the one the cache describes"
        spool = self.dir / SPOOL_NAME
        if not spool.is_file() or spool.stat().st_size < state.spool_bytes:
            return "the cache's spool is missing or cut short"
        if state.spool_bytes > 2 * sum(state.live) + SPOOL_SLACK:
            return "the cache's spool is mostly garbage; starting a fresh one"
        return None

    @property
    def reusing(self) -> bool:
        """True when this build may take things from the previous one."""
        return self.previous is not None

    def known(self, location: str) -> ItemEntry | None:
        """The previous entry of an item, when reusable."""
        return self.previous.items.get(location) if self.previous is not None else None

    def manifest(self) -> set[str]:
        """Every file of the previous site (made once, when first asked for: a thread
        does it while the crawl goes on, 500,000 names at 100,000 items)."""
        state = self.previous
        assert state is not None
        if state.files is None:
            state.files = _manifest(state)
        return state.files

    def open_spool(self) -> Any:
        """The spool file: the previous one to append to, or a new, empty one."""
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "output.txt").write_text(f"{self.output}\n", encoding="utf-8")
        path = self.dir / SPOOL_NAME
        if self.previous is None:
            # a new spool: the old state (if any) must never point into it
            for name in (STATE_NAME, self.journal.name):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(self.dir / name)
            return open(path, "w+b")
        fh = open(path, "r+b")
        fh.truncate(self.previous.spool_bytes)  # drop what a killed build appended
        return fh

    def compiled_templates(self) -> str | None:
        """The folder of the theme's compiled templates (Jinja's bytecode cache), named
        by the fingerprint: templates are translated as they are compiled, so a new
        language or theme gets a new folder and the others go. None when it cannot be
        made (the templates are then compiled as usual)."""
        name = f"templates-{self.fingerprint[:20]}"
        try:
            for old in self.dir.glob("templates-*"):
                if old.name != name:
                    shutil.rmtree(old, ignore_errors=True)
            (self.dir / name).mkdir(exist_ok=True)
        except OSError:
            return None
        return str(self.dir / name)

    @property
    def journal(self) -> Path:
        """Exists while an incremental build changes the output in place."""
        return self.dir / "updating"

    def save(self, spool_bytes: int, total_bytes: int,
             folders: FolderIds) -> None:
        """Write this build's state (after the new site is in place).

        The item entries and search documents are split into :data:`SHARDS` files each
        by a digest of the item's location; a shard whose entries are all the previous
        build's (the same objects) keeps its file, so a rebuild after a small change
        writes one or two shards, not the whole state. The state file names the shard
        files and is replaced last: a build killed before that leaves the previous
        state and its shard files as they were.
        """
        self.save_docs()
        self.save_items()
        with gc_paused():
            # the file list is not saved: it is the entries' and groups' (see _manifest)
            state = State(self.fingerprint, output_identity(self.output) or "", {},
                          spool_bytes, None, total_bytes, self.groups, folders, {},
                          self._shard_names, self._doc_names, self._live)
            _write_pickle(self.dir / STATE_NAME, state)
        kept = {*self._shard_names, *self._doc_names}
        for pattern in ("items-*.pickle", "docs-*.pickle"):
            for old in self.dir.glob(pattern):
                if old.name not in kept:
                    with contextlib.suppress(OSError):
                        old.unlink()

    def save_docs(self) -> None:
        """Write the shard files of this build's search documents (once; :meth:`save`
        does it when not done before), and let them go: the build writes them as soon
        as the search index is made, and the memory they held (a third of a kilobyte an
        item) serves the rest of the build. Files of a build that fails after that are
        removed by the next one that saves."""
        if self._doc_names:
            return
        # (no collector pause: the build's thread runs this, and pickling bytes makes
        # no objects it tracks)
        previous = self.previous.doc_shards if self.previous is not None else ()
        self._doc_names = tuple(name for _n, name, _written in self._write_shards(
            "docs", self.docs, previous, self._doc_parts))
        self.docs = {}

    def save_items(self) -> None:
        """Write the shard files of this build's item entries (once; :meth:`save` does
        it when not done before)."""
        if self._shard_names:
            return
        previous = self.previous.shards if self.previous is not None else ()
        previous_live = self.previous.live if self.previous is not None else ()
        names: list[str] = []
        live: list[int] = []
        with gc_paused():
            for n, name, items in self._write_shards("items", self.items, previous,
                                                     self._parts):
                names.append(name)
                live.append(previous_live[n] if items is None else
                            sum(entry_bytes(e.spool) for e in items.values() if e.spool))
        self._shard_names = tuple(names)
        self._live = tuple(live)

    def _write_shards(self, kind: str, entries: dict[str, T], previous: tuple[str, ...],
                      parts: list[dict[str, T]],
                      ) -> Iterator[tuple[int, str, dict[str, T] | None]]:
        """Write ``entries`` in :data:`SHARDS` files named ``KIND-NN-TOKEN.pickle``;
        gives each shard's number, file name and entries (None: the previous build's
        file ``previous[n]`` kept, its entries being the same objects as ``parts[n]``).

        Each shard's entries are gathered when it is written, from a list of its
        locations made first: not a second dictionary of every entry at once (the build
        is at its peak of memory when the item entries are saved)."""
        shards: list[list[str]] = [[] for _ in range(SHARDS)]
        for loc in entries:
            shards[_shard(loc)].append(loc)
        token = os.urandom(6).hex()
        for n, locations in enumerate(shards):
            shard = {loc: entries[loc] for loc in locations}
            shards[n] = []
            if previous and _same(parts[n], shard):
                yield n, previous[n], None
                continue
            name = f"{kind}-{n:02d}-{token}.pickle"
            _write_pickle(self.dir / name, shard)
            yield n, name, shard

    @staticmethod
    def size_of_items(output: Path) -> int:
        """Bytes of the item entries the cache of ``output`` holds (0 without a cache):
        a hint of how many items a rebuild will find, before the state is read."""
        total = 0
        with contextlib.suppress(OSError):
            for path in cache_dir_for(output).glob("items-*.pickle"):
                total += path.stat().st_size
        return total

    @staticmethod
    def remove(output: Path) -> None:
        """Remove the cache of ``output`` (``cache = false``, remote sources)."""
        shutil.rmtree(cache_dir_for(output), ignore_errors=True)


#: Files the item entries and search documents are split into.
SHARDS = 64


def _shard(location: str) -> int:
    """The shard of an item (the same in every process, unlike ``hash``)."""
    return zlib.crc32(location.encode("utf-8", "surrogatepass")) % SHARDS


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True when ``new`` holds the very objects ``old`` holds, under the same keys."""
    return len(old) == len(new) and all(new.get(k) is v for k, v in old.items())


def _write_pickle(path: Path, data: object) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (for reading and writing the state)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _manifest(state: State) -> set[str]:
    """Every file of the site the state describes: its items' files, its groups' files
    and the asset copies they link to (an asset that could not be copied is listed
    too, which is harmless: it is looked at again by the next build)."""
    from sitegen.writer import expand_files

    files: set[str] = set()
    for entry in state.items.values():
        files.update(expand_files(entry.files))
        files.update(rel for _source, rel in entry.copies)
    for _key, group_files, copies in state.groups.values():
        files.update(group_files)
        files.update(rel for _source, rel in copies)
    return files


def output_identity(output: Path) -> str | None:
    """Which build made the site in ``output``: the identity (device, inode, change
    time) of its marker file, which every build writes anew. Kept out of the site's
    bytes, so builds of the same catalog stay byte-identical."""
    from sitegen.writer import MARKER

    try:
        st = os.stat(output / MARKER)
    except OSError:
        return None
    return f"{st.st_dev}:{st.st_ino}:{st.st_ctime_ns}"
