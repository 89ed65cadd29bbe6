"""Rendering: the Jinja environment, themes, and the context of each page type.

Functions here return strings (or contexts); they never write. Display strings are
prepared in Python and marked safe once, so templates stay lean (see DESIGN section 8:
autoescape and macro calls in per-property loops dominated render time).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
    nodes,
    select_autoescape,
)
from jinja2.ext import Extension, InternationalizationExtension
from jinja2.lexer import (
    TOKEN_COMMA,
    TOKEN_LPAREN,
    TOKEN_MOD,
    TOKEN_NAME,
    TOKEN_PIPE,
    TOKEN_RPAREN,
    TOKEN_STRING,
    Token,
    TokenStream,
)
from markupsafe import Markup, escape

from sitegen import __version__, i18n
from sitegen.catalog import STRUCTURAL_RELS, extent_boxes, extent_intervals
from sitegen.errors import SitegenError
from sitegen.fields import (
    as_list,
    bbox_text,
    datetime_text,
    format_datetime,
    value_html,
)
from sitegen.formats import (
    NON_SPDX,
    doi_id,
    doi_url,
    is_image,
    spdx_url,
)
from sitegen.layout import relative_url, to_root
from sitegen.links import HrefPolicy
from sitegen.markdown import plain_text

PACKAGE_DIR = Path(__file__).resolve().parent
ITEM_SKIP = frozenset({"title", "description", "sci:citation", "sci:doi", "sci:publications"})
#: Top-level fields that have their own place on a page; the rest go to "Details".
NODE_SHOWN = frozenset({"type", "stac_version", "stac_extensions", "id", "title", "description",
                        "links", "assets", "license", "providers", "keywords", "extent",
                        "summaries", "sci:citation", "sci:doi", "sci:publications"})
ITEM_SHOWN = frozenset({"type", "stac_version", "stac_extensions", "id", "geometry", "bbox",
                        "properties", "links", "assets", "collection"})
ASSET_SKIP = frozenset({"file:size"})


def _bundled(name: str) -> Path:
    """A folder shipped in the wheel (``sitegen/NAME``) or beside a source checkout."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise SitegenError(f"bundled folder {name!r} not found; is sitegen installed correctly?")


def default_theme_dir() -> Path:
    """The default theme (``themes/default``)."""
    return _bundled("themes") / "default"


def sample_catalog_dir() -> Path:
    """The bundled sample catalog."""
    return _bundled("sample_catalog")


def theme_dirs(user_theme: str | None) -> tuple[str, ...]:
    """Template and static search path: the user's theme first, then the default."""
    default = str(default_theme_dir())
    if user_theme is None:
        return (default,)
    if not Path(user_theme).is_dir():
        raise SitegenError(f"theme folder not found: {user_theme}")
    return (str(Path(user_theme).resolve()), default)


class SiteEnvironment(Environment):
    """Jinja environment where ``d.name`` on a dict means the key, never a dict method.

    Jinja tries attributes first, so ``asset.copy`` or ``node.items`` in a template would
    silently be ``dict.copy`` / ``dict.items``; page contexts are plain dicts.
    """

    def get_template(self, name: str | Template, parent: str | None = None,
                     globals: MutableMapping[str, Any] | None = None) -> Template:
        """Jinja's, with loaded templates kept in a plain dict: templates are never
        reloaded here (``auto_reload`` is off), and every ``{% include %}`` of every
        page asks again (Jinja's own cache takes a weak reference and a lock each
        time: 2 % of an item page)."""
        if globals is not None or not isinstance(name, str):
            return super().get_template(name, parent, globals)
        key = (name, parent)
        loaded: dict[tuple[str, str | None], Template] = self.__dict__.setdefault(
            "sitegen_loaded", {})
        template = loaded.get(key)
        if template is None:
            template = loaded[key] = super().get_template(name, parent)
        return template

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one dict rather than a ``ChainMap`` over the
        environment's: every ``{% include %}`` lists them (``set(globals)``), and a
        ChainMap lists itself slowly. Nothing changes the environment's globals once
        templates are loaded (translations are installed before)."""
        return {**self.globals, **(d or {})}

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict):
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


#: Whether the default theme's partials are written in place of their includes (see
#: :class:`InliningLoader`; a switch for the test that compares both ways).
INLINE_PARTIALS = True
#: An include alone on its line (what ``lstrip_blocks`` and ``trim_blocks`` remove
#: around it, the include included).
_INCLUDE_LINE = re.compile(r'^[ \t]*\{%\s*include\s+"([^"]+)"\s*%\}\n', re.M)
#: What a partial may not hold to be written in place of its include: tags whose
#: meaning depends on being a template of its own.
_NOT_INLINE = re.compile(r"\{%-?\s*(set|extends|block|macro|raw|import|from|call)\b")
#: An includer holding raw text (which may show an include tag) is left as it is.
_RAW = re.compile(r"\{%-?\s*raw\b")


class InliningLoader(BaseLoader):
    """The default theme's templates with the default theme's partials written in
    place of their ``{% include %}``, when that renders the same: six includes per item
    page each made a context and looked the template up (2-3 % of an item page).

    Only an include alone on its line, of a partial that ends with a block tag and a
    single newline and holds no tag that depends on being a template of its own: the
    partial's text then renders as it did included (``lstrip_blocks`` and
    ``trim_blocks`` remove the same whitespace, and an included template sees the
    includer's variables). A user theme's templates and partials are never inlined,
    so their errors name their own lines.
    """

    def __init__(self, inner: BaseLoader, default_dir: str, inline: bool = True) -> None:
        self.inner = inner
        self.default_dir = str(Path(default_dir).resolve())
        self.inline = inline

    def get_source(self, environment: Environment, template: str,
                   ) -> tuple[str, str | None, Callable[[], bool] | None]:
        source, filename, uptodate = self.inner.get_source(environment, template)
        if self.inline and self._default(filename) and not _RAW.search(source):
            source = _INCLUDE_LINE.sub(lambda m: self._partial(environment, m), source)
        return source, filename, uptodate

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()

    def _default(self, filename: str | None) -> bool:
        return filename is not None and \
            str(Path(filename).resolve()).startswith(self.default_dir + os.sep)

    def _partial(self, environment: Environment, match: re.Match[str]) -> str:
        try:
            text, filename, _uptodate = self.inner.get_source(environment, match[1])
        except TemplateNotFound:
            return match[0]
        if not self._default(filename) or _NOT_INLINE.search(text) or \
                not text.endswith("%}\n"):
            return match[0]
        return text


class ConstantMessages(Extension):
    """Interface texts are translated when a template is compiled, not on every render.

    An environment speaks one language, so the translation of a literal cannot change
    under a compiled template; an item page has some 60 texts, and each gettext call
    costs a context call at render time. ``_("text")`` becomes the translated constant,
    ``_("text", name=value)`` becomes ``("translated"|safe) % dict(name=value)``: what
    new-style gettext gives (translations are trusted like templates and marked safe;
    values are escaped; ``%%`` is ``%``).
    """

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        translate = getattr(self.environment, "sitegen_gettext", None)
        window: list[Token] = []
        for token in stream:
            window.append(token)
            if len(window) < 4:
                continue
            kinds = [t.type for t in window]
            if translate is None or window[0].value != "_" or kinds[:3] != [
                    TOKEN_NAME, TOKEN_LPAREN, TOKEN_STRING] or kinds[3] not in (
                    TOKEN_RPAREN, TOKEN_COMMA):
                yield window.pop(0)
                continue
            text = translate(window[2].value)
            line = window[0].lineno
            if kinds[3] == TOKEN_RPAREN:
                try:
                    text = text % {}
                except (ValueError, TypeError, KeyError):
                    yield window.pop(0)  # left to gettext when rendered (and its error)
                    continue
                yield from (Token(line, TOKEN_STRING, text), Token(line, TOKEN_PIPE, "|"),
                            Token(line, TOKEN_NAME, "safe"))
            else:  # values follow: the rest of the call becomes dict(...)'s arguments
                yield from (Token(line, TOKEN_LPAREN, "("), Token(line, TOKEN_STRING, text),
                            Token(line, TOKEN_PIPE, "|"), Token(line, TOKEN_NAME, "safe"),
                            Token(line, TOKEN_RPAREN, ")"), Token(line, TOKEN_MOD, "%"),
                            Token(line, TOKEN_NAME, "dict"), Token(line, TOKEN_LPAREN, "("))
            window.clear()
        yield from window


class Translations(InternationalizationExtension):
    """``{% trans %}`` blocks without a plural are translated when compiled, too (see
    :class:`ConstantMessages`); plurals still choose their form when rendered."""

    def _make_node(self, singular: str, plural: str | None, context: str | None,
                   variables: dict[str, nodes.Expr], plural_expr: nodes.Expr | None,
                   vars_referenced: bool, num_called_num: bool) -> nodes.Output:
        translate = getattr(self.environment, "sitegen_gettext", None)
        if translate is None or plural_expr is not None or context is not None:
            return super()._make_node(singular, plural, context, variables, plural_expr,
                                      vars_referenced, num_called_num)
        node: nodes.Expr = nodes.MarkSafeIfAutoescape(nodes.Const(translate(singular)))
        node = nodes.Mod(node, nodes.Dict([nodes.Pair(nodes.Const(key), value)
                                           for key, value in variables.items()]))
        return nodes.Output([node])


def make_environment(dirs: tuple[str, ...], language: str = "en",
                     compiled: str | None = None) -> Environment:
    """A Jinja environment over the theme folders, speaking ``language``.

    A template overriding a default one can extend it as ``"default/NAME.html"``.
    Autoescape is always on. Templates translate with ``{% trans %}`` and ``_()``
    (Jinja's i18n extension, new-style gettext) and format counts with ``|number``.
    Makes ``language`` the active one of this process (see :mod:`sitegen.i18n`).

    ``compiled``: a folder keeping the compiled templates between builds (Jinja's
    bytecode cache). Templates are translated as they are compiled, so the folder must
    belong to one theme, language and set of translations: the build cache's
    fingerprint names it.
    """
    loader = InliningLoader(ChoiceLoader([
        *(FileSystemLoader(d) for d in dirs),
        PrefixLoader({"default": FileSystemLoader(dirs[-1])}),
    ]), dirs[-1], INLINE_PARTIALS)
    env = SiteEnvironment(
        loader=loader,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        extensions=[Translations, ConstantMessages],
        bytecode_cache=FileSystemBytecodeCache(compiled) if compiled else None,
    )
    translations = i18n.activate(language, dirs)
    env.install_gettext_translations(  # type: ignore[attr-defined]
        translations, newstyle=True)
    env.sitegen_gettext = translations.gettext  # type: ignore[attr-defined]
    env.filters["number"] = i18n.number
    return env


@dataclass(frozen=True)
class SiteInfo:
    """Site-wide values every page shows. Picklable for workers."""

    title: str
    language: str
    base_url: str | None
    root_page: str
    root_json: str
    logo: str | None = None  # path of the published logo, from the site root
    site_css: bool = False  # whether _static/site.css (configured colours) exists
    messages: str | None = None  # path of the scripts' translated messages, if any


def page_context(
    info: SiteInfo,
    page: str,
    title: str,
    description: str,
    json_path: str,
    crumbs: list[tuple[str, str | None]],
    kind: str,
) -> dict[str, Any]:
    """Context shared by every page: head, header, breadcrumbs."""
    return {
        "site": {
            "title": info.title,
            "language": info.language,
            "home": relative_url(info.root_page, page),
            "search": relative_url("search/index.html", page),
            "generator": f"stac-sitegen {__version__}",
            "logo": relative_url(info.logo, page) if info.logo else None,
            "css": relative_url("_static/site.css", page) if info.site_css else None,
            "messages": relative_url(info.messages, page) if info.messages else None,
        },
        "static": to_root(page) + "_static/",
        "page": {
            "title": title,
            "kind": kind,
            "description": description,
            "json": relative_url(json_path, page),
            "canonical": (info.base_url + quote(page)) if info.base_url else None,
            "image": None,
        },
        "crumbs": crumbs,
    }


def crumbs_for(
    trail: list[tuple[str, str]], current: str, page: str
) -> list[tuple[str, str | None]]:
    """Breadcrumbs: ``(title, relative href)`` for ancestors, then the current title."""
    out: list[tuple[str, str | None]] = [(t, relative_url(p, page)) for t, p in trail]
    out.append((current, None))
    return out


#: Links shown elsewhere on a page (navigation, related STAC documents, alternates).
_NOT_LISTED_RELS = STRUCTURAL_RELS | {"preview", "thumbnail"}


#: C0 controls but tab, newline and carriage return: an HTML parse error, and never text.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The same characters as UTF-8 bytes (each is one byte, never part of a longer sequence).
CONTROL_BYTES = bytes([*range(0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f])


def render_page(template: Any, context: dict[str, Any]) -> bytes:
    """Render an HTML page as UTF-8 bytes; every page Jinja renders goes through here
    (:mod:`sitegen.shapes` gives the same bytes for the item pages it makes).

    Control characters (a NUL in an id, say) become U+FFFD, as a browser would show
    them; an unpaired surrogate (from a config file, say) becomes ``?``. The check
    runs on the encoded page: deleting those bytes and comparing lengths is several
    times faster than a regular expression over the text.
    """
    html: str = template.render(context)
    try:
        data = html.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate (say from a config file)
        data = b""
    if data and len(data.translate(None, CONTROL_BYTES)) == len(data):
        return data
    return _CONTROLS.sub("\ufffd", html).encode("utf-8", "replace")


def other_links(doc: dict[str, Any], location: str, page: str, policy: HrefPolicy,
                copies: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The document's other links (license, via, describedby, cite-as, ...): a link when
    the href is safe, else the href as text with a note. Links to STAC documents are
    listed as related documents instead."""
    out = []
    for link in as_list(doc.get("links")):
        if not isinstance(link, dict):
            continue
        rel = link.get("rel")
        if not isinstance(rel, str) or rel in _NOT_LISTED_RELS:
            continue
        href = link.get("href")
        if isinstance(href, str) and href.split("?", 1)[0].lower().endswith(
                (".json", ".geojson")) and not href.lower().startswith(("http:", "https:")):
            continue
        target = policy.asset(href, location, page)
        if target.copy is not None:
            copies.append(target.copy)
        title = link.get("title")
        out.append({"rel": rel, "title": title if isinstance(title, str) and title.strip()
                    else None, "url": target.url, "text": target.text,
                    "note": i18n.translate(target.note)})
    return out


def thumbnail_url(
    location: str | None, page: str, policy: HrefPolicy, copies: list[tuple[str, str]]
) -> str | None:
    """URL of a thumbnail (already resolved to a location) from ``page``, or None."""
    if location is None:
        return None
    if not policy.may_inline(location):
        return None  # another host's image, which pages do not load: asked first
    target = policy.asset(location, location, page)
    if target.url is None or not is_image(None, target.text):
        return None
    if not policy.may_inline(target.url):
        return None
    if target.copy is not None:
        copies.append(target.copy)
    return target.url


def safe_link(url: object) -> str | None:
    """``url`` when it may be clickable (http, https), else None."""
    if isinstance(url, str) and url.strip().lower().startswith(("http://", "https://")):
        return url.strip()
    return None


def license_info(doc: dict[str, Any], location: str, page: str, policy: HrefPolicy,
                 copies: list[tuple[str, str]]) -> dict[str, Any] | None:
    """License name and the best link for it (SPDX page, else the ``license`` link)."""
    value = doc.get("license")
    if not isinstance(value, str) or not value.strip():
        props = doc.get("properties")
        value = props.get("license") if isinstance(props, dict) else None
    if not isinstance(value, str) or not value.strip():
        return None
    url = spdx_url(value)
    links = doc.get("links")
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link.get("rel") == "license":
            target = policy.asset(link.get("href"), location, page)
            if target.copy is not None:
                copies.append(target.copy)
            if target.url is not None:
                url = url or target.url
                title = link.get("title")
                if value.lower() in NON_SPDX and isinstance(title, str) and title.strip():
                    value = f"{title.strip()} ({value})"
                break
    return {"name": value, "url": url}


#: The provider roles STAC defines, as words of the page's language.
PROVIDER_ROLES = {"producer": i18n.N_("producer"), "licensor": i18n.N_("licensor"),
                  "processor": i18n.N_("processor"), "host": i18n.N_("host")}


def providers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Providers with their roles and safe links."""
    raw = doc.get("providers")
    if not isinstance(raw, list):
        props = doc.get("properties")
        raw = props.get("providers") if isinstance(props, dict) else None
    out = []
    for p in raw if isinstance(raw, list) else []:
        if not isinstance(p, dict) or not isinstance(p.get("name"), str):
            continue
        roles = p.get("roles")
        out.append({
            "name": p["name"],
            "roles": [i18n.gettext(PROVIDER_ROLES[r]) if r in PROVIDER_ROLES else r
                      for r in roles if isinstance(r, str)] if isinstance(roles, list) else [],
            "url": safe_link(p.get("url")),
            "description": plain_text(p["description"], 300)
            if isinstance(p.get("description"), str) else None,
        })
    return out


def keywords(doc: dict[str, Any]) -> list[str]:
    """Keywords as strings."""
    raw = doc.get("keywords")
    return [k for k in raw if isinstance(k, str)] if isinstance(raw, list) else []


def extent_text(doc: dict[str, Any]) -> dict[str, list[str]]:
    """Spatial and temporal extent in words."""
    space = [t for t in (bbox_text(b) for b in extent_boxes(doc)) if t]
    open_start, ongoing = i18n.gettext("open start"), i18n.gettext("ongoing")
    time = [f"{format_datetime(start) if start else open_start} – "
            f"{format_datetime(end) if end else ongoing}"
            for start, end in extent_intervals(doc)]
    return {"spatial": space, "temporal": time}


def summary_rows(doc: dict[str, Any]) -> list[tuple[Markup, Markup]]:
    """Collection summaries: ranges as ``min – max``, lists joined, schemas readable."""
    from sitegen.fields import label

    raw = doc.get("summaries")
    if not isinstance(raw, dict):
        return []
    rows = []
    for key in sorted(raw, key=lambda k: (":" in k, k)):
        value = raw[key]
        if isinstance(value, dict) and ("minimum" in value or "maximum" in value):
            low = value_html(key, value.get("minimum"))
            high = value_html(key, value.get("maximum"))
            shown = f"{low} – {high}"
        else:
            shown = value_html(key, value)
        rows.append((Markup(escape(label(key))), Markup(shown)))
    return rows


CITATION_FIELDS = frozenset({"sci:citation", "sci:doi", "sci:publications"})


def citation(fields: dict[str, Any]) -> dict[str, Any] | None:
    """The scientific extension's citation, DOI and publications, for a "Cite" block."""
    text = fields.get("sci:citation")
    doi = fields.get("sci:doi")
    pubs = []
    for pub in as_list(fields.get("sci:publications")):
        if not isinstance(pub, dict):
            continue
        pub_doi = pub.get("doi")
        pub_text = pub.get("citation")
        if isinstance(pub_text, str) or isinstance(pub_doi, str):
            pubs.append({"citation": pub_text if isinstance(pub_text, str) else None,
                         "doi": _doi(pub_doi)})
    if not isinstance(text, str) and not isinstance(doi, str) and not pubs:
        return None
    return {"text": text if isinstance(text, str) else None, "doi": _doi(doi),
            "publications": pubs}


def _doi(value: object) -> dict[str, str] | None:
    doi, url = doi_id(value), doi_url(value)
    return {"id": doi, "url": url} if doi is not None and url is not None else None


def item_period(summary_datetime: str | None, start: str | None, end: str | None) -> str:
    """Date text for lists: the range or the datetime, or an em dash."""
    return datetime_text(summary_datetime, start, end) or "—"
