"""Watching the catalog, config and theme for changes (watchdog), debounced.

A burst of file events (an editor saving, a copy of many files) gives one callback,
fired once the files have been quiet for ``delay`` seconds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

log = logging.getLogger(__name__)


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        path = str(event.src_path)
        if any(path.startswith(ignored) for ignored in self.watcher.ignore):
            return
        if event.event_type in ("opened", "closed_no_write"):
            return
        self.watcher.touch()


class Watcher:
    """Calls ``callback`` once per burst of changes below ``paths``.

    Args:
        paths: Folders or files to watch (a file is watched through its folder).
        callback: Called in a timer thread after a quiet ``delay``.
        ignore: Path prefixes whose events do not count (the output folder).
    """

    def __init__(self, paths: Iterable[Path], callback: Callable[[], Any],
                 ignore: Iterable[Path] = (), delay: float = 0.3) -> None:
        self.callback = callback
        self.delay = delay
        self.ignore = tuple(str(p) for p in ignore)
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._observer = Observer()
        folders = {p if p.is_dir() else p.parent for p in (Path(x).resolve() for x in paths)}
        for folder in sorted(folders):
            self._observer.schedule(_Handler(self), str(folder), recursive=True)

    def touch(self) -> None:
        """Note a change; restarts the quiet-time countdown."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.delay, self.callback)
            self._timer.daemon = True
            self._timer.start()

    def start(self) -> None:
        self._observer.start()

    def stop(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
        self._observer.stop()
        self._observer.join(timeout=5)
