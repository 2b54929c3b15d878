"""Where the article is on a page: a known container, one filled from a script, or a guess.

The portal's own selectors come first, then the platform's and the known CMS containers
(``archive.vocab``). A page whose article area is empty and whose script carries the document
(gkmlpt's ``DETAIL.content``, ``archive.embedded``) is read as a browser draws it. Failing that,
the densest block of paragraph text is taken — read by the block walk, kept only when it is a focused
part of what trafilatura finds on the whole page (``focused_subset``), and widened to an ancestor
when a data table of the article sits beside it (``widen_for_tables``).
"""

from __future__ import annotations

import functools
from typing import Sequence

from lxml import html as lxml_html
from lxml.cssselect import CSSSelector

from archive.embedded import EmbeddedArticle
from archive.vocab import FOOTER_WORDS

from .blocks import source_table, table_cells
from .text import squash

MIN_CONTAINER_CHARS = 20


@functools.lru_cache(maxsize=512)
def compiled(selector: str) -> CSSSelector | None:
    """A CSS selector compiled once (to XPath, as ``HtmlElement.cssselect`` would every call);
    None for one that does not compile."""
    try:
        return CSSSelector(selector, translator="html")
    except Exception:  # an invalid selector in a portal config must not stop cleaning
        return None


def select(doc, selector: str) -> list:
    matcher = compiled(selector)
    if matcher is None:
        return []
    try:
        return matcher(doc)
    except Exception:  # a selector that compiles but does not evaluate
        return []


def find_container(doc, selectors: Sequence[str]) -> tuple[object, str] | tuple[None, None]:
    for sel in selectors:
        found = select(doc, sel)
        for el in found:
            # outermost match: TRS_Editor nests inside TRS_Editor
            outer = el
            for anc in el.iterancestors():
                if anc in found:
                    outer = anc
            if len(squash(outer.text_content())) >= MIN_CONTAINER_CHARS:
                return outer, sel
    return None, None



_TEXT_BLOCKS = ("p", "div", "td", "section", "span", "font", "center", "li")


def guess_container(doc):
    """No known container: the element holding most paragraph text that is not link text.

    Each text block (a <p>, or another block with text of its own) gives its length to its
    parent, and half of it to the grandparent; link-heavy blocks (navigation, related lists)
    give nothing. The best-scoring element, if it holds at least 150 characters, is the body.
    """
    scores: dict = {}
    for el in doc.iter(*_TEXT_BLOCKS):
        own = squash((el.text or "") + "".join((c.tail or "") for c in el)) if el.tag != "p" else squash(el.text_content())
        if len(own) < 10:
            continue
        links = sum(len(squash(a.text_content())) for a in el.iter("a"))
        if links and links > 0.3 * max(len(squash(el.text_content())), 1):
            continue
        if any(anc.tag in ("a", "nav", "header", "footer", "script", "style", "ul", "ol") for anc in el.iterancestors()):
            continue
        parent = el.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0) + len(own)
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0) + len(own) / 2
    # footers (ICP numbers, site ids, copyright) are never the body, however dense
    for el in list(scores):
        text = el.text_content()
        if any(w in text for w in FOOTER_WORDS) and \
                len(squash(text)) < 600:
            del scores[el]
    if not scores:
        return None
    best = max(scores, key=scores.get)
    if scores[best] < 150 or best.tag in ("html", "body"):
        return None
    # the body's first or last paragraphs sometimes sit beside the densest block: take the
    # parent in when it adds real paragraphs and little link text
    for _ in range(2):
        parent = best.getparent()
        if parent is None or parent.tag in ("html", "body"):
            break
        extra = sum(len(squash(sib.text_content())) for sib in parent
                    if sib is not best and isinstance(sib.tag, str) and sib.tag == "p"
                    and len(squash(sib.text_content())) >= 30 and sib.find(".//a") is None)
        links = sum(len(squash(a.text_content())) for a in parent.iter("a"))
        if extra == 0 or links > 0.2 * len(squash(parent.text_content())):
            break
        best = parent
    return best


def describe(el) -> str:
    cls = (el.get("class") or "").split()
    return el.tag + (f"#{el.get('id')}" if el.get("id") else "") + "".join(f".{c}" for c in cls[:2])


def fill_from_script(doc, selectors: Sequence[str], embedded: EmbeddedArticle):
    """Put the script's article HTML where a browser would: into the page's (empty) article
    area, or at the end of the body when the page has none we know."""
    fragment = lxml_html.fragment_fromstring(embedded.content_html, create_parent="div")
    for sel in selectors:
        found = select(doc, sel)
        if found:
            found[0].append(fragment)
            return found[0], f"{sel} (filled from {embedded.where})"
    body = doc.find("body")
    (body if body is not None else doc).append(fragment)
    return fragment, embedded.where


def widen_for_tables(doc, container, part: list, whole: list):
    """The nearest ancestor of ``container`` that also holds the data tables trafilatura found on
    the page but not in the container (a summary table above a notice), if it is not the body.
    ``part``: the container's block walk (its tables are HTML tables)."""
    have = set().union(*(table_cells(t) for k, t in part if k == "table"))
    missing = [t for k, t in whole if k == "table"
               and len({squash("".join(c.itertext())) for c in t.iter("cell")} - have) > 2]
    if not missing:
        return None
    tables, cells = list(doc.iter("table")), {}
    sources = [src for t in missing if (src := source_table(t, tables, set(), cells)) is not None]
    if not sources:
        return None
    ancestors = list(container.iterancestors())
    for anc in ancestors:
        if anc.tag in ("body", "html"):
            return None
        if all(anc in set(src.iterancestors()) for src in sources):
            return anc
    return None


def focused_subset(part: list, whole: list) -> bool:
    """``part``'s text lines are (nearly all) in ``whole`` and carry most of its text."""
    part_lines = [squash(v) for k, v in part if k == "line" and len(squash(v)) > 2]
    whole_lines = [squash(v) for k, v in whole if k == "line"]
    if not part_lines:
        return False
    if not whole_lines:
        return True
    whole_text = "".join(whole_lines)
    inside = sum(len(x) for x in part_lines if x in whole_text)
    total_part = sum(len(x) for x in part_lines)
    return inside >= 0.8 * total_part and total_part >= 0.6 * len(whole_text)
