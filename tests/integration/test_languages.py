"""Sites in German and Swedish: `language` in the config switches every interface string."""

from __future__ import annotations

import gettext
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from sitegen import i18n
from sitegen.errors import ConfigError, SitegenError
from sitegen.fields import is_known, label, registry
from sitegen.linkcheck import check_site
from tests.conftest import DATA, SAMPLE, build_site, parse_html
from tests.data.make_hostile_corpus import write_corpus


def html_lang(page: Path) -> str | None:
    tags = parse_html(page.read_text(encoding="utf-8")).tags
    return next((a.get("lang") for t, a in tags if t == "html"), None)


def scripts_of(page: Path) -> list[str]:
    tags = parse_html(page.read_text(encoding="utf-8")).tags
    return [str(a["src"]) for t, a in tags if t == "script" and a.get("src")]


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return build_site(SAMPLE, tmp_path_factory.mktemp("de") / "site", language="de")


def test_a_german_site(german: Any) -> None:
    pages = sorted(german.out.rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        assert html_lang(page) == "de", page
        scripts = scripts_of(page)
        # the messages come first: the other scripts read them when they run
        assert scripts[0].endswith("_static/messages.de.js"), page
        assert (page.parent / scripts[0]).resolve() == \
            (german.out / "_static" / "messages.de.js").resolve()
    messages = (german.out / "_static" / "messages.de.js").read_text(encoding="utf-8")
    table = json.loads(messages.split("window.SITEGEN_MESSAGES = ", 1)[1].rstrip(";\n"))
    assert table["Copied"] == "Kopiert" and table["%(count)s results"] == "%(count)s Treffer"
    assert all(k != v for k, v in table.items())  # only what differs from English
    item = german.html("sweden/elevation-skane/dem-skane-01/index.html")
    for text in ("Zum Inhalt springen", "Daten dieses Elements herunterladen", ">Kennung<",
                 "Umgebendes Rechteck", "West 13°, Süd 55.4°, Ost 13.35°, Nord 55.7°",
                 "1 Datei, 88,0 MB", ">Herunterladen<", "Adresse kopieren", "Wolkenbedeckung"
                 if "eo:cloud_cover" in item else "Eigenschaften", "PNG-Bild",
                 "Veröffentlicht mit stac-sitegen"):
        assert text in item, text
    collection = german.html("sweden/elevation-skane/index.html")
    for text in ("Alle Daten dieser Sammlung herunterladen", "Räumliche Ausdehnung",
                 "Erzeuger, Lizenzgeber", ">Elemente <span", "aus allen Elementen dieser Sammlung"):
        assert text in collection, text
    assert "Seite nicht gefunden" in german.html("404.html")
    search = german.html("search/index.html")
    assert "<title>Suche – " in search and "Rechteck auf der Karte zeichnen" in search
    assert check_site(german.out).broken == []


def test_an_english_site_has_no_messages_file(tmp_path: Path) -> None:
    built = build_site(SAMPLE, tmp_path / "site")
    assert not list((built.out / "_static").glob("messages.*"))
    page = built.out / "sweden" / "elevation-skane" / "index.html"
    assert html_lang(page) == "en"
    assert not any("messages" in s for s in scripts_of(page))
    assert "Download all data of this collection" in page.read_text(encoding="utf-8")


def test_a_regional_swedish_site(tmp_path: Path) -> None:
    built = build_site(SAMPLE, tmp_path / "site", language="sv-FI")
    page = built.out / "sweden" / "elevation-skane" / "index.html"
    assert html_lang(page) == "sv-FI"
    text = page.read_text(encoding="utf-8")
    assert "Ladda ned alla data i den här samlingen" in text and "Geografisk utbredning" in text
    assert (built.out / "_static" / "messages.sv-FI.js").is_file()
    assert built.result.warnings == 0, built.warnings_text()


def test_the_build_leaves_the_callers_language(german: Any, tmp_path: Path) -> None:
    """In one process, a German build does not leave German behind (serve, tests)."""
    assert i18n.active_language() == "en" and i18n.gettext("Download") == "Download"
    built = build_site(SAMPLE, tmp_path / "site")
    assert "Herunterladen" not in built.html("sweden/elevation-skane/index.html")


def test_a_language_change_rebuilds_every_page(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(SAMPLE, out, cache=True)
    built = build_site(SAMPLE, out, cache=True, language="de")
    assert built.reporter.reused == []
    assert all(html_lang(p) == "de" for p in out.rglob("*.html"))


def test_languages_without_a_translation_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SitegenError, match="language 'fr' has no interface translation; "
                                           "available: de, en, sv"):
        build_site(SAMPLE, tmp_path / "site", language="fr")
    assert not (tmp_path / "site").exists()
    config = tmp_path / "sitegen.toml"
    config.write_text('language = "../../x"\n', encoding="utf-8")
    from sitegen.config import load_config

    with pytest.raises(ConfigError, match="language must be a language tag"):
        load_config(config)
    done = subprocess.run([sys.executable, "-m", "sitegen", "build", str(SAMPLE), "-o",
                           str(tmp_path / "cli"), "--config", str(config)],
                          capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "language must be a language tag" in done.stderr


def bracket(message: str) -> str:
    """``⟦No map: the ⟧%(problem)s⟦.⟧``: the message's own text in brackets, the values
    put into it outside (they are checked too). Messages with markup stay whole."""
    if "<" in message:
        return f"⟦{message}⟧"
    return re.sub(r"(%\(\w+\)s)", r"⟧\1⟦", f"⟦{message}⟧").replace("⟦⟧", "")


class Pseudo(gettext.NullTranslations):
    """Every interface message in brackets, so text without them came from the catalog."""

    def gettext(self, message: str) -> str:
        return bracket(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return bracket(singular if n == 1 else plural)


class Visible(HTMLParser):
    """Text a reader sees or hears: text nodes and prose attributes, not scripts."""

    PROSE = ("alt", "title", "placeholder", "aria-label")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        values = dict(attrs)
        self.found += [v for k, v in attrs if k in self.PROSE and v]
        if tag == "meta" and values.get("name") == "description" and values.get("content"):
            self.found.append(str(values["content"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip and data.strip():
            self.found.append(data)


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]{2,}", text)}


def catalog_strings(source: Path) -> tuple[list[str], list[str]]:
    """Every string value and every key of the catalog's JSON files (a file that is not
    JSON counts as one value)."""
    values: list[str] = []
    keys: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            values.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                keys.append(str(k))
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for path in source.rglob("*.json"):
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            walk(json.loads(text))
        except ValueError:
            values.append(text)
    return values, keys


def catalog_vocabulary(values: list[str], keys: list[str]) -> set[str]:
    """Every word the catalog could put on a page: its values, the humanised names of
    fields the dictionary does not know, extension badges, and units."""
    vocabulary = {w for value in values for w in words(value)}
    for key in keys:
        if not is_known(key):
            vocabulary.update(words(label(key)))
        if ":" in key:  # the extension badge
            vocabulary.update(words(key.split(":")[0]))
    # units are symbols, the same in every language
    vocabulary.update(w for spec in registry()["metadata"].values() if isinstance(spec, dict)
                      for w in words(str(spec.get("unit") or "")))
    return vocabulary


def english_messages() -> list[str]:
    with open(i18n.LOCALE_DIR / "sitegen.pot", "rb") as fh:
        template = read_po(fh)
    return [text for m in template if m.id
            for text in (m.id if isinstance(m.id, tuple) else (m.id,))]


class PseudoFields(dict[str, str]):
    """The field dictionary's labels and values bracketed too."""

    def __bool__(self) -> bool:
        return True

    def get(self, key: str, default: Any = None) -> str:  # type: ignore[override]
        return f"⟦{key}⟧"


#: Names on pages that are no interface text: the generator, formats, the map's credits,
#: units, the download script's name, config values.
NAMES = {"stac", "sitegen", "json", "geojson", "utc", "leaflet", "openstreetmap",
         "contributors", "land", "natural", "earth", "km", "mi", "mb", "kb", "gb", "sha",
         "download", "sh", "metalink", "epsg", "doi", "cloud", "optimized", "geotiff",
         "data"}  # the configured download_roles


@pytest.fixture
def pseudo(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(i18n, "translations", lambda language, dirs=(): Pseudo())
    monkeypatch.setattr(i18n, "field_labels", lambda language: PseudoFields())
    yield


@pytest.mark.usefixtures("pseudo")
@pytest.mark.parametrize("corpus", ["sample", "interface", "hostile", "old", "dag"])
def test_every_interface_string_goes_through_gettext(corpus: str, tmp_path: Path) -> None:
    """Built with a pseudo-translation that brackets every message and field label: what
    a page shows outside the brackets must come from the catalog, else some interface
    text bypassed gettext."""
    if corpus == "hostile":
        write_corpus(tmp_path / "hostile")  # corpus/, and outside/ that it links to
        source = tmp_path / "hostile" / "corpus"
    else:
        source = SAMPLE if corpus == "sample" else DATA / corpus
    built = build_site(source, tmp_path / "site", language="de", base_url="https://x.test/")
    values, keys = catalog_strings(source.parent if corpus == "hostile" else source)
    vocabulary = catalog_vocabulary(values, keys) | NAMES
    data = "\n" + "\n".join(values + keys) + "\n"  # one string a line
    # the English messages: whole (short ones) or their longer literal parts, where the
    # catalog does not have the same text itself
    fragments = {f.strip(" .,:;()…–") for m in english_messages()
                 for f in re.split(r"%\(\w+\)s|<[^>]+>", m)}
    short = {f for f in fragments if f and " " not in f and f"\n{f}\n" not in data}
    long = {f for f in fragments if f.count(" ") >= 2 and f not in data}
    pages = sorted(built.out.rglob("*.html"))
    assert len(pages) >= 3
    bracketed = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        bracketed += text.count("⟦")
        # drop translated text, innermost first (a message may hold another one)
        while True:
            stripped = re.sub(r"⟦[^⟦⟧]*⟧", " ", text)
            if stripped == text:
                break
            text = stripped
        assert "⟦" not in text and "⟧" not in text, page
        parser = Visible()
        parser.feed(text)
        stray = sorted(words(" ".join(parser.found)) - vocabulary)
        assert stray == [], f"{page.relative_to(built.out)}: untranslated {stray}"
        # and no known message shown without its translation
        for node in parser.found:
            node = node.strip()
            raw = [m for m in short if node == m] + [m for m in long if m in node]
            assert raw == [], f"{page.relative_to(built.out)}: untranslated {raw} in {node!r}"
    assert bracketed > 15 * len(pages)
