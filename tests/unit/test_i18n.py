"""Interface languages: catalogs complete and current, lookups, formatting, theme catalogs."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract

from sitegen import i18n
from sitegen.errors import SitegenError
from sitegen.render import default_theme_dir, make_environment
from tests.conftest import REPO

THEME = default_theme_dir()


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    saved = i18n.snapshot()
    yield
    i18n.restore(saved)


def test_catalogs_are_current_and_complete() -> None:
    """scripts/messages.py --check: the template matches the sources, and every message
    is translated in every language with the same placeholders."""
    done = subprocess.run([sys.executable, "scripts/messages.py", "--check"], cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_builtin_languages() -> None:
    assert i18n.available() == ["de", "en", "sv"]


def test_script_messages_are_the_ones_babel_extracts() -> None:
    """The build finds a script's messages with a regular expression; it must see exactly
    what Babel's JavaScript extractor puts into the catalogs."""
    for script in sorted((THEME / "static").glob("*.js")):
        with open(script, "rb") as fh:
            babel = sorted({m[1] for m in extract("javascript", fh, keywords={"_": None})})
        ours = sorted({m.group(1) for m in i18n.JS_MESSAGE.finditer(script.read_text("utf-8"))})
        assert ours == babel, script.name


def test_no_message_hides_in_an_f_string() -> None:
    """Babel does not look inside f-strings: a gettext call there is never translated."""
    call = re.compile(r"""\bf(["'])[^\n]*?\{[^}\n]*\b(_|gettext|ngettext|M_|N_)\(""")
    for module in sorted((REPO / "sitegen").glob("*.py")):
        for number, line in enumerate(module.read_text("utf-8").splitlines(), 1):
            assert not call.search(line), f"{module.name}:{number}: {line.strip()}"


#: Literal text a template may carry untranslated: names, and attribute values that are
#: not prose.
NOT_PROSE = {"download.sh", "Metalink", "DOI:", "doi:", 'content="website"',
             'content="width=device-width, initial-scale=1"'}
PROSE_ATTRIBUTES = re.compile(r'\b(alt|title|placeholder|aria-label|content)="([^"]*)"')


def untranslated(template: str) -> list[str]:
    """Words and prose attributes of a template outside ``{% trans %}``, ``_()`` and
    expressions."""
    text = re.sub(r"\{#.*?#\}", "", template, flags=re.S)
    text = re.sub(r"\{%-?\s*trans\b.*?%\}.*?\{%-?\s*endtrans\s*-?%\}", "", text, flags=re.S)
    text = re.sub(r"<script\b.*?</script>", "", text, flags=re.S)
    found = []
    for match in PROSE_ATTRIBUTES.finditer(text):
        value = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", match.group(2))
        # a word, not part of a path (the map scripts' list is not prose)
        if re.search(r"(?<![\w/.-])[A-Za-z]{2,}(?![\w/.-])", value) and \
                match.group(0) not in NOT_PROSE:
            found.append(match.group(0))
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text)
    found += [w for w in re.findall(r"\S*[A-Za-z]{2,}\S*", text) if w not in NOT_PROSE]
    return found


def test_templates_have_no_untranslated_text() -> None:
    templates = sorted(THEME.rglob("*.html"))
    assert len(templates) >= 15
    for template in templates:
        assert untranslated(template.read_text("utf-8")) == [], template.name


def test_the_check_of_templates_can_fail() -> None:
    assert untranslated('<h2>Assets</h2><img alt="Preview">{{ _("Fine") }}') == [
        'alt="Preview"', "Assets"]
    assert untranslated('{% trans n=1 %}Fine {{ n }}{% endtrans %}<b>{{ x }}</b>') == []


def test_regional_tags_use_their_language() -> None:
    assert i18n.resolve("de-CH") == "de"
    assert i18n.resolve("sv-FI") == "sv"
    assert i18n.resolve("en-GB") == "en"
    with pytest.raises(SitegenError, match=r"language 'fr' has no interface translation; "
                                           r"available: de, en, sv"):
        i18n.resolve("fr")


def test_templates_speak_the_active_language() -> None:
    env = make_environment((str(THEME),), "de")
    html = env.from_string('{{ _("Download") }} · {{ 12345|number }} · '
                           '{% trans count=3, items=3 %}{{ items }} item{% pluralize %}'
                           '{{ items }} items{% endtrans %}').render()
    assert html == "Herunterladen · 12.345 · 3 Elemente"
    env = make_environment((str(THEME),), "sv")
    html = env.from_string('{{ _("Download") }} · {{ 12345|number }} · '
                           '{% trans count=1, items=1 %}{{ items }} item{% pluralize %}'
                           '{{ items }} items{% endtrans %}').render()
    assert html == "Ladda ned · 12\N{NO-BREAK SPACE}345 · 1 objekt"


def test_messages_stay_english_for_logs_and_translate_for_pages() -> None:
    message = i18n.M_("%(items)s items shown as %(clusters)s clusters of item centres.",
                      items=12000, clusters=40)
    assert message == "12,000 items shown as 40 clusters of item centres."
    copy = pickle.loads(pickle.dumps(message))
    assert copy == message and copy.params == message.params
    i18n.activate("de")
    assert i18n.translate(copy) == "12.000 Elemente, dargestellt als 40 Gruppen ihrer " \
                                   "Mittelpunkte."
    assert i18n.translate("plain data") == "plain data"  # data is never looked up


def test_numbers_and_field_labels_follow_the_language() -> None:
    from sitegen.fields import format_size, label, value_html
    from sitegen.formats import format_duration, format_name

    i18n.activate("de")
    assert format_size(88_000_000) == "88,0 MB"
    assert label("eo:cloud_cover") == "Wolkenbedeckung"  # STAC Browser's dictionary
    assert value_html("x", True) == "ja"
    assert format_duration("P1DT6H") == "1 Tag 6 Stunden"
    assert format_name("image/png") == "PNG-Bild"
    i18n.activate("sv")
    assert format_size(1500) == "1,5 kB"
    assert label("eo:cloud_cover") == "Cloud Cover"  # no Swedish dictionary: English
    assert format_duration("P2W") == "2 veckor"
    i18n.activate("en")
    assert format_size(1500) == "1.5 kB" and format_duration("P1D") == "1 day"


def test_a_theme_adds_a_language_and_overrides_messages(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    fr = theme / "locale" / "fr" / "LC_MESSAGES"
    fr.mkdir(parents=True)
    (fr / "messages.po").write_text('msgid ""\nmsgstr "Content-Type: text/plain; '
                                    'charset=UTF-8\\n"\n\nmsgid "Download"\n'
                                    'msgstr "Télécharger"\n', encoding="utf-8")
    de = theme / "locale" / "de" / "LC_MESSAGES"
    de.mkdir(parents=True)
    (de / "messages.po").write_text('msgid "Download"\nmsgstr "Laden"\n', encoding="utf-8")
    dirs = (str(theme), str(THEME))
    assert i18n.available(dirs) == ["de", "en", "fr", "sv"]
    assert i18n.resolve("fr-CA", dirs) == "fr"
    i18n.activate("fr", dirs)
    assert i18n.gettext("Download") == "Télécharger"
    assert i18n.gettext("Search") == "Search"  # not in the theme's catalog: English
    i18n.activate("de", dirs)
    assert i18n.gettext("Download") == "Laden"  # the theme's wins
    assert i18n.gettext("Search") == "Suche"  # the rest from the built-in catalog


def test_a_broken_theme_catalog_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "theme" / "locale" / "de" / "LC_MESSAGES" / "messages.po"
    broken.parent.mkdir(parents=True)
    dirs = (str(tmp_path / "theme"), str(THEME))
    broken.write_text('msgid "Download"\nmsgstr "Laden"\nnonsense\n', encoding="utf-8")
    with pytest.raises(SitegenError, match=r"messages\.po: cannot read translations"):
        i18n.activate("de", dirs)
    # the edited catalog is read again (sitegen serve while a translator works)
    broken.write_text('msgid "Map of %(title)s"\nmsgstr "Karte von %(titel)s"\n',
                      encoding="utf-8")
    with pytest.raises(SitegenError, match=r"messages\.po: the translation of 'Map of "
                                           r"%\(title\)s' uses '%\(titel\)s'; it may use "
                                           r"%\(title\)s"):
        i18n.activate("de", dirs)


def test_constant_messages_are_translated_when_compiled() -> None:
    env = make_environment((str(THEME),), "de")
    source = '{{ _("Download") }}|{{ _("Map of %(title)s", title=t) }}|{{ _("50%% done") }}'
    code = env.compile(source, raw=True)
    assert "Herunterladen" in code and "'Download'" not in code  # a constant
    assert "Karte von %(title)s" in code and "Map of" not in code  # values: put in later
    assert env.from_string(source).render(t="<b>") == "Herunterladen|Karte von &lt;b&gt;|50% done"
    # markup in a translation is kept (translations are trusted), as new-style gettext does
    html = env.from_string('{{ _("(<code>.meta4</code>) with sizes and checksums, for aria2 '
                           'and other download managers.") }}').render()
    assert html.startswith("(<code>.meta4</code>) mit Größen")
    # a bare placeholder without values stays a runtime call (and fails there, as before)
    with pytest.raises(KeyError):
        env.from_string('{{ _("%(x)s") }}').render()
