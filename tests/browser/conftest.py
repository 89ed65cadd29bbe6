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


class PageProbe:
    """A page with every non-file request blocked and console errors recorded."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.blocked: list[str] = []
        self.errors: list[str] = []
        context.route("**/*", self._route)
        self.page = context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error"
                     else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()


@pytest.fixture
def probe(browser: Any) -> Iterator[Any]:
    def make(**options: Any) -> PageProbe:
        context = browser.new_context(**options)
        made.append(context)
        return PageProbe(context)

    made: list[Any] = []
    yield make
    for context in made:
        context.close()
