"""Pages made by shape: rendered once with placeholders, filled in (sitegen/shapes.py)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from markupsafe import Markup

from sitegen import shapes
from sitegen.render import default_theme_dir, make_environment, render_page
from sitegen.shapes import PageShapes, signature, vetted

#: Values with everything escaping touches, and values a template may compare with.
TEXTS = ["item", "collection", "", "a", "<b>bold</b>", "Tom & Jerry", 'say "hi"', "it's",
         "{braces} %(x)s", "é ünïcode", "https://d.example/a?b=1&c=2", "x" * 70, "A",
         "\ue000", "&lt;", "bell\x07", "lone \ud800 surrogate"]


def _shapes(tmp_path: Path, source: str) -> PageShapes:
    """PageShapes over a template of the test's own (made by shape like the default
    theme's, which a user's template never is)."""
    theme = tmp_path / "theme"
    theme.mkdir(exist_ok=True)
    (theme / "page.html").write_text(source, encoding="utf-8")
    env = make_environment((str(theme), str(default_theme_dir())), "en")
    made = PageShapes(env, "page.html")
    assert not made.reuse  # a user's template
    made.reuse = True
    return made


def _check(made: PageShapes, contexts: list[dict[str, Any]]) -> int:
    """Every context gives the page Jinja renders; returns how many pages were filled
    in (not rendered)."""
    filled = 0
    fill, make = made._fill, made._make

    def counting(shape: Any, values: list[str]) -> bytes | None:
        nonlocal filled
        filled += 1
        return fill(shape, values)

    def making(*args: Any) -> Any:
        nonlocal filled
        filled -= 1  # its check fills in once
        return make(*args)

    made._fill = counting  # type: ignore[method-assign]
    made._make = making  # type: ignore[method-assign]
    for context in contexts:
        assert made.render(context) == render_page(made.template, context), context
    return filled


def test_signature_tells_types_emptiness_and_equal_strings_apart() -> None:
    def sig(context: dict[str, Any]) -> Any:
        walked = signature(context)
        assert walked is not None
        return walked[0]

    assert sig({"a": "x", "b": "y"}) == sig({"a": "p", "b": "q"})
    assert sig({"a": "x", "b": "x"}) != sig({"a": "x", "b": "y"})  # which values are equal
    assert sig({"a": "x"}) != sig({"a": ""})
    assert sig({"a": "x"}) != sig({"a": Markup("x")})
    assert sig({"a": ""}) != sig({"a": Markup("")})
    assert sig({"a": True}) != sig({"a": 1})
    assert sig({"a": 1}) != sig({"a": 1.0})
    assert sig({"a": 1}) != sig({"a": 2})
    assert sig({"a": [1]}) != sig({"a": (1,)})
    assert sig({"a": [1]}) != sig({"a": [1, 1]})
    assert sig({"a": list(range(70))}) != sig({"a": list(range(71))})
    assert sig({"a": {"b": 1}}) != sig({"a": {"c": 1}})
    assert sig({"a": None}) != sig({"a": False})
    assert sig({"a": None}) != sig({"a": ""}) != sig({"a": 0}) != sig({"a": []})
    walked = signature({"a": "x", "b": ["y", "x", Markup("m"), Markup("m")]})
    assert walked is not None and walked[1] == ["x", "y", "m", "m"]
    assert signature({"a": object()}) is None
    assert signature({"a": {"b": [set()]}}) is None


def test_values_are_escaped_as_the_template_escapes_them(tmp_path: Path) -> None:
    made = _shapes(tmp_path, "<p title=\"{{ t }}\">{{ t }}</p>{{ m }}|{{ m|string }}|"
                             "{{ '%s'|format(t|e) }}|{{ _('Title: %(t)s', t=t) }}|{{ t ~ '!' }}"
                             "{% for x in xs %}<i>{{ x }}</i>{% endfor %}")
    contexts = [{"t": t, "m": Markup(f"<em>{t}</em>"), "xs": [t, "fixed", t]}
                for t in TEXTS if t]
    assert _check(made, contexts) == len(contexts) - 2  # all but the first two


def test_comparing_with_a_literal_pins_the_value(tmp_path: Path) -> None:
    made = _shapes(tmp_path, '{% if kind == "item" %}ITEM{% else %}OTHER{% endif %} {{ kind }}'
                             ' {{ name }}')
    contexts = [{"kind": k, "name": f"n{n}"} for n in range(3) for k in ("item", "collection")]
    assert _check(made, contexts) == 2  # one shape per kind
    assert [m[2] for m in made.shapes.values() if m] in ([((0, "item"),)],
                                                        [((0, "collection"),)])


def test_comparing_two_values_follows_which_values_are_equal(tmp_path: Path) -> None:
    made = _shapes(tmp_path, "{% if title != id %}<h1>{{ title }}</h1>{% endif %}{{ id }}")
    contexts = [{"title": t, "id": i} for t, i in [("a", "b"), ("c", "d"), ("e", "e"),
                                                   ("f", "f"), ("g", "h"), ("i", "i")]]
    assert _check(made, contexts) == 2  # each shape: seen, made, then filled in
    assert all(m is not None and not m[2] for m in made.shapes.values())  # nothing pinned


@pytest.mark.parametrize("expression", [
    "t|length", "t|upper", "t|truncate(9)", "t[0]", "t[1:]", "t.startswith('a')",
    "'x' in t", "t|int", "t|float", "t|list|join('-')", "t|reverse", "'{:>5}'.format(t)",
    "t|center(12)", "t|replace('a', 'b')", "t < 'm'", "'m' > t", "t|urlencode",
    "t|tojson", "{'A': 1, 'a': 2}.get(t)", "t == 'a'", "t * 2", "t ~ t", "'%5s' % t",
    "(t ~ '%s') % 'q'",
])
def test_values_used_otherwise_than_shown_give_the_same_page(expression: str,
                                                             tmp_path: Path) -> None:
    made = _shapes(tmp_path, "<p>{{ " + expression + " }}</p>{{ other }}")
    # (long values first: a shape made from them must still serve the short ones)
    values = ["zzz zzz zzz", "yyyyyyyyyyyy", "a", "abc", "12", "3.5", "A", "<a>&", "m", "a",
              "xylophone"]
    contexts = [{"t": t, "other": f"o{n}"} for n, t in enumerate(values * 3)]
    filled = _check(made, contexts)
    # the value is pinned where its real one matters; JSON escapes the placeholder
    assert filled == 0 if "tojson" in expression else filled > 0


def test_random_contexts_on_a_template_using_much_give_jinjas_page(tmp_path: Path) -> None:
    made = _shapes(tmp_path, """<title>{% if page.title != site.title %}{{ page.title }} – {% endif
%}{{ site.title }}</title>
{% if page.image %}<meta content="{{ page.image }}">{% endif %}
<body class="page-{{ page.kind }}">{% for t, h in crumbs %}<li>{% if h %}<a href="{{ h
}}">{{ t }}</a>{% else %}{{ t }}{% endif %}</li>{% endfor %}
{% if bulk.scope == "item" %}item{% elif bulk.scope == "collection" %}coll{% endif %}
{% trans count=bulk.files, size=bulk.size %}{{ count }} file, {{ size }}{% pluralize
%}{{ count }} files, {{ size }}{% endtrans %}
{{ _('Preview of %(title)s', title=page.title) }} {{ page.title or 'untitled' }}
{% if items|length > 1 %}{{ items|length }}{% endif %}
{% for a in items %}{{ a.html }}{{ loop.index }}{% if a.note %}({{ a.note }}){% endif %}{% endfor %}
{{ json }}""")
    rng = random.Random(7)

    def text() -> str:
        # mostly values of their own; sometimes one a template compares with, or empty
        pick = rng.random()
        return rng.choice(TEXTS) if pick < 0.2 else f"{rng.choice(TEXTS)}{rng.random()}"

    contexts = []
    for _ in range(1500):
        contexts.append({
            "site": {"title": rng.choice(["S", "A", "item"])},
            "page": {"title": text(), "image": text(), "kind": text()},
            "crumbs": [(text(), text()) for _ in range(rng.randint(1, 2))],
            "bulk": {"scope": rng.choice(["item", "collection", "catalog"]),
                     "files": rng.randint(0, 3), "size": text()},
            "items": [{"html": Markup(text()), "note": rng.choice([None, text()])}
                      for _ in range(rng.randint(0, 2))],
            "json": Markup(text()),
        })
    assert _check(made, contexts) > 100


def test_a_placeholder_changed_beyond_following_keeps_the_page_rendered(
        tmp_path: Path) -> None:
    made = _shapes(tmp_path, "{{ t|tojson }} {{ o }}")
    _check(made, [{"t": f"v{n}", "o": f"o{n}"} for n in range(5)])
    assert list(made.shapes.values()) == [None]


def test_only_the_default_themes_item_page_is_made_by_shape(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           ) -> None:
    default = (str(default_theme_dir()),)
    assert PageShapes(make_environment(default, "en"), "item.html").reuse
    theme = tmp_path / "theme" / "partials"
    theme.mkdir(parents=True)
    # a partial the item page includes (inside the map's if: an include, not written in)
    (theme / "map.html").write_text("<div>{{ map }}</div>", encoding="utf-8")
    env = make_environment((str(tmp_path / "theme"), *default), "en")
    assert not PageShapes(env, "item.html").reuse
    monkeypatch.setattr(shapes, "ENABLED", False)
    assert not PageShapes(make_environment(default, "en"), "item.html").reuse


def test_templates_are_vetted_at_a_shapes_second_page_not_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild renders one page: it does not pay for vetting the templates."""
    vetting: list[str] = []
    real = shapes._from_default_theme

    def counted(env: Any, name: str) -> bool:
        vetting.append(name)
        return real(env, name)

    monkeypatch.setattr(shapes, "_from_default_theme", counted)
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "page.html").write_text("<p>{{ a }}</p>", encoding="utf-8")
    env = make_environment((str(theme), str(default_theme_dir())), "en")
    made = PageShapes(env, "page.html")
    assert made.render({"a": "one"}) == b"<p>one</p>" and vetting == []
    assert made.render({"a": "two"}) == b"<p>two</p>" and vetting == ["page.html"]
    assert made.render({"a": "three"}) == b"<p>three</p>" and vetting == ["page.html"]
    assert made.shapes == {}  # (a user's template: never made by shape)


def test_shapes_are_forgotten_past_the_limit(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shapes, "LIMIT", 3)
    monkeypatch.setattr(shapes, "SEEN_LIMIT", 5)
    made = _shapes(tmp_path, "{% for x in xs %}{{ x }}{% endfor %}")
    contexts = [{"xs": [f"v{n}{m}" for m in range(k)]} for k in range(8) for n in range(3)]
    _check(made, contexts)
    assert len(made.shapes) <= 3 and len(made.seen) <= 5


@pytest.mark.parametrize("expression", [
    "t|wordcount", "t|striptags", "t|title", "'%5s'|format(t)", "'%5s' % t",
    "'%(a)-9s' % {'a': t}", "'abc'.startswith(t)", "t in 'abc'", "t not in ['a']",
    "lipsum()", "t|upper", "t is sameas u",
])
def test_templates_reading_placeholders_where_nothing_tells_are_not_vetted(
        expression: str) -> None:
    env = make_environment((str(default_theme_dir()),), "en")
    assert not vetted(env.parse("{{ " + expression + " }}"))
    assert vetted(env.parse("{{ t|e }}{{ t|length }}{{ ('%(a)s %%'|safe) % dict(a=t) }}"
                            "{% if t == 'x' and t is defined %}{{ t.upper() }}{% endif %}"))
