"""Asset cards: the display record of each asset, and its rendered card, reused by shape.

The items of a collection repeat the same assets: a Sentinel-2 scene has the same
fifteen bands, titles, media types and band tables as every other one; only the hrefs,
sizes and checksums differ. Rendering fifteen cards per item through Jinja was a
quarter of an item page's time, so :class:`AssetCards` renders a card once per *shape*
(everything the card shows except those values) with unguessable placeholders in
their place, and fills in each item's values, escaped as Jinja would escape them.

A shape is remembered only once it has been seen twice (a catalog whose assets never
repeat pays nothing for the idea), and its template is checked on the spot: the card
made from it must equal the card rendered directly, or the shape is always rendered
directly. Themes that override the card or the list template get every card rendered
directly (their templates may show anything).
"""

from __future__ import annotations

import itertools
import re
import uuid
from typing import Any

import orjson
from jinja2 import Environment, TemplateNotFound
from markupsafe import Markup, escape

from sitegen import i18n
from sitegen.fields import as_dict, as_list, format_size, property_table
from sitegen.formats import decode_multihash, format_name, is_image
from sitegen.links import HrefPolicy, Target
from sitegen.markdown import render_markdown

#: Asset fields the card shows itself; the others go into its field table.
ASSET_SHOWN = frozenset({"href", "title", "description", "type", "roles", "file:size",
                         "file:checksum", "alternate", "storage:refs",
                         "storage:requester_pays"})
PREVIEW_ROLES = frozenset({"thumbnail", "overview"})
#: Fields whose values differ between otherwise equal assets: left out of the shape.
_VALUES = ("href", "file:size", "file:checksum")
CARD_TEMPLATE = "partials/asset-card.html"
LIST_TEMPLATE = "partials/assets.html"
#: Shapes remembered per process before the memory starts over.
LIMIT = 2048

Copy = tuple[str, str]
#: A card template: the text before the first slot, the slot numbers, the text after
#: each, and a number no other card template of the process has.
Made = tuple[str, tuple[int, ...], tuple[str, ...], int]
_serials = itertools.count()


class FilledCard:
    """A card made from its shape's template and its values, filled in when shown: an
    item page made by shape (:mod:`sitegen.shapes`) takes the template and the values
    apart instead, so a page's cards cost no text of their own."""

    __slots__ = ("made", "values")

    def __init__(self, made: Made, values: list[str]) -> None:
        self.made = made
        self.values = values

    def __html__(self) -> str:
        return AssetCards._fill(self.made, self.values)

    def __str__(self) -> str:
        return self.__html__()


def _target_dict(target: Target, label: str, media: str | None) -> dict[str, Any]:
    """What the template needs for one href: link, copy value, note."""
    is_web = target.url is not None
    opens = media is not None and media.split(";")[0].strip().lower() in (
        "text/html", "application/xhtml+xml")
    return {
        "label": label,
        "url": target.url,
        "action": "open" if opens else "download",
        "action_label": i18n.gettext("Open") if opens else i18n.gettext("Download"),
        "text": target.text,
        "note": i18n.translate(target.note),
        # Relative URLs are resolved by the script against the page's own address, so the
        # copied URL is right on any host, under any sub-path and from file://.
        "copy": target.url if is_web else (target.text or None),
        "resolve": is_web and not (target.url or "").startswith(("http://", "https://")),
    }


def requester_pays(asset: dict[str, Any], doc: dict[str, Any],
                   item: bool | None = None) -> bool:
    """True when the storage extension says the downloader pays (v1 or v2 fields).
    ``item``: the answer for an asset without storage fields, when known already."""
    if "storage:refs" not in asset and "storage:requester_pays" not in asset:
        # most assets (asked once per asset of every item): only the item can say so
        if item is not None:
            return item
        props = doc.get("properties")
        return isinstance(props, dict) and props.get("storage:requester_pays") is True
    props = as_dict(doc.get("properties"))
    if asset.get("storage:requester_pays") is True or props.get("storage:requester_pays") is True:
        return True
    schemes = as_dict(doc.get("storage:schemes")) or as_dict(props.get("storage:schemes"))
    for ref in as_list(asset.get("storage:refs")):
        if isinstance(ref, str) and as_dict(schemes.get(ref)).get("requester_pays") is True:
            return True
    return False


def _checksum(value: object) -> dict[str, str] | None:
    if not isinstance(value, str):
        return None
    decoded = decode_multihash(value)
    return {"algorithm": decoded[0], "hex": decoded[1]} if decoded else \
        {"algorithm": "checksum", "hex": value}


def _preview(target: Target, policy: HrefPolicy, media: str | None, roles: list[str],
             key: str) -> bool:
    return (bool(PREVIEW_ROLES.intersection(roles)) or key in ("thumbnail", "overview")) and \
        target.url is not None and policy.may_inline(target.url) and is_image(media, target.text)


def asset_row(index: int, key: str, asset: dict[str, Any], target: Target, location: str,
              page: str, policy: HrefPolicy, copies: list[Copy], doc: dict[str, Any],
              ) -> dict[str, Any]:
    """The display record of one asset (its card), ``target`` being its resolved href."""
    media = asset.get("type") if isinstance(asset.get("type"), str) else None
    roles = [r for r in as_list(asset.get("roles")) if isinstance(r, str)]
    title = asset.get("title")
    desc = asset.get("description")
    alternates = []
    for name, alt in as_dict(asset.get("alternate")).items():
        if not isinstance(alt, dict):
            continue
        alt_target = policy.asset(alt.get("href"), location, page)
        if alt_target.copy is not None:
            copies.append(alt_target.copy)
        raw_title = alt.get("title")
        alt_title = raw_title if isinstance(raw_title, str) else str(name)
        alternates.append(_target_dict(alt_target, alt_title, media))
    extra = {k: v for k, v in asset.items() if k not in ASSET_SHOWN}
    main = _target_dict(target, "", media)
    return {
        "index": index,
        "key": key,
        "title": title if isinstance(title, str) and title.strip() else key,
        "description": Markup(render_markdown(desc)) if isinstance(desc, str) else None,
        "type": media,
        "format": format_name(media, target.text),
        "roles": roles,
        "size": format_size(asset["file:size"]) if "file:size" in asset else None,
        "checksum": _checksum(asset.get("file:checksum")),
        "main": main,
        "alternates": alternates,
        "hrefs": [main, *alternates],
        "requester_pays": requester_pays(asset, doc),
        "preview": _preview(target, policy, media, roles, key),
        "fields": Markup(property_table(extra, frozenset())) if extra else None,
    }


def overridden(env: Environment, name: str) -> bool:
    """True when a user theme (not the default one) provides template ``name``."""
    try:
        source = env.get_or_select_template(name).filename or ""
        default = env.get_template(f"default/{name}").filename or ""
    except TemplateNotFound:
        return True
    return source != default


class AssetCards:
    """Asset card records with their rendered HTML, for one Jinja environment."""

    def __init__(self, env: Environment) -> None:
        self.card = env.get_template(CARD_TEMPLATE)
        self.reuse = not (overridden(env, CARD_TEMPLATE) or overridden(env, LIST_TEMPLATE))
        nonce = uuid.uuid4().hex
        # Private-use characters and a random word: nothing a catalog can contain, and
        # nothing HTML escaping changes.
        self._slots = [f"\ue000{nonce}{n}\ue001" for n in range(4)]
        self._split = re.compile(f"\ue000{nonce}([0-3])\ue001")
        self.seen: set[tuple[Any, ...]] = set()
        self.formats: dict[str | None, str | None] = {}
        self.shapes: dict[tuple[Any, ...], Made | None] = {}

    @classmethod
    def of(cls, env: Environment) -> AssetCards:
        """The environment's instance (made on first use)."""
        cards: AssetCards | None = getattr(env, "sitegen_cards", None)
        if cards is None:
            cards = cls(env)
            env.sitegen_cards = cards  # type: ignore[attr-defined]
        return cards

    def rows(self, assets: object, location: str, page: str, policy: HrefPolicy,
             copies: list[Copy], doc: dict[str, Any], context: dict[str, Any],
             ) -> list[dict[str, Any]]:
        """Display records of a document's assets, in document order, each with its
        rendered card as ``html``. When cards come from a remembered shape, the record
        holds only ``html``, a :class:`FilledCard` (the default list template shows
        nothing else)."""
        if not isinstance(assets, dict):
            return []
        rows: list[dict[str, Any]] = []
        pays = requester_pays({}, doc)  # what the item says, for assets that say nothing
        for key, asset in assets.items():
            if not isinstance(asset, dict):
                continue
            target = policy.asset(asset.get("href"), location, page)
            if target.copy is not None:
                copies.append(target.copy)
            index = len(rows) + 1
            shape, values = self._shape(index, str(key), asset, target, policy, doc, pays) \
                if self.reuse else (None, [])
            made = self.shapes.get(shape) if shape is not None else None
            if made is not None:
                rows.append({"html": FilledCard(made, values)})
                continue
            row = asset_row(index, str(key), asset, target, location, page, policy, copies,
                            doc)
            row["html"] = html = Markup(self.card.render({**context, "a": row}))
            if shape is not None and shape not in self.shapes:
                if shape in self.seen:
                    self.shapes[shape] = self._make(row, context, html, values)
                    if len(self.shapes) > LIMIT:
                        self.shapes.clear()
                else:
                    self.seen.add(shape)
                    if len(self.seen) > LIMIT:
                        self.seen.clear()
            rows.append(row)
        return rows

    def _shape(self, index: int, key: str, asset: dict[str, Any], target: Target,
               policy: HrefPolicy, doc: dict[str, Any], pays: bool,
               ) -> tuple[tuple[Any, ...] | None, list[str]]:
        """Everything the card shows or branches on except the values filled in, and
        those values in slot order (URL, href text, size, checksum). ``pays``: what
        :func:`requester_pays` says for an asset without storage fields."""
        if asset.get("alternate"):
            return None, []  # alternate hrefs: rare, rendered directly
        try:
            others = asset.copy()  # and drop the values: half a comprehension's cost
            for name in _VALUES:
                others.pop(name, None)
            rest = orjson.dumps(others)
        except orjson.JSONEncodeError:
            return None, []
        media = asset.get("type")
        if not isinstance(media, str):
            media = None
        url = target.url
        size = format_size(asset["file:size"]) if "file:size" in asset else ""
        checksum = _checksum(asset.get("file:checksum"))
        # (a preview needs a URL the page may load: most are on another host, and then
        # the roles need not be looked at)
        preview = url is not None and policy.may_inline(url) and _preview(
            target, policy, media, [r for r in as_list(asset.get("roles")) if isinstance(r, str)],
            key)
        shape = (index, key, rest, url is None, bool(url), bool(target.text),
                 url is not None and url.startswith(("http://", "https://")), str(target.note),
                 self._format(media, target.text), preview,
                 requester_pays(asset, doc, pays), "file:size" in asset, bool(size),
                 isinstance(size, Markup), checksum["algorithm"] if checksum else None)
        return shape, [url or "", target.text, size, checksum["hex"] if checksum else ""]

    def _format(self, media: str | None, text: str) -> str | None:
        """:func:`format_name`, remembered per media type when the href plays no part."""
        if media in self.formats:
            return self.formats[media] or format_name(media, text)
        name = self.formats[media] = format_name(media, None)
        return name or format_name(media, text)

    def _make(self, row: dict[str, Any], context: dict[str, Any], html: str,
              values: list[str]) -> Made | None:
        """A card template for ``row``'s shape, or None when filling it in does not give
        ``html`` back."""
        u, x, s, h = self._slots
        main = row["main"]
        slotted = {**main, "url": u if main["url"] else main["url"], "text": x if
                   main["text"] else main["text"]}
        slotted["copy"] = slotted["url"] if main["url"] is not None else (
            slotted["text"] or None)
        fake = {**row, "main": slotted, "hrefs": [slotted],
                "size": s if row["size"] else row["size"],
                "checksum": {**row["checksum"], "hex": h} if row["checksum"] else None}
        text = self.card.render({**context, "a": fake})
        pieces = self._split.split(text)
        made = (pieces[0], tuple(int(p) for p in pieces[1::2]), tuple(pieces[2::2]),
                next(_serials))
        return made if self._fill(made, values) == html else None

    @staticmethod
    def _fill(made: Made, values: list[str]) -> str:
        escaped = [escape_text(v) for v in values]
        out = [made[0]]
        for slot, text in zip(made[1], made[2], strict=True):
            out.append(escaped[slot])
            out.append(text)
        return "".join(out)


def escape_text(value: str) -> str:
    """Jinja's escaping of a filled-in value's text (markup's too: the text is escaped,
    as after ``str()``); most need none, and skip the Markup."""
    text = value if type(value) is str else str.__str__(value)
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return str(escape(text))
    return text
