"""DOCX → paragraphs and tables in document order (python-docx's package reader; the body XML is
walked as written, so paragraphs and tables interleave). gridSpan and vMerge become spans."""

from __future__ import annotations

import io

from archive.tables import Table

from .errors import CORRUPT
from .model import Extracted
from .text import clean, join_wrapped

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_CONTAINERS = {_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "smartTag", _W + "ins",
               _W + "moveTo"}


def _w_val(el, default: str | None = None) -> str | None:
    if el is None:
        return default
    return el.get(_W + "val", default)


def _docx_blocks(parent):
    """Paragraphs and tables of a body (or cell) in document order, through content controls."""
    for child in parent:
        tag = child.tag
        if tag == _W + "p" or tag == _W + "tbl":
            yield child
        elif tag in _CONTAINERS:
            yield from _docx_blocks(child)


def _para_text(p) -> str:
    parts: list[str] = []

    def walk(el):
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag == _MC_FALLBACK or tag == _W + "del":
                continue
            if tag == _W + "t":
                parts.append(child.text or "")
            elif tag in (_W + "tab", _W + "ptab"):
                parts.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                parts.append("\n")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")
            else:
                walk(child)

    walk(p)
    return "\n".join(clean(x) for x in "".join(parts).split("\n") if clean(x))


def _cell_text(tc) -> str:
    """A cell's paragraphs (and line breaks) joined as one: narrow columns of the report
    tables break 商业企业 into 商业 / 企业, which must not become two words."""
    text = ""
    for block in _docx_blocks(tc):
        if block.tag == _W + "p":
            pieces = _para_text(block).split("\n")
        else:
            pieces = _docx_table(block).text_lines()
        for piece in pieces:
            if piece:
                text = join_wrapped(text, piece) if text else piece
    return clean(text)


def _docx_children(parent, tag: str):
    """The ``w:tr`` of a table or the ``w:tc`` of a row (``tag``), also inside the containers
    (content controls, custom XML) Word wraps them in."""
    for child in parent:
        if child.tag == _W + tag:
            yield child
        elif child.tag in _CONTAINERS:
            yield from _docx_children(child, tag)


def _int(value: str | None, default: int) -> int:
    try:
        return max(int(value), 0) if value is not None else default
    except ValueError:
        return default


def _docx_table(tbl) -> Table:
    cells: list[dict] = []
    above: dict[int, dict] = {}  # grid column → the cell covering it in the previous row
    n_cols = 0
    rows = list(_docx_children(tbl, "tr"))
    for r, tr in enumerate(rows):
        trpr = tr.find(_W + "trPr")
        c = _int(_w_val(trpr.find(_W + "gridBefore")) if trpr is not None else None, 0)
        header = trpr is not None and trpr.find(_W + "tblHeader") is not None and \
            _w_val(trpr.find(_W + "tblHeader"), "true") not in ("0", "false", "off")
        current: dict[int, dict] = {}
        for tc in _docx_children(tr, "tc"):
            tcpr = tc.find(_W + "tcPr")
            span = max(_int(_w_val(tcpr.find(_W + "gridSpan")) if tcpr is not None else None, 1), 1)
            vmerge = tcpr.find(_W + "vMerge") if tcpr is not None else None
            owner = above.get(c)
            if vmerge is not None and _w_val(vmerge, "continue") == "continue" and owner is not None \
                    and owner["r"] + owner["rowspan"] == r:
                owner["rowspan"] += 1
                extra = _cell_text(tc)
                if extra:
                    owner["text"] = join_wrapped(owner["text"], extra)
                cell = owner
            else:
                cell = {"r": r, "c": c, "rowspan": 1, "colspan": span, "text": _cell_text(tc), "header": header}
                cells.append(cell)
            for k in range(c, c + span):
                current[k] = cell
            c += span
        n_cols = max(n_cols, c)
        above = current
    for cell in cells:
        cell["colspan"] = max(1, min(cell["colspan"], n_cols - cell["c"]))
    return Table.from_cells(cells, len(rows), n_cols)


def parse(body: bytes) -> Extracted:
    from docx.oxml import parse_xml
    from docx.package import Package

    package = Package.open(io.BytesIO(body))
    part = package.main_document_part
    root = getattr(part, "element", None)
    if root is None:  # a content type python-docx does not map (.docm, .dotx, WPS variants)
        root = parse_xml(part.blob)
    body_el = root.find(_W + "body")
    if body_el is None:
        return Extracted.failed("docx", CORRUPT, "no w:body in word/document.xml")
    lines: list[str] = []
    tables: list[dict] = []
    for block in _docx_blocks(body_el):
        if block.tag == _W + "p":
            text = _para_text(block)
            if text:
                lines.append(text)
        else:
            table = _docx_table(block)
            tables.append(table.to_json())
            lines.extend(table.text_lines())
    return Extracted(kind="docx", text="\n".join(lines), tables=tables)

