"""Decoded HTML → the report as a reader sees it: body text, tables, metadata, and what was cut.

``clean_html`` is a short sequence of steps, each in its own module (each records what it did in
``Cleaned.removed`` / ``Cleaned.extractor``):

1. ``container`` — find the article: the portal's own selectors, then the platform's and the known
   CMS containers (``archive.vocab``); an empty article area filled from the page's script record
   (gkmlpt's ``DETAIL.content``); else the densest block of paragraph text, checked against what
   trafilatura finds on the whole page.
2. ``furniture`` — collect attachment links, then drop furniture subtrees (share, QR, print…).
3. ``blocks`` — trafilatura on a known container (or on the page when there is none) as XML, so
   paragraphs and tables stay apart; the plain block walk when trafilatura lost body text, and
   always on a guessed container (trafilatura has read the page to check the guess already).
   trafilatura runs once a page.
4. ``body`` — lines and tables: tables re-read from the HTML with rowspan/colspan (one text line
   per row and a grid), document-information grids as metadata, layout tables as text.
5. ``edges`` — chrome removed at the top and bottom only (听全文, date/source lines, 分享到,
   扫一扫, footers, link lists); a line inside the body is never removed for a word it contains.
6. ``metadata`` — title, date, source, agency, year; ``traditional`` pages get a simplified copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from lxml import etree
from lxml import html as lxml_html

from archive import meta as meta_mod
from archive.embedded import find_embedded_article
from archive.vocab import KNOWN_CONTAINERS

from .blocks import TRAFILATURA_VERSION, container_items, trafilatura_lines, walk_blocks
from .body import Body
from .container import describe, fill_from_script, find_container, focused_subset, guess_container, widen_for_tables
from .edges import EdgePass, drop_link_runs, link_row
from .furniture import collect_attachments, drop_chrome_blocks
from .metadata import page_metadata, page_title
from .text import han_count, squash
from .traditional import is_traditional, simplified

__all__ = ["Cleaned", "NotAPage", "clean_html", "is_traditional", "simplified", "TRAFILATURA_VERSION"]


@dataclass
class Cleaned:
    text: str
    tables: list[dict] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    removed: list[dict] = field(default_factory=list)
    container: str | None = None
    extractor: str = ""
    attachments: list[dict] = field(default_factory=list)
    text_simplified: str | None = None  # set when the page is in traditional characters
    link_ratio: float = 0.0  # share of the text that is link text (a list page is mostly links)
    incomplete: str | None = None  # why the text is known to lack part of the page (markup the parser gave up on)

    @property
    def empty(self) -> bool:
        return not self.text.strip()


class NotAPage(ValueError):
    """The input is not an HTML page we can read at all."""


# Pages assembled from server-side includes carry a </html> (or </body>) in the middle; libxml2
# drops everything after it. The end tags are optional in HTML: parse without them.
_END_TAGS = re.compile(r"</\s*(?:html|body)\s*>", re.I)


@dataclass
class _Page:
    """What the steps share while one page is cleaned."""

    html: str
    doc: object
    tags: dict
    title: str | None
    removed: list[dict] = field(default_factory=list)
    found: dict = field(default_factory=dict)  # date, source, views seen in chrome lines
    container: object = None
    selector: str | None = None
    guessed: bool = False
    walked: bool = False  # the block walk replaced trafilatura's output
    embedded_date: str | None = None
    incomplete: str | None = None
    _whole: list | None = None

    def whole(self) -> list:
        """trafilatura on the whole page, run at most once."""
        if self._whole is None:
            self._whole = trafilatura_lines(self.html) or []
        return self._whole

    @property
    def extractor(self) -> str:
        if self.guessed:
            return f"block walk on {self.selector} (checked against trafilatura {TRAFILATURA_VERSION} on the page)"
        if self.walked:
            return f"block walk on {self.selector} (trafilatura {TRAFILATURA_VERSION} lost body text)"
        return f"trafilatura {TRAFILATURA_VERSION}" + (f" on {self.selector}" if self.selector else " on page")


def clean_html(html: str, url: str | None = None, containers: Sequence[str] = ()) -> Cleaned:
    """Clean a decoded page. ``containers`` are portal-specific selectors tried first."""
    if not isinstance(html, str):
        raise TypeError("clean_html takes decoded text; decode bytes with archive.decode first")
    if not html.strip():
        return Cleaned(text="", extractor="none", metadata={})
    page = _parse(html)
    _find_article(page, tuple(containers) + KNOWN_CONTAINERS)
    attachments = collect_attachments(page.doc, page.container, url)
    items = _extract(page)
    body = Body(_innermost_tables(page), page.removed).add(items)
    lines, link_ratio = _cut_chrome(page, body.lines)
    text = "\n".join(lines)
    metadata = page_metadata(page.doc, page.container, page.tags, page.title, text, page.found, body.docinfo,
                             page.embedded_date)
    return Cleaned(
        text=text, tables=body.tables, metadata=metadata, removed=page.removed, container=page.selector,
        extractor=page.extractor, attachments=attachments, link_ratio=link_ratio,
        text_simplified=simplified(text) if metadata["traditional"] else None, incomplete=page.incomplete,
    )


_XML_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")


def _parse(html: str) -> _Page:
    # an XML declaration before XHTML (older CMSs): the text is decoded already, and lxml refuses
    # a str that still declares an encoding
    html = _END_TAGS.sub("", _XML_DECLARATION.sub("", html, count=1))
    try:
        # libxml2's default depth limit (256) stays: the steps after walk the tree recursively
        doc = lxml_html.fromstring(html)
        incomplete = _lost_text(html, doc)
    except (etree.ParserError, ValueError) as exc:
        raise NotAPage(f"not an HTML page: {exc}") from exc
    tags = meta_mod.meta_tags(doc)
    return _Page(html=html, doc=doc, tags=tags, title=page_title(doc, tags), incomplete=incomplete)


_INVISIBLE = re.compile(r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->"
                        r"|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>|&#?\w+;", re.I | re.S)


def _lost_text(html: str, doc) -> str | None:
    """Why the parsed page lacks text the markup holds (None if it does not): libxml2 gives up
    on nesting too deep (unclosed tags by the thousand) and drops what follows, silently. The
    Chinese characters outside tags, scripts and comments are counted in the markup and in the
    tree (its text nodes, serialised in C, less the scripts' and styles' own text)."""
    raw = han_count(_INVISIBLE.sub(" ", html))
    if raw < 100:
        return None
    kept = han_count(etree.tostring(doc, method="text", encoding="unicode", with_tail=True))
    kept -= han_count("".join(el.text for el in doc.iter("script", "style") if el.text))
    lost = raw - kept
    if lost <= max(50, raw // 20):
        return None
    return (f"the markup holds {raw} Chinese characters of text, the parsed page {kept}: the parser gave up on "
            "the markup (nesting too deep or unclosed tags), and the text after that point is missing")


def _find_article(page: _Page, selectors: tuple[str, ...]) -> None:
    page.container, page.selector = find_container(page.doc, selectors)
    if page.container is None:  # an empty article area: the page may draw its article from a script
        embedded = find_embedded_article([s.text or "" for s in page.doc.iter("script")])
        if embedded is not None:
            page.container, page.selector = fill_from_script(page.doc, selectors, embedded)
            page.embedded_date = embedded.date
            # the record's own title beats the page's <title>/<h1>, which the script would fill
            page.title = (meta_mod.clean_title(page.tags.get("ArticleTitle")) or meta_mod.clean_title(embedded.title)
                          or page.title)
    if page.container is None:
        page.container = guess_container(page.doc)
        if page.container is not None:
            page.guessed, page.selector = True, f"densest text block {describe(page.container)}"


def _extract(page: _Page) -> list:
    """The article's items: trafilatura (or the block walk) on a known container; the block walk
    on a guessed one, checked against trafilatura on the page; else trafilatura on the page.
    trafilatura runs once a page, whichever it is."""
    if page.container is None:
        return page.whole()
    drop_chrome_blocks(page.container, page.removed)
    if page.guessed:
        return _check_guess(page)
    items = container_items(page.container)
    page.walked = bool(getattr(items, "walked", False))
    return items or []


def _check_guess(page: _Page) -> list:
    """A guessed container is read by the block walk (every line of the densest block, which our
    own rule found), and it must be a focused part of what trafilatura finds on the whole page;
    otherwise (a disclaimer, a sidebar) trust trafilatura on the page."""
    whole = page.whole()
    items = walk_blocks(page.container)
    wider = widen_for_tables(page.doc, page.container, items, whole)
    if wider is not None:  # a data table of the article sits beside the densest block
        page.container, page.selector = wider, f"densest text block widened to {describe(wider)}"
        drop_chrome_blocks(page.container, page.removed)
        items = walk_blocks(page.container)
    if not focused_subset(items, whole):
        page.container, page.selector, page.guessed = None, None, False
        return whole
    return items


def _innermost_tables(page: _Page) -> list:
    """The HTML tables trafilatura's tables are matched back to: those holding no table (a
    layout table among them is walked as text when matched)."""
    scope = page.container if page.container is not None else page.doc
    return [t for t in scope.iter("table") if t.find(".//table") is None]


def _cut_chrome(page: _Page, lines: list[str]) -> tuple[list[str], float]:
    """Link lists anywhere, chrome at the edges; and how much of the text was link text."""
    anchors = {squash(a.text_content()) for a in page.doc.iter("a")} - {""}
    keys = [squash(x) for x in lines]
    total = sum(map(len, keys)) or 1  # measured before link lists go: a list page is mostly links
    in_links = sum(len(key) for x, key in zip(lines, keys) if key in anchors or link_row(x, anchors))
    lines = drop_link_runs(lines, anchors, page.removed)
    whole_page = page.container is None or page.guessed
    lines = EdgePass(page.removed, page.found, title=page.title if whole_page else None,
                     header_title=page.title)(lines)
    return lines, in_links / total
