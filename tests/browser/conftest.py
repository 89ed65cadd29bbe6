"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright; never downloaded."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    missing = None
    try:
        import playwright.sync_api as playwright_api
    except ImportError:
        missing = "the playwright package is not installed (pip install -e '.[test]')"
    if missing is None and not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        missing = f"no Chromium at {CHROMIUM} (sh scripts/setup-tests.sh installs it)"
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {missing}")
        pytest.skip(missing)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


TILE_HOSTS = ("https://tile.openstreetmap.org/",)


class PageProbe:
    """A page with every non-file request blocked (a USB stick with no network) and
    console errors recorded. Failed map tile loads are expected, and kept apart."""

    def __init__(self, context: Any, allow: tuple[str, ...] = ()) -> None:
        self.context = context
        self.allow = ("file://", *allow)
        self.blocked: list[str] = []
        self.errors: list[str] = []
        context.route("**/*", self._route)
        self.page = context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        if message.text.startswith("Failed to load resource") and where.startswith(TILE_HOSTS):
            return
        self.errors.append(f"{message.text} ({where})")

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(self.allow):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    @property
    def blocked_non_tiles(self) -> list[str]:
        """Requests to other hosts that were not map tiles (must be none)."""
        return [u for u in self.blocked if not u.startswith(TILE_HOSTS)]


@pytest.fixture
def probe(browser: Any) -> Iterator[Any]:
    def make(allow: tuple[str, ...] = (), **options: Any) -> PageProbe:
        context = browser.new_context(**options)
        made.append(context)
        return PageProbe(context, allow)

    made: list[Any] = []
    yield make
    for context in made:
        context.close()
