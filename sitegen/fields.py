"""Readable display strings for STAC field names and values.

Everything returned as HTML is escaped here, once, so templates can print it
without macros or filters in per-property loops (the hot path of item pages).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

import orjson

from sitegen import i18n
from sitegen.formats import decode_multihash, doi_id, doi_url, format_duration, format_name
from sitegen.i18n import gettext as _

VENDOR = Path(__file__).resolve().parent / "vendor" / "stac-fields"
#: Fields the STAC community dictionary (stac-fields) does not list: older names that
#: pystac does not migrate and extension fields newer or older than the dictionary.
SUPPLEMENT: dict[str, dict[str, Any]] = {
    "eo:epsg": {"label": "EPSG Code", "format": "EPSG"},
    "eo:gsd": {"label": "GSD", "explain": "Ground Sample Distance", "unit": "m"},
    "eo:platform": {"label": "Platform"},
    "eo:instrument": {"label": "Instrument"},
    "eo:constellation": {"label": "Constellation"},
    "eo:off_nadir": {"label": "Off-Nadir Angle", "unit": "°"},
    "eo:azimuth": {"label": "Viewing Azimuth", "unit": "°"},
    "eo:sun_azimuth": {"label": "Sun Azimuth", "unit": "°"},
    "eo:sun_elevation": {"label": "Sun Elevation", "unit": "°"},
    "storage:platform": {"label": "Cloud Provider"},
    "storage:region": {"label": "Region"},
    "storage:requester_pays": {"label": "Requester Pays", "mapping": {
        "true": "yes: the downloader pays for the transfer", "false": "no"}},
    "storage:tier": {"label": "Storage Tier"},
    "alternate:name": {"label": "Name"},
    "label:assets": {"label": "Assets", "format": "CSV"},
    # label extension before 1.0 used singular names in summaries
    "label:method": {"label": "Methods", "format": "CSV"},
    "label:property": {"label": "Properties", "format": "CSV"},
    "label:task": {"label": "Tasks", "format": "CSV"},
    "sci:publications": {"label": "Publications"},
    "file:nodata": {"label": "No-Data Values", "format": "CSV"},
    "item_assets": {"label": "Item Assets", "listWithKeys": True, "items": {
        "title": {"label": "Title", "order": 0},
        "type": {"label": "File Format", "format": "MediaType", "order": 1},
        "roles": {"label": "Roles", "format": "CSV", "order": 2},
        "description": {"label": "Description", "format": "CommonMark", "order": 3}}},
    "extent": {"label": "Extent"},
    "summaries": {"label": "Summaries"},
}
DATA_TYPES = {
    "int8": "8-bit integer", "int16": "16-bit integer", "int32": "32-bit integer",
    "int64": "64-bit integer", "uint8": "8-bit unsigned integer",
    "uint16": "16-bit unsigned integer", "uint32": "32-bit unsigned integer",
    "uint64": "64-bit unsigned integer", "float16": "16-bit float", "float32": "32-bit float",
    "float64": "64-bit float", "cint16": "16-bit complex integer",
    "cint32": "32-bit complex integer", "cfloat32": "32-bit complex float",
    "cfloat64": "64-bit complex float", "other": "other",
}
DATE_FIELDS = frozenset({"datetime", "start_datetime", "end_datetime", "created", "updated"})
#: ``YYYY-MM-DDTHH:MM:SS[.fff]Z`` from the year 1000 on (``%Y`` writes no leading zero).
UTC_STAMP = re.compile(r"[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z\Z")
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")
_HEX_COLOR = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")
_EMAIL = re.compile(r"^[^@\s\"'<>]+@[^@\s\"'<>]+\.[^@\s\"'<>]+$")
MAX_LIST = 50
MAX_NESTED_LIST = 12
MAX_ROWS = 500
MAX_DEPTH = 4
MAX_TEXT = 2000
# Focusable, so keyboard users can scroll a table wider than the screen.
TABLE_START = '<div class="table-scroll" tabindex="0" role="group"'
EMPTY: dict[str, Any] = {}


@lru_cache(maxsize=1)
def registry() -> dict[str, Any]:
    """The vendored stac-fields dictionary, with :data:`SUPPLEMENT` merged in."""
    data: dict[str, Any] = json.loads((VENDOR / "fields-normalized.json").read_text("utf-8"))
    for key, spec in SUPPLEMENT.items():
        data["metadata"].setdefault(key, spec)
    return data


@lru_cache(maxsize=1)
def languages() -> dict[str, str]:
    """ISO 639-1 codes -> English language names (vendored with stac-fields)."""
    data: dict[str, str] = json.loads((VENDOR / "languages.json").read_text("utf-8"))
    return data


def as_dict(value: object) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty dict (catalog JSON is untrusted)."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    """``value`` when it is a JSON array, else an empty list."""
    return value if isinstance(value, list) else []


def spec_for(key: str, within: dict[str, Any] | None = None) -> dict[str, Any]:
    """The field specification of ``key``, inside a table or object spec if given."""
    if within:
        local = within.get(key)
        if isinstance(local, dict):
            return local
    found = registry()["metadata"].get(key)
    if isinstance(found, dict):
        return found
    return EMPTY


def is_known(key: str) -> bool:
    """True when the dictionary (or the supplement) has a label for ``key``."""
    return bool(spec_for(key).get("label"))


def label(key: str, spec: dict[str, Any] | None = None) -> str:
    """A readable label: ``eo:cloud_cover`` -> ``Cloud Cover``; unknown keys humanised."""
    known = (spec if spec is not None else spec_for(key)).get("label")
    if isinstance(known, str) and known:
        return i18n.field(known)
    name = key.split(":", 1)[1] if ":" in key else key
    words = re.sub(r"[_\-]+", " ", name).strip()
    return (words[:1].upper() + words[1:]) if words else key


def label_html(key: str, spec: dict[str, Any] | None = None) -> str:
    """The label as HTML, with an ``<abbr>`` explaining abbreviations (GSD, FWHM)."""
    spec = spec if spec is not None else spec_for(key)
    text = escape(label(key, spec))
    explain = spec.get("explain")
    if isinstance(explain, str) and explain and not explain.startswith("http"):
        return f'<abbr title="{escape(i18n.field(explain))}">{text}</abbr>'
    return text


def extension_label(prefix_text: str) -> str:
    """``eo`` -> ``Electro-Optical``; unknown prefixes as they are."""
    ext = registry()["extensions"].get(prefix_text)
    if isinstance(ext, dict) and isinstance(ext.get("label"), str):
        return i18n.field(str(ext["label"]))
    return prefix_text


def prefix(key: str) -> str:
    """The extension prefix of a field (``eo`` for ``eo:cloud_cover``) or ``""``."""
    return key.split(":", 1)[0] if ":" in key else ""


def _na() -> str:
    text = escape(_("n/a"))
    return f'<span class="muted">{text}</span>'


def parse_timestamp(value: str | None) -> datetime | None:
    """A STAC timestamp as an aware datetime (UTC when no offset is given), or None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


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
    seconds = bool(parsed.second or parsed.microsecond)
    if UTC_STAMP.match(text):
        # the usual form, whose digits are those strftime would write (a third of the
        # time: dates are formatted for every item page and every list row)
        return f"{text[:10]} {text[11:19] if seconds else text[11:16]} UTC"
    stamp = parsed.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    offset = parsed.utcoffset()
    if offset is None:
        return stamp
    if offset.total_seconds() == 0:
        return stamp + " UTC"
    return stamp + parsed.strftime(" %z")


def format_number(value: float) -> str:
    """Numbers with sensible precision: integers as is, floats to 6 significant digits."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
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
    if size < 1000:
        return f"{size:.0f} B"
    for unit in ("kB", "MB", "GB", "TB", "PB"):
        size /= 1000
        if size < 1000 or unit == "PB":
            break
    return f"{i18n.decimal(f'{size:.1f}')} {unit}"


def value_html(key: str, value: Any, depth: int = 0,
               spec: dict[str, Any] | None = None) -> str:
    """HTML (escaped) for one value, formatted by its field specification."""
    spec = spec if spec is not None else spec_for(key)
    if value is None:
        null = spec.get("null")
        return escape(i18n.field(null)) if isinstance(null, str) else _na()
    mapping = spec.get("mapping")
    if isinstance(mapping, dict) and isinstance(value, str | int | float | bool):
        mapped = mapping.get(str(value).lower())
        if isinstance(mapped, str):
            return escape(i18n.field(mapped))
    fmt = spec.get("format")
    if isinstance(fmt, str):
        formatter = _FORMATTERS.get(fmt)
        if formatter is not None:
            formatted = formatter(value, spec)
            if formatted is not None:
                return formatted
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return _with_unit(format_number(value), spec)
    if isinstance(value, str):
        if key in DATE_FIELDS or key.endswith(("_datetime", ":datetime")):
            return escape(format_datetime(value))
        if len(value) > MAX_TEXT:
            return escape(value[:MAX_TEXT]) + "…"
        return escape(value)
    if depth >= MAX_DEPTH:
        return f"<code>{escape(_compact(value))}</code>"
    items = spec.get("items")
    if isinstance(value, list):
        if not value:
            empty = escape(_("(empty list)"))
            return f'<span class="muted">{empty}</span>'
        if isinstance(items, dict) and all(isinstance(v, dict) for v in value):
            return _table(list(enumerate(value)), items, depth, keyed=False)
        # Deep inside a table (a histogram in a band) a long list helps nobody; the
        # full values stay in the JSON copy linked from every page.
        shown = value[:MAX_LIST if depth < 2 else MAX_NESTED_LIST]
        more = len(value) - len(shown)
        tail = escape(_(" … and %(count)s more") % {"count": i18n.number(more)}) if more else ""
        if all(isinstance(v, str | int | float | bool) or v is None for v in shown):
            return ", ".join(value_html(key, v, depth + 1, spec) for v in shown) + tail
        parts = "".join(f"<li>{value_html(key, v, depth + 1, _item_spec(spec))}</li>"
                        for v in shown)
        return f'<ul class="plain">{parts}</ul>{tail}'
    if isinstance(value, dict):
        if not value:
            empty = escape(_("(empty)"))
            return f'<span class="muted">{empty}</span>'
        if spec.get("listWithKeys") and isinstance(items, dict) and \
                all(isinstance(v, dict) for v in value.values()):
            return _table(list(value.items()), items, depth, keyed=True)
        props = spec.get("properties") if isinstance(spec.get("properties"), dict) else None
        rows = "".join(
            f"<dt>{label_html(str(k), spec_for(str(k), props))}</dt>"
            f"<dd>{value_html(str(k), v, depth + 1, spec_for(str(k), props))}</dd>"
            for k, v in list(value.items())[:MAX_LIST]
        )
        return f'<dl class="nested">{rows}</dl>'
    return escape(str(value))


def _item_spec(spec: dict[str, Any]) -> dict[str, Any] | None:
    """The spec for the elements of a list: none of the list's own formatting."""
    return {k: v for k, v in spec.items() if k in ("items", "properties", "listWithKeys")} \
        or EMPTY


def _with_unit(text: str, spec: dict[str, Any]) -> str:
    unit = spec.get("unit")
    if not isinstance(unit, str) or not unit:
        return text
    if unit in ("°", "%"):
        return f"{text}{'' if unit == '°' else ' '}{escape(unit)}"
    return f"{text} {escape(unit)}"


def _table(rows: list[tuple[Any, dict[str, Any]]], items: dict[str, Any], depth: int,
           keyed: bool) -> str:
    """An array of objects (bands, classes, columns) as a table, columns from the spec."""
    seen: dict[str, None] = {}
    for _key, row in rows:
        for col in row:
            seen.setdefault(str(col), None)

    def order(col: str) -> tuple[int, float, str]:
        spec = spec_for(col, items)
        if spec.get("id"):
            return (0, 0.0, col)
        rank = spec.get("order")
        return (1, float(rank), col) if isinstance(rank, int | float) else (2, 0.0, col)

    cols = sorted(seen, key=order)
    head = "".join(
        f'<th scope="col">{label_html(c, spec_for(c, items))}'
        + (f" ({escape(u)})" if isinstance(u := spec_for(c, items).get("unit"), str) and u
           else "") + "</th>"
        for c in cols)
    if keyed:
        key_label = escape(_("Key"))
        head = f'<th scope="col">{key_label}</th>' + head
    body = []
    for key, row in rows[:MAX_ROWS]:
        cells = []
        for col in cols:
            spec = {k: v for k, v in spec_for(col, items).items() if k != "unit"}
            cells.append(f"<td>{value_html(col, row[col], depth + 1, spec)}</td>"
                         if col in row else "<td></td>")
        first = f'<th scope="row">{escape(str(key))}</th>' if keyed else ""
        body.append(f"<tr>{first}{''.join(cells)}</tr>")
    more = len(rows) - MAX_ROWS
    rest = _("… and %(count)s more rows") % {"count": i18n.number(more)}
    tail = f'<p class="muted">{escape(rest)}</p>' if more > 0 else ""
    table_label = escape(_("Table"))
    return (f'{TABLE_START} aria-label="{table_label}"><table class="data">'
            f'<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>{tail}")


def _link(url: str, text: str) -> str:
    return f'<a href="{escape(url)}" rel="nofollow noopener">{escape(text)}</a>'


def _fmt_timestamp(value: Any, spec: dict[str, Any]) -> str | None:
    return escape(format_datetime(value)) if isinstance(value, str) else None


def _fmt_duration(value: Any, spec: dict[str, Any]) -> str | None:
    return escape(format_duration(value)) if isinstance(value, str) else None


def _fmt_csv(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return ", ".join(_na() if v is None else _with_unit(
            format_number(v) if isinstance(v, int | float) and not isinstance(v, bool)
            else escape(str(v)), spec) for v in value[:MAX_LIST])
    return None


def _fmt_url(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, str) and value.lower().startswith(("http://", "https://")):
        return _link(value, value)
    return None


def _fmt_doi(value: Any, spec: dict[str, Any]) -> str | None:
    doi, url = doi_id(value), doi_url(value)
    return _link(url, doi) if doi is not None and url is not None else None


def _fmt_epsg(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return _link(f"https://epsg.io/{value}", f"EPSG:{value}")
    return None


def _fmt_crs_code(value: Any, spec: dict[str, Any]) -> str | None:
    if not isinstance(value, str):
        return None
    match = re.fullmatch(r"EPSG:(\d+)", value.strip(), flags=re.I)
    if match:
        return _link(f"https://epsg.io/{match.group(1)}", f"EPSG:{match.group(1)}")
    return _fmt_url(value, spec)


def _fmt_size(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_size(value)
    return None


def _fmt_checksum(value: Any, spec: dict[str, Any]) -> str | None:
    decoded = decode_multihash(value) if isinstance(value, str) else None
    if decoded is None:
        return None
    name, digest = decoded
    return f'{escape(name)}: <code class="hash">{digest}</code>'


def _fmt_percent(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{format_number(value * 100)} %"
    return None


def _fmt_markdown(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, str):
        from sitegen.markdown import render_markdown

        return render_markdown(value)
    return None


def _fmt_media_type(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, str):
        name = format_name(value)
        return (f"{escape(name)} <code>{escape(value)}</code>" if name else
                f"<code>{escape(value)}</code>")
    return None


def _fmt_language(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, str):
        name = languages().get(value.split("-")[0].lower()) \
            if i18n.active_language() == "en" else i18n.language_name(value)
        return escape(f"{name} ({value})" if name else value)
    return None


def _fmt_shape(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, list) and value and all(isinstance(v, int | float) for v in value):
        return " × ".join(format_number(v) for v in value)
    return None


def _fmt_transform(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, list) and len(value) in (6, 9) and \
            all(isinstance(v, int | float) for v in value):
        rows = [value[i:i + 3] for i in range(0, len(value), 3)]
        return "<br>".join(" ".join(format_number(v) for v in row) for row in rows)
    return None


def _fmt_pre(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, str):
        return f'<pre class="wrap">{escape(value[:MAX_TEXT * 5])}</pre>'
    if isinstance(value, dict):
        import json as _json

        return f'<pre class="wrap">{escape(_json.dumps(value, indent=1)[:MAX_TEXT * 5])}</pre>'
    return None


def _fmt_software(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, dict):
        return ", ".join(escape(f"{k} {v}" if v else str(k)) for k, v in value.items())
    return None


def _fmt_color(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, str) and _HEX_COLOR.match(value):
        color = value if value.startswith("#") else f"#{value}"
        return f'<span class="swatch" style="background:{color}"></span> <code>{color}</code>'
    return None


def _fmt_email(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, str) and _EMAIL.match(value):
        return f'<a href="mailto:{escape(value)}">{escape(value)}</a>'
    return None


def _fmt_link(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("href"), str):
        href: str = value["href"]
        title = value.get("title")
        text = title if isinstance(title, str) else href
        if href.lower().startswith(("http://", "https://")):
            return _link(href, text)
        return escape(text)
    return None


def _fmt_data_type(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, str):
        return escape(i18n.field(DATA_TYPES.get(value, value)))
    return None


def _fmt_extent(value: Any, spec: dict[str, Any]) -> str | None:
    if not isinstance(value, list) or len(value) != 2:
        return None
    ends = []
    for end in value:
        if end is None:
            ends.append(_na())
        elif isinstance(end, int | float) and not isinstance(end, bool):
            ends.append(_with_unit(format_number(end), spec))
        elif isinstance(end, str):
            ends.append(escape(format_datetime(end)))
        else:
            return None
    return f"{ends[0]} – {ends[1]}"


def _fmt_address(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, dict):
        parts: list[str] = []
        for key in ("deliveryPoint", "postalCode", "city", "administrativeArea", "country"):
            part = value.get(key)
            if isinstance(part, list):
                parts.extend(str(p) for p in part)
            elif isinstance(part, str | int):
                parts.append(str(part))
        return escape(", ".join(parts)) if parts else None
    return None


def _fmt_concepts(value: Any, spec: dict[str, Any]) -> str | None:
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return ", ".join(escape(str(v.get("title") or v.get("id") or "")) for v in value)
    return None


_FORMATTERS: dict[str, Callable[[Any, dict[str, Any]], str | None]] = {
    "Timestamp": _fmt_timestamp, "Duration": _fmt_duration, "CSV": _fmt_csv,
    "Url": _fmt_url, "DOI": _fmt_doi, "EPSG": _fmt_epsg, "CrsCode": _fmt_crs_code,
    "CRS": _fmt_crs_code, "FileSize": _fmt_size, "Checksum": _fmt_checksum,
    "Percent0to1": _fmt_percent, "CommonMark": _fmt_markdown, "MediaType": _fmt_media_type,
    "LanguageCode": _fmt_language, "Shape": _fmt_shape, "Transform": _fmt_transform,
    "WKT2": _fmt_pre, "PROJJSON": _fmt_pre, "Software": _fmt_software, "HexColor": _fmt_color,
    "Email": _fmt_email, "Link": _fmt_link, "FileDataType": _fmt_data_type,
    "Extent": _fmt_extent, "Address": _fmt_address, "Concepts": _fmt_concepts,
}


def _compact(value: Any) -> str:
    try:
        text = orjson.dumps(value).decode("utf-8")
    except TypeError:
        text = str(value)
    return text[:MAX_TEXT]


def property_table(props: dict[str, Any], skip: frozenset[str]) -> str:
    """The rows of a property table as one HTML string (escaped here, once), sorted with
    core fields first.

    Built in Python rather than in a template loop: per-row escaping and markup in
    Jinja loops dominated item render time (DESIGN section 8).
    """
    parts = []
    for key in sorted(props, key=_core_first):
        if key not in skip:
            parts.append(_row(key, props[key]))
    return "".join(parts)


def _core_first(key: str) -> tuple[bool, str]:
    return (":" in key, key)


#: Rendered rows of structured values (band lists, class tables), keyed by field and
#: the value's JSON: the items of a collection repeat them, and a band table is the
#: most expensive thing on an item page. Cleared when full, so memory stays bounded.
_ROW_CACHE: dict[tuple[str, bytes, tuple[int, str]], str] = {}
_ROW_CACHE_MAX = 4096
_ROW_CACHE_VALUE_MAX = 64 * 1024


def _row(key: str, value: Any) -> str:
    """One table row (or a label row and a full-width row for a table value)."""
    if not isinstance(value, list | dict) or not value:
        return _compose_row(key, value_html(key, value))
    try:
        # NaN and Infinity dump as null: such values are rendered every time.
        dumped = orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return _compose_row(key, value_html(key, value))
    cache_key = (key, dumped, i18n.cache_token())
    row = _ROW_CACHE.get(cache_key)
    if row is None:
        row = _compose_row(key, value_html(key, value))
        if b"null" not in dumped and len(dumped) <= _ROW_CACHE_VALUE_MAX:
            if len(_ROW_CACHE) >= _ROW_CACHE_MAX:
                _ROW_CACHE.clear()
            _ROW_CACHE[cache_key] = row
    return row


def _compose_row(key: str, value: str) -> str:
    name, badge = _row_head(key, i18n.cache_token())
    if value.startswith(TABLE_START):
        # A table (bands, classes, columns) gets the full width, below its label.
        return (f'<tr><th scope="rowgroup" colspan="2" class="wide">{name}'
                f'{badge}</th></tr><tr><td colspan="2">{value}</td></tr>')
    return f'<tr><th scope="row">{name}{badge}</th><td>{value}</td></tr>'


@lru_cache(maxsize=4096)
def _row_head(key: str, texts: tuple[int, str]) -> tuple[str, str]:
    """The label cell's HTML and the extension badge of ``key`` (``texts``, the active
    language's :func:`~sitegen.i18n.cache_token`, is part of the cache key)."""
    ext = prefix(key)
    badge = (f' <span class="ext" title="{escape(extension_label(ext))}">{escape(ext)}'
             "</span>") if ext else ""
    return label_html(key), badge


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
    text = _("west %(west)s°, south %(south)s°, east %(east)s°, north %(north)s°") % {
        "west": format_number(west), "south": format_number(south),
        "east": format_number(east), "north": format_number(north)}
    if west > east:
        text += " " + _("(crosses the antimeridian)")
    return text
