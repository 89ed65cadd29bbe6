#!/usr/bin/env python3
"""Screenshots of the default theme for the README: the bundled sample site at three
widths (phone, tablet, desktop), light and dark, taken in headless Chromium.

    python scripts/screenshots.py                 # writes docs/images/*.png
    python scripts/screenshots.py --out DIR       # somewhere else

Uses Debian's Chromium (``SITEGEN_CHROMIUM``, default /usr/bin/chromium) through
Playwright, never a downloaded browser. Maps are drawn offline (Natural Earth layer), so
the pictures do not depend on the network.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

WIDTHS = {"phone": (360, 780), "tablet": (768, 1024), "desktop": (1280, 900)}
SCHEMES = ("light", "dark")
PAGE = "sentinel-2-l2a-fiji/index.html"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "images")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from sitegen.build import build
    from sitegen.config import Config
    from sitegen.reporter import Reporter

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        build(None, Config(output=str(site), offline=True, cache=False), Reporter())
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=os.environ.get("SITEGEN_CHROMIUM", "/usr/bin/chromium"),
                args=ARGS)
            for name, (width, height) in WIDTHS.items():
                for scheme in SCHEMES:
                    context = browser.new_context(viewport={"width": width, "height": height},
                                                  color_scheme=scheme)
                    context.route("**/*", lambda route: route.continue_()
                                  if route.request.url.startswith("file://") else route.abort())
                    page = context.new_page()
                    page.goto((site / PAGE).as_uri())
                    page.wait_for_selector(".leaflet-container path", timeout=10_000)
                    page.wait_for_timeout(300)
                    target = args.out / f"{name}-{scheme}.png"
                    page.screenshot(path=str(target))
                    context.close()
                    print(f"wrote {target}")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
