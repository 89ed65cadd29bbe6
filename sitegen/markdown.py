"""Safe CommonMark rendering of catalog descriptions (DESIGN section 7).

The only module that renders markdown. Raw HTML in the source is not passed
through (markdown-it escapes it as text), and the result goes through nh3's
allow-list sanitizer as a second line of defence, which also drops any href whose
scheme is not http, https or mailto. Results are cached: collections repeat the
same description on many pages.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_md.enable("table")

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
}
_BLOCK_TAG_RE = re.compile(
    r"</?(p|br|li|ul|ol|h[1-6]|tr|td|th|table|thead|tbody|blockquote|pre|hr)\b[^>]*>")
_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"\s+")
#: One line of letters, digits and harmless punctuation, starting with a letter: no
#: CommonMark syntax can start or hide in it, so it renders as itself in a paragraph.
#: Most titles and short descriptions are like that, and skip the parser.
_PLAIN_RE = re.compile(r"[^\W\d_](?:[^\W_]|[ ,.;:()/'-])*(?<! )\Z")
#: Longest description rendered; longer ones are cut with a note (a 10 MB text
#: would otherwise be copied into every page that shows it).
MAX_MARKDOWN_CHARS = 100_000


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """Render untrusted CommonMark to sanitized HTML.

    Returns:
        HTML safe to insert into a page (mark it safe in the template).
    """
    if _PLAIN_RE.match(text):
        return f"<p>{text}</p>\n"
    cut = len(text) > MAX_MARKDOWN_CHARS
    if cut:
        text = text[:MAX_MARKDOWN_CHARS]
    rendered = _md.render(text)
    clean: str = nh3.clean(
        rendered,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    if cut:
        clean += "<p><em>(description shortened)</em></p>"
    return clean


@lru_cache(maxsize=4096)
def plain_text(text: str, limit: int = 155) -> str:
    """Markdown reduced to one line of plain text, cut at a word near ``limit``."""
    text = text[: limit * 20]
    if _PLAIN_RE.match(text):
        flat = _SPACE_RE.sub(" ", text)
    else:
        rendered = _BLOCK_TAG_RE.sub(" ", _md.render(text))
        flat = html.unescape(_TAG_RE.sub("", rendered))
        flat = _SPACE_RE.sub(" ", flat).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"
