"""sitegen: turn a static STAC catalog into a crawlable static website."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
