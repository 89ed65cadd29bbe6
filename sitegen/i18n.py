"""Interface languages: gettext catalogs, number formatting and field labels.

Every interface string of the default theme (templates, the Python that builds page
contexts, the browser scripts) goes through gettext. The catalogs are Babel ``.po``
files: ``sitegen/locale/LANG/LC_MESSAGES/sitegen.po`` for the built-in languages and
``locale/LANG/LC_MESSAGES/*.po`` inside a theme folder, which may add a language or
override single messages. They are compiled in memory when a build starts, so there
is no compiled ``.mo`` file to fall out of date.

One language is active per process (:func:`activate`); the build activates the
configured one, and each worker does the same when it sets up for a build. Pages are
rendered in one language, so a module-level state is enough and keeps :func:`gettext`
as cheap as a dict lookup.

English is the source language: it needs no catalog. Field labels and values from the
stac-fields dictionary are translated from STAC Browser's field dictionaries where one
exists for the language (German); otherwise they stay in English.
"""

from __future__ import annotations

import dataclasses
import gettext as _gettext
import io
import itertools
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

from sitegen.errors import SitegenError

LOCALE_DIR = Path(__file__).parent / "locale"
FIELDS_DIR = Path(__file__).parent / "vendor" / "stac-browser-fields"
DOMAIN = "sitegen"
SOURCE_LANGUAGE = "en"

#: A BCP 47 language tag of the simple kind sites use: ``de``, ``sv``, ``de-CH``, ``pt-BR``.
TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")

#: A message marker in the theme's scripts: ``_("text")`` or ``_("text", values)``, with
#: a double-quoted literal.
JS_MESSAGE = re.compile(r'\b_\("((?:[^"\\\n]|\\.)*)"\s*[,)]')


@dataclasses.dataclass(frozen=True)
class _State:
    """The active language of the process; replaced whole by :func:`activate`."""

    translations: _gettext.NullTranslations = dataclasses.field(
        default_factory=_gettext.NullTranslations)
    locale: Locale = dataclasses.field(default_factory=lambda: Locale(SOURCE_LANGUAGE))
    fields: dict[str, str] = dataclasses.field(default_factory=dict)
    language: str = SOURCE_LANGUAGE
    decimal: str = "."
    token: tuple[int, str] = (0, SOURCE_LANGUAGE)


_state = _State()


def gettext(message: str) -> str:
    """``message`` in the active language."""
    return _state.translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the active language."""
    return _state.translations.ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the usual gettext name
    """Mark a string for extraction; it is translated where it is used."""
    return message


class Message(str):
    """English text that a page can show in its own language.

    The string itself is the English text, for warnings and logs (which stay English);
    :func:`translate` gives it in the active language. Made with :func:`M_`, so the
    message is extracted into the catalogs. Pickles (workers send them back).
    """

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, params: dict[str, Any] | None = None) -> Message:
        params = params or {}
        english = {k: f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v
                   for k, v in params.items()}
        self = super().__new__(cls, msgid % english if params else msgid)
        self.msgid = msgid
        self.params = params
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Message, (self.msgid, self.params))


def M_(msgid: str, **params: Any) -> Message:  # noqa: N802 - a gettext-style marker
    """A :class:`Message`: ``M_("%(n)s items shown", n=3)``."""
    return Message(msgid, params)


def translate(text: str | None) -> str | None:
    """A :class:`Message` in the active language; any other string (data) or None as it
    is."""
    if isinstance(text, Message):
        translated = gettext(text.msgid)
        if not text.params:
            return translated
        return translated % {k: number(v) if isinstance(v, int) and not isinstance(v, bool)
                             else v for k, v in text.params.items()}
    return text


def field(text: str) -> str:
    """A label or value of the stac-fields dictionary in the active language."""
    return _state.fields.get(text, text) if _state.fields else text


def number(value: int | float) -> str:
    """A number with the active language's digit grouping: 10,000 / 10.000 / 10 000."""
    return _number(value, _state.locale)


@lru_cache(maxsize=4096)
def _number(value: int | float, locale: Locale) -> str:
    # Babel's formatting costs about 40 microseconds; pages repeat the same counts.
    return str(format_decimal(value, locale=locale))


def decimal(text: str) -> str:
    """A number already formatted with a ``.`` decimal point, in the active language's
    way (``1.5`` -> ``1,5`` in German)."""
    return text.replace(".", _state.decimal) if _state.decimal != "." else text


def language_name(code: str) -> str | None:
    """The name of language ``code`` (ISO 639) in the active language, or None."""
    try:
        name = _state.locale.languages.get(code.replace("-", "_")) or \
            _state.locale.languages.get(code.split("-")[0].lower())
    except (AttributeError, TypeError):
        return None
    return str(name) if name else None


def catalog_dirs(theme_dirs: tuple[str, ...]) -> list[Path]:
    """Folders holding ``LANG/LC_MESSAGES/*.po``: the themes' first, then the built-in one."""
    return [*(Path(d) / "locale" for d in theme_dirs), LOCALE_DIR]


def available(theme_dirs: tuple[str, ...] = ()) -> list[str]:
    """Languages the interface can be shown in (English and every catalog found)."""
    found = {SOURCE_LANGUAGE}
    for folder in catalog_dirs(theme_dirs):
        if folder.is_dir():
            found.update(p.parent.parent.name.replace("_", "-")
                         for p in folder.glob("*/LC_MESSAGES/*.po"))
    return sorted(found)


def resolve(language: str, theme_dirs: tuple[str, ...] = ()) -> str:
    """The catalog language for a configured tag: ``de-CH`` uses ``de`` unless a theme
    has ``de-CH``.

    Raises:
        SitegenError: No catalog serves ``language``.
    """
    have = {code.lower(): code for code in available(theme_dirs)}
    parts = language.split("-")
    for n in range(len(parts), 0, -1):
        found = have.get("-".join(parts[:n]).lower())
        if found:
            return found
    raise SitegenError(
        f"language {language!r} has no interface translation; available: "
        f"{', '.join(sorted(have.values()))} (a theme can add one: see docs/theming.md)")


#: A ``%`` sequence of a message: ``%(name)s``, ``%%`` or anything else (an error).
_PERCENT = re.compile(r"%(?:\((\w+)\)s|%|.?)")


def _check_placeholders(path: Path, msgid: Any, strings: Any) -> None:
    """A translation may only use the placeholders of its message (a typo would fail
    every page that shows it)."""
    ids = msgid if isinstance(msgid, tuple) else (msgid,)
    if not any("%(" in text for text in ids):
        return
    allowed = {m.group(1) for text in ids for m in _PERCENT.finditer(text)} | {"num"}
    for text in strings if isinstance(strings, tuple) else (strings,):
        for match in _PERCENT.finditer(text or ""):
            if match.group(0) != "%%" and match.group(1) not in allowed:
                raise SitegenError(
                    f"{path}: the translation of {ids[0]!r} uses {match.group(0)!r}; "
                    f"it may use {', '.join(sorted(f'%({a})s' for a in allowed - {None, 'num'}))}")


def _compile(path: Path) -> _gettext.GNUTranslations:
    with open(path, "rb") as fh:
        catalog = read_po(fh, abort_invalid=True)
    for message in catalog:
        if message.id and message.string:
            _check_placeholders(path, message.id, message.string)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf, domain=DOMAIN)


_tokens = itertools.count(1)


def _catalog_files(language: str, theme_dirs: tuple[str, ...]) -> list[Path]:
    """The catalogs for a configured ``language``, most specific first: for ``de-CH``,
    the themes' and the built-in ``de-CH`` catalogs, then their ``de`` ones."""
    parts = language.split("-")
    files: list[Path] = []
    for tag in ("-".join(parts[:n]) for n in range(len(parts), 0, -1)):
        for folder in catalog_dirs(theme_dirs):
            for name in dict.fromkeys((tag.replace("-", "_"), tag)):
                messages = folder / name / "LC_MESSAGES"
                if messages.is_dir():
                    files += sorted(messages.glob("*.po"))
    return files


def translations(language: str, theme_dirs: tuple[str, ...] = ()) -> _gettext.NullTranslations:
    """The compiled catalogs for a configured ``language`` (see :func:`_catalog_files`),
    compiled again when one of them changed (``sitegen serve`` while a translator works).

    Raises:
        SitegenError: A catalog cannot be read (named in the message).
    """
    files = _catalog_files(language, theme_dirs)
    stamps = []
    for path in files:
        try:
            info = path.stat()
        except OSError:
            continue
        stamps.append((str(path), info.st_mtime_ns, info.st_size))
    return _translations(tuple(stamps))


@lru_cache(maxsize=8)
def _translations(stamps: tuple[tuple[str, int, int], ...]) -> _gettext.NullTranslations:
    chain: list[_gettext.GNUTranslations] = []
    for name, _mtime, _size in stamps:
        path = Path(name)
        try:
            chain.append(_compile(path))
        except SitegenError:
            raise
        except Exception as exc:  # noqa: BLE001 - Babel raises many kinds
            raise SitegenError(f"{path}: cannot read translations: {exc}") from None
    result: _gettext.NullTranslations = chain[0] if chain else _gettext.NullTranslations()
    for later in chain[1:]:
        result.add_fallback(later)
    return result


@lru_cache(maxsize=4)
def field_labels(language: str) -> dict[str, str]:
    """STAC Browser's translations of stac-fields labels and values, if it has ``language``."""
    path = FIELDS_DIR / f"{language.split('-')[0].lower()}.json"
    if language == SOURCE_LANGUAGE or not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str) and v}


def activate(language: str, theme_dirs: tuple[str, ...] = ()) -> _gettext.NullTranslations:
    """Make ``language`` (a configured tag) the one of this process; returns its catalogs.

    Raises:
        SitegenError: No catalog serves ``language``, or one cannot be read.
    """
    global _state
    resolved = resolve(language, theme_dirs)
    texts = translations(language, theme_dirs)
    if not hasattr(texts, "sitegen_token"):
        texts.sitegen_token = next(_tokens)  # type: ignore[attr-defined]
    try:
        locale = Locale.parse(language, sep="-")
    except (ValueError, UnknownLocaleError):
        locale = Locale.parse(resolved, sep="-")
    _state = _State(
        translations=texts, locale=locale, fields=field_labels(resolved), language=language,
        decimal=str(locale.number_symbols.get("latn", {}).get("decimal", ".")),
        token=(texts.sitegen_token, resolved))  # type: ignore[attr-defined]
    return texts


def snapshot() -> _State:
    """The active language, for :func:`restore`."""
    return _state


def restore(saved: _State) -> None:
    """Make a :func:`snapshot` the active language again."""
    global _state
    _state = saved


def cache_token() -> tuple[int, str]:
    """Changes whenever the active texts may change: a key for caches of rendered text."""
    return _state.token


def active_language() -> str:
    """The configured tag of the active language."""
    return _state.language


def script_messages(sources: list[str]) -> dict[str, str]:
    """Translations of the ``_("...")`` messages in the given script sources.

    Only messages whose translation differs are returned: English needs none.
    """
    out: dict[str, str] = {}
    for source in sources:
        for match in JS_MESSAGE.finditer(source):
            message = json.loads(f'"{match.group(1)}"')
            translated = gettext(message)
            if translated != message:
                out[message] = translated
    return out
