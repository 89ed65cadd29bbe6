"""Readable display strings for STAC field names and values.

Everything returned as HTML is escaped here, once, so templates can print it
without macros or filters in per-property loops (the hot path of item pages).
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from html import escape
from typing import Any

#: Labels for core and common-metadata fields. Extension fields fall back to a
#: humanised name with the extension prefix shown.
LABELS = {
    "datetime": "Date and time",
    "start_datetime": "Start",
    "end_datetime": "End",
    "created": "Created",
    "updated": "Updated",
    "title": "Title",
    "description": "Description",
    "license": "License",
    "platform": "Platform",
    "instruments": "Instruments",
    "constellation": "Constellation",
    "mission": "Mission",
    "gsd": "Ground sample distance",
    "providers": "Providers",
    "keywords": "Keywords",
    "eo:cloud_cover": "Cloud cover",
    "eo:snow_cover": "Snow cover",
    "proj:epsg": "EPSG code",
    "proj:code": "Projection code",
    "sci:doi": "DOI",
    "sci:citation": "Citation",
    "file:size": "File size",
    "file:checksum": "Checksum",
    "view:sun_elevation": "Sun elevation",
    "view:sun_azimuth": "Sun azimuth",
    "view:off_nadir": "Off-nadir angle",
}
UNITS = {
    "eo:cloud_cover": "%",
    "eo:snow_cover": "%",
    "gsd": "m",
    "view:sun_elevation": "°",
    "view:sun_azimuth": "°",
    "view:off_nadir": "°",
    "view:incidence_angle": "°",
}
DATE_FIELDS = frozenset({"datetime", "start_datetime", "end_datetime", "created", "updated"})
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")
MAX_LIST = 50
MAX_DEPTH = 4
MAX_TEXT = 2000


def as_dict(value: object) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty dict (catalog JSON is untrusted)."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    """``value`` when it is a JSON array, else an empty list."""
    return value if isinstance(value, list) else []


def label(key: str) -> str:
    """A readable label: ``eo:cloud_cover`` -> ``Cloud cover``, unknown -> humanised."""
    known = LABELS.get(key)
    if known is not None:
        return known
    name = key.split(":", 1)[1] if ":" in key else key
    words = re.sub(r"[_\-]+", " ", name).strip()
    return (words[:1].upper() + words[1:]) if words else key


def prefix(key: str) -> str:
    """The extension prefix of a field (``eo`` for ``eo:cloud_cover``) or ``""``."""
    return key.split(":", 1)[0] if ":" in key else ""


def format_datetime(value: str) -> str:
    """``2021-07-01T10:20:30Z`` -> ``2021-07-01 10:20:30 UTC``; other text unchanged."""
    text = value.strip()
    if not _ISO_RE.match(text):
        return value
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return value
    if len(text) == 10:
        return parsed.strftime("%Y-%m-%d")
    stamp = parsed.strftime("%Y-%m-%d %H:%M:%S" if parsed.second or parsed.microsecond
                            else "%Y-%m-%d %H:%M")
    offset = parsed.utcoffset()
    if offset is None:
        return stamp
    if offset.total_seconds() == 0:
        return stamp + " UTC"
    return stamp + parsed.strftime(" %z")


def format_number(value: float) -> str:
    """Numbers with sensible precision: integers as is, floats to 6 significant digits."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def format_size(size: object) -> str:
    """Bytes as ``12.3 MB`` (decimal units)."""
    if not isinstance(size, int | float) or isinstance(size, bool) or size < 0:
        return escape(str(size))
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if size < 1000 or unit == "PB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return str(size)  # pragma: no cover


def value_html(key: str, value: Any, depth: int = 0) -> str:
    """HTML (escaped) for one property value, readable at any nesting."""
    if value is None:
        return '<span class="muted">none</span>'
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        unit = UNITS.get(key)
        if key == "file:size":
            return format_size(value)
        text = format_number(value)
        if unit == "°":
            return text + unit
        return f"{text} {unit}" if unit else text
    if isinstance(value, str):
        if key in DATE_FIELDS or key.endswith(("_datetime", ":datetime")):
            return escape(format_datetime(value))
        if len(value) > MAX_TEXT:
            return escape(value[:MAX_TEXT]) + "…"
        return escape(value)
    if depth >= MAX_DEPTH:
        return f"<code>{escape(_compact(value))}</code>"
    if isinstance(value, list):
        if not value:
            return '<span class="muted">(empty list)</span>'
        shown = value[:MAX_LIST]
        more = len(value) - len(shown)
        tail = f" … and {more} more" if more else ""
        if all(isinstance(v, str | int | float | bool) or v is None for v in shown):
            return ", ".join(value_html(key, v, depth + 1) for v in shown) + tail
        parts = "".join(f"<li>{value_html(key, v, depth + 1)}</li>" for v in shown)
        return f'<ul class="plain">{parts}</ul>{tail}'
    if isinstance(value, dict):
        if not value:
            return '<span class="muted">(empty)</span>'
        rows = "".join(
            f"<dt>{escape(label(str(k)))}</dt><dd>{value_html(str(k), v, depth + 1)}</dd>"
            for k, v in list(value.items())[:MAX_LIST]
        )
        return f'<dl class="nested">{rows}</dl>'
    return escape(str(value))


def _compact(value: Any) -> str:
    import orjson

    try:
        text = orjson.dumps(value).decode("utf-8")
    except TypeError:
        text = str(value)
    return text[:MAX_TEXT]


def property_rows(props: dict[str, Any], skip: frozenset[str]) -> list[tuple[str, str, str]]:
    """``(label, extension prefix, value HTML)`` for each property not in ``skip``, sorted."""
    rows = []
    for key in sorted(props, key=lambda k: (":" in k, k)):
        if key in skip:
            continue
        rows.append((escape(label(key)), escape(prefix(key)), value_html(key, props[key])))
    return rows


def property_table(props: dict[str, Any], skip: frozenset[str]) -> str:
    """The rows of a property table as one HTML string (escaped here, once).

    Built in Python rather than in a template loop: per-row escaping and markup in
    Jinja loops dominated item render time (DESIGN section 8).
    """
    parts = []
    for label_html, prefix_html, value in property_rows(props, skip):
        badge = f' <span class="ext">{prefix_html}</span>' if prefix_html else ""
        parts.append(f'<tr><th scope="row">{label_html}{badge}</th><td>{value}</td></tr>')
    return "".join(parts)


def datetime_text(datetime_value: str | None, start: str | None, end: str | None) -> str | None:
    """Readable date or date range of an Item, or None when it has none."""
    if start or end:
        left = format_datetime(start) if start else "…"
        right = format_datetime(end) if end else "…"
        return f"{left} – {right}"
    if datetime_value:
        return format_datetime(datetime_value)
    return None


def bbox_text(bbox: tuple[float, float, float, float] | None) -> str | None:
    """A bbox in words: ``W 10.1°, S 55.2°, E 12.3°, N 56.4°``."""
    if bbox is None:
        return None
    west, south, east, north = bbox
    text = (f"west {format_number(west)}°, south {format_number(south)}°, "
            f"east {format_number(east)}°, north {format_number(north)}°")
    if west > east:
        text += " (crosses the antimeridian)"
    return text
