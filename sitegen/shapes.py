"""Pages by shape: a page rendered once with placeholders, then filled in per page.

The item pages of a collection differ in their values (titles, dates, links, the
asset cards' and the map's markup) far more than in their structure: Jinja walking
the same template over the same structure was a fifth of an item page's time.
:class:`PageShapes` renders a page once per *shape* with placeholders in place of the
context's strings, and makes every further page of that shape by filling in its
values, escaped as the template escaped them.

The shape of a context is everything the template may branch on: its dicts' keys, its
lists' lengths, its numbers, booleans and None, which strings are empty, and which
strings are equal to which (so comparing two of them gives the same answer as for the
real ones; markup, long and rarely compared, has a slot per value and is compared for
real). Strings themselves are placeholders, and stay sound under what a template does
with them:

- Output: a placeholder holds a ``<``, so the escaping applied to it shows in the
  output (``&lt;``, ``&amp;lt;``), and the value is escaped as many times when filled in.
  Concatenating, repeating and ``%s`` keep it whole.
- Comparing two context strings: equal placeholders are equal values.
- Anything else Python lets a ``str`` subclass see (comparing with a literal, length,
  indexing, iterating, methods, hashing, formatting with a spec, ``float``): the
  placeholder answers with its real value and *pins* it: the shape is then used only
  for pages with that same value there.
- What reads a placeholder's text unseen (a regular expression, a literal's method
  taking it as argument, a ``%5s`` width) is kept out by :func:`vetted`, which the
  templates must pass.

A shape is remembered once seen twice (a catalog whose pages never repeat pays almost
nothing), and is checked when made: the page filled in from it must be the page Jinja
rendered (a placeholder cut or changed on the way never gives it), or the shape is
always rendered directly. Only pages whose every template comes from the default theme
(and passes :func:`vetted`) are made this way: a user's templates are rendered by Jinja.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from jinja2 import Environment, Template, meta, nodes
from markupsafe import Markup

from sitegen.cards import FilledCard, escape_text, overridden
from sitegen.render import CONTROL_BYTES, render_page

#: Shapes remembered per template and process before the memory starts over (a shape
#: holds the page's text between the values: about 4 kB for a Sentinel-2 item).
LIMIT = 256
#: Shapes seen once (their hashes), remembered before that memory starts over.
SEEN_LIMIT = 8192
#: Whether pages are made by shape (a switch for the test that compares both ways).
ENABLED = True

#: A made shape: its text (UTF-8, a ``%b`` for each field), what fills the fields (slot,
#: times escaped), the pinned values (slot, value), and which of those fills each field.
Made = tuple[bytes, tuple[tuple[int, int], ...], tuple[tuple[int, str], ...],
             tuple[int, ...]]

_EMPTY, _EMPTY_MARKUP, _TRUE, _FALSE = object(), object(), object(), object()
_LISTS = tuple(object() for _ in range(64))
_TUPLES = tuple(object() for _ in range(64))
_LONG_LIST, _LONG_TUPLE, _NUMBER, _CARD = object(), object(), object(), object()
#: How the placeholder of slot n reads after being escaped 0, 1 or 2 times.
_LEVELS = {"<": 0, "&lt;": 1, "&amp;lt;": 2}


class _Unshapeable(Exception):
    """A template used a placeholder in a way that cannot be followed."""


def signature(context: dict[str, Any]) -> tuple[tuple[Any, ...], list[str]] | None:
    """The shape of ``context`` and its strings in slot order (each distinct non-empty
    string once), or None when it holds a value of another type than dict, list,
    tuple, str, Markup, int, float, bool, None or :class:`~sitegen.cards.FilledCard`."""
    sig: list[Any] = []
    values: list[str] = []
    index: dict[str, int] = {}
    add = sig.append

    def walk(obj: Any) -> bool:
        for v in obj.values() if type(obj) is dict else obj:
            t = type(v)
            if t is str:
                if v:
                    n = index.get(v)
                    if n is None:
                        n = index[v] = len(values)
                        values.append(v)
                    add(n)
                else:
                    add(_EMPTY)
            elif t is Markup:
                # (markup is long and rarely compared: a slot of its own, not looked up)
                if v:
                    add(~len(values))
                    values.append(v)
                else:
                    add(_EMPTY_MARKUP)
            elif t is dict:
                add(tuple(v))
                if not walk(v):
                    return False
            elif t is list or t is tuple:
                k = len(v)
                add((_LISTS if t is list else _TUPLES)[k] if k < 64 else
                    (_LONG_LIST if t is list else _LONG_TUPLE, k))
                if not walk(v):
                    return False
            elif v is None:
                add(None)
            elif t is bool:
                add(_TRUE if v else _FALSE)
            elif t is int or t is float:
                add((_NUMBER, t, v))
            elif t is FilledCard:
                # a card: its template is part of the shape, its values are strings
                add((_CARD, v.made[3]))
                if not walk(v.values):
                    return False
            else:
                return False
        return True

    if type(context) is not dict:
        return None
    add(tuple(context))
    return (tuple(sig), values) if walk(context) else None


class _Pins:
    """The slots a render with placeholders observed (their real values mattered)."""

    def __init__(self) -> None:
        self.slots: set[int] = set()


def _real(slot: Any) -> Any:
    state = str.__getattribute__(slot, "__dict__")
    if "n" not in state:
        raise _Unshapeable("a placeholder was copied")
    state["pins"].slots.add(state["n"])
    return state["real"]


def _pinned(name: str) -> Any:
    def method(self: Any, *args: Any) -> Any:
        return getattr(_real(self), name)(*args)
    method.__name__ = name
    return method


class _SlotMixin:
    """What a placeholder does besides being output (see the module's docstring)."""

    def __getattribute__(self, name: str) -> Any:
        if name[:2] == "__":
            return str.__getattribute__(self, name)
        return getattr(_real(self), name)

    def __eq__(self, other: object) -> bool:
        mine = str.__getattribute__(self, "__dict__")
        if type(self) is _Slot and type(other) is _Slot:
            # (equal strings share a slot; markup has a slot per value: compared for real)
            theirs = str.__getattribute__(other, "__dict__")
            if "n" in mine and "n" in theirs:
                return bool(mine["n"] == theirs["n"])
        return bool(_real(self) == other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(_real(self))

    def __bool__(self) -> bool:
        return True  # only non-empty strings are placeholders

    def __format__(self, spec: str) -> str:
        return str.__str__(self) if not spec else format(_real(self), spec)

    __lt__ = _pinned("__lt__")
    __le__ = _pinned("__le__")
    __gt__ = _pinned("__gt__")
    __ge__ = _pinned("__ge__")
    __len__ = _pinned("__len__")
    __getitem__ = _pinned("__getitem__")
    __iter__ = _pinned("__iter__")
    __contains__ = _pinned("__contains__")
    __rmod__ = _pinned("__rmod__")  # ("%5s" % value asks the value first)

    def __float__(self) -> float:
        return float(_real(self))


class _Slot(_SlotMixin, str):
    pass


class _MarkupSlot(_SlotMixin, Markup):
    pass


def _placeholder(cls: type, text: str, n: int, real: str, pins: _Pins) -> Any:
    slot: Any = str.__new__(cls, text)
    state = str.__getattribute__(slot, "__dict__")
    state.update(n=n, real=real, pins=pins)
    return slot


class PageShapes:
    """Pages of one template by shape, for one Jinja environment."""

    def __init__(self, env: Environment, name: str) -> None:
        self.template: Template = env.get_template(name)
        self._env, self._name = env, name
        self._reuse: bool | None = None if ENABLED else False
        nonce = uuid.uuid4().hex
        self._open = f"\ue000{nonce}"
        self._split = re.compile(f"\ue000{nonce}([0-9]+)(<|&lt;|&amp;lt;)\ue001")
        self.seen: set[int] = set()
        self.shapes: dict[tuple[Any, ...], Made | None] = {}

    @property
    def reuse(self) -> bool:
        """True when pages may be made by shape: the templates are vetted when first
        asked (at a shape's second page), not for a rebuild rendering one page."""
        if self._reuse is None:
            self._reuse = _from_default_theme(self._env, self._name)
        return self._reuse

    @reuse.setter
    def reuse(self, value: bool) -> None:
        self._reuse = value

    @classmethod
    def of(cls, env: Environment, name: str) -> PageShapes:
        """The environment's instance for template ``name`` (made on first use)."""
        made: dict[str, PageShapes] = env.__dict__.setdefault("sitegen_shapes", {})
        shapes = made.get(name)
        if shapes is None:
            shapes = made[name] = cls(env, name)
        return shapes

    def render(self, context: dict[str, Any]) -> bytes:
        """The page for ``context`` as :func:`~sitegen.render.render_page` gives it:
        filled in from its shape, or rendered by Jinja."""
        if self._reuse is False:
            return render_page(self.template, context)
        walked = signature(context)
        if walked is None:
            return render_page(self.template, context)
        sig, values = walked
        made = self.shapes.get(sig)
        if made is not None:
            if all(values[n] == value for n, value in made[2]):
                page = self._fill(made, values)
                if page is not None:
                    return page
            return render_page(self.template, context)
        page = render_page(self.template, context)
        if sig in self.shapes:  # known not to work
            return page
        key = hash(sig)
        if key in self.seen:
            if not self.reuse:
                return page
            if len(self.shapes) >= LIMIT:
                self.shapes.clear()
            self.shapes[sig] = self._make(context, values, page)
        else:
            if len(self.seen) >= SEEN_LIMIT:
                self.seen.clear()
            self.seen.add(key)
        return page

    def _make(self, context: dict[str, Any], values: list[str], page: bytes) -> Made | None:
        """The shape of ``context``, or None when filling it in does not give ``page``."""
        pins = _Pins()
        index: dict[str, int] = {}
        opening = self._open
        count = iter(range(len(values)))

        def slotted(obj: Any) -> Any:
            # the slots are numbered in the order signature() numbered them
            t = type(obj)
            if (t is str or t is Markup) and obj:
                n = index.get(obj) if t is str else None
                if n is None:
                    n = next(count)
                    if t is str:
                        index[obj] = n
                return _placeholder(_Slot if t is str else _MarkupSlot,
                                    f"{opening}{n}<\ue001", n, obj, pins)
            if t is dict:
                return {k: slotted(v) for k, v in obj.items()}
            if t is list:
                return [slotted(v) for v in obj]
            if t is tuple:
                return tuple(slotted(v) for v in obj)
            if t is FilledCard:
                # the card's text joins the page's; its values are the page's (escaped
                # by the card as the page would escape them)
                return FilledCard(obj.made, [str.__str__(slotted(v)) if v else v
                                             for v in obj.values])
            return obj

        try:
            text = self.template.render(slotted(context))
        except Exception:  # noqa: BLE001 - a placeholder the template could not take
            return None
        # (a placeholder cut or changed on the way stays in the text as it is: the
        # check below then fails, the page never holding the random word)
        pieces = self._split.split(text)
        try:
            literal = [piece.encode("utf-8") for piece in pieces[::3]]
        except UnicodeEncodeError:
            return None  # (an unpaired surrogate: pages with one go the slow way)
        fields = [(int(n), _LEVELS[level]) for n, level in zip(pieces[1::3], pieces[2::3],
                                                               strict=True)]
        filling = list(dict.fromkeys(fields))  # (a value shown twice is made once)
        made: Made = (b"%b".join(piece.replace(b"%", b"%%") for piece in literal),
                      tuple(filling), tuple((n, values[n]) for n in sorted(pins.slots)),
                      tuple(filling.index(field) for field in fields))
        return made if self._fill(made, values) == page else None

    @staticmethod
    def _fill(made: Made, values: list[str]) -> bytes | None:
        """The page's bytes, or None when a value holds a control character or cannot
        be encoded (such pages are rendered by Jinja, whose text is then repaired)."""
        filled = []
        for n, level in made[1]:
            value = values[n]
            if level:
                value = escape_text(value)
                if level == 2:
                    value = escape_text(value)
            try:
                filled.append(value.encode("utf-8"))
            except UnicodeEncodeError:
                return None
        data = b"".join(filled)
        if len(data.translate(None, CONTROL_BYTES)) != len(data):
            return None
        return made[0] % tuple([filled[i] for i in made[3]])


def _from_default_theme(env: Environment, name: str) -> bool:
    """True when ``name`` and every template it extends or includes, down the tree, are
    the default theme's own, and use placeholders only in ways :func:`vetted` knows."""
    todo, done = [name], set()
    while todo:
        current = todo.pop()
        if current in done:
            continue
        done.add(current)
        if overridden(env, current):
            return False
        assert env.loader is not None
        tree = env.parse(env.loader.get_source(env, current)[0])
        if not vetted(tree):
            return False
        for ref in meta.find_referenced_templates(tree):
            if ref is None:
                return False  # a name computed at render time
            todo.append(ref)
    return True


#: Filters that use a string only through what a placeholder follows (output, escaping,
#: concatenation) or answers with its real value (length, hashing).
FILTERS = frozenset({"e", "escape", "safe", "string", "length", "count", "number", "join",
                     "default", "d"})
TESTS = frozenset({"defined", "undefined", "none"})
#: Functions a template may call by name (translations build their text with them).
CALLS = frozenset({"dict", "gettext", "ngettext", "_", "range"})
#: A ``%`` conversion: only plain ``%s`` (named or not) and ``%%`` are followed (a width
#: would pad the placeholder, not the value).
_CONVERSION = re.compile(r"%(\([^)]*\))?([^a-zA-Z%]*)([a-zA-Z%])")


def vetted(tree: nodes.Template) -> bool:
    """True when a template's code only does with strings what placeholders follow:
    filters and tests from :data:`FILTERS` and :data:`TESTS`, calls of :data:`CALLS` or
    of a value's methods (not a literal's: ``'abc'.startswith(value)`` reads the
    placeholder's text), no ``in`` with a string on the right, and ``%`` formats of plain
    ``%s`` only. Anything else reads a placeholder's text where nothing can tell."""
    if any(f.name not in FILTERS for f in tree.find_all(nodes.Filter)) or \
            any(t.name not in TESTS for t in tree.find_all(nodes.Test)):
        return False
    for call in tree.find_all(nodes.Call):
        target = call.node
        if isinstance(target, nodes.Name):
            if target.name not in CALLS:
                return False
        elif not isinstance(target, nodes.Getattr) or isinstance(target.node, nodes.Const):
            return False
    for compare in tree.find_all(nodes.Compare):
        if any(op.op in ("in", "notin") for op in compare.ops):
            return False
    for mod in tree.find_all(nodes.Mod):
        for const in [mod.left, *mod.left.find_all(nodes.Const)]:
            if isinstance(const, nodes.Const) and isinstance(const.value, str) and any(
                    m.group(2) or m.group(3) not in "s%"
                    for m in _CONVERSION.finditer(const.value)):
                return False
    return True
