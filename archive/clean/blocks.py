"""The article's blocks in reading order: ``("line", text)`` and ``("table", element)`` items.

trafilatura extracts the container (or the page) as XML so that paragraphs and tables stay
separate; a plain block walk of the container is the reference, and replaces trafilatura's output
when trafilatura lost body text (``container_items``). A trafilatura table is matched back to the
HTML table it came from by cell overlap (``source_table``), so that tables are re-read from HTML
with their spans.
"""

from __future__ import annotations

import functools

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.settings import Extractor

from archive.software import package_version
from archive.tables import BLOCK_TAGS

from .text import squash, squash_ws

TRAFILATURA_VERSION = package_version("trafilatura")


def _walk(el, out: list, buf: list[str]) -> None:
    """Append ('line', text) and ('table', element) to ``out`` in document order."""
    for child in el:
        if not isinstance(child.tag, str):
            if child.tail:
                buf.append(child.tail)
            continue
        tag = child.tag.lower()
        if tag in ("script", "style", "noscript"):
            pass
        elif tag == "table":
            _flush(buf, out)
            if squash(child.text_content()):  # a table with no text is a spacer, not data
                out.append(("table", child))
        elif tag == "br":
            _flush(buf, out)
        elif tag in BLOCK_TAGS or tag in ("blockquote", "pre", "center", "dl", "dt", "dd", "h1", "section"):
            _flush(buf, out)
            if child.text:
                buf.append(child.text)
            _walk(child, out, buf)
            _flush(buf, out)
        else:
            if child.text:
                buf.append(child.text)
            _walk(child, out, buf)
        if child.tail:
            buf.append(child.tail)


def _flush(buf: list[str], out: list) -> None:
    line = squash_ws("".join(buf))
    buf.clear()
    if line:
        out.append(("line", line))


def walk_blocks(container) -> list:
    out: list = []
    buf: list[str] = []
    if container.text:
        buf.append(container.text)
    _walk(container, out, buf)
    _flush(buf, out)
    return out


def table_cells(table_el) -> set[str]:
    """An HTML table's cell texts (whitespace removed): what a trafilatura table is matched by."""
    return {squash(td.text_content()) for td in table_el.iter("td", "th")} - {""}


def source_table(traf_table, html_tables: list, used: set[int], cells: dict[int, set[str]] | None = None):
    """The HTML table a trafilatura <table> was made from: the unused one sharing most cell texts.
    ``cells`` keeps each HTML table's cell texts (by index) for the next call on the same tables."""
    want = {squash("".join(c.itertext())) for c in traf_table.iter("cell")} - {""}
    if not want:
        return None
    if cells is None:
        cells = {}
    best, best_score = None, 0.0
    for i, t in enumerate(html_tables):
        if i in used:
            continue
        have = cells.get(i)
        if have is None:
            have = cells[i] = table_cells(t)
        if not have:
            continue
        overlap = len(want & have) / len(want | have)
        if overlap > best_score:
            best, best_score = i, overlap
    if best is None or best_score < 0.3:
        return None
    used.add(best)
    return html_tables[best]


class _Items(list):
    walked = False


def container_items(container) -> list:
    """trafilatura on the container; the plain block walk if trafilatura lost body text."""
    reference = walk_blocks(container)
    fragment = "<html><body>" + lxml_html.tostring(container, encoding="unicode") + "</body></html>"
    items = trafilatura_lines(fragment)
    if items is None or not covers(items, reference):
        out = _Items(reference)
        out.walked = True
        return out
    return _Items(items)


_PARAGRAPH_CHARS = 10  # a block with this much text in a cell is a paragraph, not a cell value


def is_data_table(table_el) -> bool:
    """Layout tables are walked as text, not kept as tables: a table holding tables, or one with
    a row whose only cell of text holds paragraphs (two or more blocks of text: old CMS templates
    put the whole article, Word-exported ``<P>`` by ``<P>``, alone in a row of a page-layout
    table; a data table's long cell has a label beside it)."""
    if table_el.find(".//table") is not None:
        return False
    for tr in table_el.iter("tr"):
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th") and squash(c.text_content())]
        if len(cells) == 1 and _paragraphs(cells[0]) >= 2:
            return False
    return True


def _paragraphs(cell) -> int:
    return sum(1 for block in cell.iter("p", "div", "li", "h1", "h2", "h3", "h4")
               if len(squash(block.text_content())) >= _PARAGRAPH_CHARS)


@functools.cache
def _options() -> Extractor:
    """trafilatura's options, made once: built per page they read its configuration each time
    (~8 % of cleaning a small page). A shared Extractor is safe: trafilatura copies it before
    changing anything."""
    return Extractor(output_format="xml", tables=True, comments=False, images=False, links=False, formatting=False,
                     recall=True, dedup=False, fast=True)


def trafilatura_lines(fragment_html: str) -> list | None:
    xml = trafilatura.extract(fragment_html, options=_options())
    if not xml:
        return None
    root = etree.fromstring(xml.encode("utf-8"))
    main = root.find("main")
    if main is None:
        main = root
    out: list = []
    for el in main.iter():
        tag = el.tag
        if tag == "table":
            out.append(("table", el))
        elif tag in ("p", "head", "item", "quote", "code") and not any(a.tag == "table" for a in el.iterancestors()):
            # text of this block without nested blocks' text
            parts = [el.text or ""]
            for child in el:
                if child.tag in ("lb",):
                    parts.append("\n")
                elif child.tag not in ("p", "head", "list", "item", "table"):
                    parts.append("".join(child.itertext()))
                parts.append(child.tail or "")
            for piece in "".join(parts).split("\n"):
                piece = squash_ws(piece)
                if piece:
                    out.append(("line", piece))
    return out


def covers(candidate: list, reference: list) -> bool:
    """Does ``candidate`` contain every text line of ``reference`` (tables compared by count)?"""
    got = "".join(squash(x[1]) for x in candidate if x[0] == "line")
    for kind, value in reference:
        if kind == "line" and squash(value) not in got:
            return False
    ref_tables = sum(1 for k, _ in reference if k == "table")
    cand_tables = sum(1 for k, _ in candidate if k == "table")
    return ref_tables == cand_tables
