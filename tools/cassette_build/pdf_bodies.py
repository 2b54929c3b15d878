"""Report PDFs as body blocks: paragraphs re-joined from line geometry, ruled tables rebuilt from
cell geometry (``body_from_pdf``), checked to place every character of the pages exactly once."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from archive.files.pdf_layout import cluster

from .base import check
from .bodies import GROUP_LABEL, HEADING, ITEM_LABEL, TOP_LABEL, Block, Cell, Para, Table, grid_width, is_number
from .seeds import placed_chars


PAGE_NUMBER = re.compile(r"^[-—–]\s*\d+\s*[-—–]$|^第\s*\d+\s*页")
LATIN = re.compile(r"[A-Za-z0-9@._\-/:]")
STRICT_LINES = {"vertical_strategy": "lines_strict", "horizontal_strategy": "lines_strict"}


def join_chars(chars: list[dict]) -> str:
    """Concatenate one line's characters. The PDFs contain no space characters; the gaps
    pdfplumber would turn into spaces (``2024 年``) are typesetting, so none is inserted —
    except between two Latin/digit runs that are really apart."""
    out, prev = [], None
    for c in chars:
        if prev and LATIN.match(prev["text"]) and LATIN.match(c["text"]) and c["x0"] - prev["x1"] > 0.3 * c["size"]:
            out.append(" ")
        out.append(c["text"])
        prev = c
    return "".join(out)


def text_lines(chars: list[dict], tol: float = 3) -> list[list[dict]]:
    """Characters grouped into lines (tops within ``tol``), each sorted left to right."""
    rows: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if rows and abs(c["top"] - rows[-1][0]["top"]) <= tol:
            rows[-1].append(c)
        else:
            rows.append([c])
    return [sorted(r, key=lambda c: c["x0"]) for r in rows]


def centre_inside(obj: dict, box) -> bool:
    """Whether the centre of a pdfplumber object lies in ``box`` (x0, top, x1, bottom)."""
    x0, top, x1, bottom = box
    return x0 <= (obj["x0"] + obj["x1"]) / 2 <= x1 and top <= (obj["top"] + obj["bottom"]) / 2 <= bottom


@dataclass
class Fragment:
    """The part of a ruled table on one page: boundaries and cells in grid coordinates."""

    page: int
    bbox: tuple
    xs: list[float]
    ys: list[float]
    cells: list[dict] = field(default_factory=list)  # r0, r1, c0, c1, text


def table_fragment(page, found) -> Fragment:
    """Rebuild one table fragment from the ruling lines.

    Boundaries come from pdfplumber's cells and the rules themselves; two neighbouring grid
    positions belong to one cell unless a rule separates them, so rowspan/colspan follow the
    drawing. A table cut by a page break may lack its closing rule: the fragment then extends
    to where its vertical rules end."""
    rules = page.lines
    xs = cluster([c[0] for c in found.cells] + [c[2] for c in found.cells], 4)
    verticals = [v for v in rules if abs(v["x0"] - v["x1"]) < 1 and xs[0] - 2 <= v["x0"] <= xs[-1] + 2
                 and v["bottom"] > found.bbox[1] and v["top"] < found.bbox[3]]
    top = min([found.bbox[1]] + [v["top"] for v in verticals])
    bottom = max([found.bbox[3]] + [v["bottom"] for v in verticals])
    horizontals = [h for h in rules if abs(h["top"] - h["bottom"]) < 1 and top - 2 <= h["top"] <= bottom + 2
                   and h["x1"] > xs[0] and h["x0"] < xs[-1]]
    ys = cluster([c[1] for c in found.cells] + [c[3] for c in found.cells]
                 + [h["top"] for h in horizontals] + [top, bottom], 2)

    def ruled_h(y, xa, xb):
        xm = (xa + xb) / 2
        return any(abs(h["top"] - y) <= 2 and h["x0"] - 2 <= xm <= h["x1"] + 2 for h in horizontals)

    def ruled_v(x, ya, yb):
        ym = (ya + yb) / 2
        return any(abs(v["x0"] - x) <= 2 and v["top"] - 2 <= ym <= v["bottom"] + 2 for v in verticals)

    nr, nc = len(ys) - 1, len(xs) - 1
    parent = {(r, c): (r, c) for r in range(nr) for c in range(nc)}

    def root(p):
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not ruled_v(xs[c + 1], ys[r], ys[r + 1]):
                parent[root((r, c + 1))] = root((r, c))
            if r + 1 < nr and not ruled_h(ys[r + 1], xs[c], xs[c + 1]):
                parent[root((r + 1, c))] = root((r, c))
    members: dict = {}
    for p in parent:
        members.setdefault(root(p), []).append(p)
    frag = Fragment(page.page_number, (xs[0], ys[0], xs[-1], ys[-1]), xs, ys)
    for group in members.values():
        r0, r1 = min(r for r, _ in group), max(r for r, _ in group) + 1
        c0, c1 = min(c for _, c in group), max(c for _, c in group) + 1
        check(len(group) == (r1 - r0) * (c1 - c0), f"non-rectangular cell on page {page.page_number}")
        box = (xs[c0], ys[r0], xs[c1], ys[r1])
        inside = [ch for ch in page.chars if centre_inside(ch, box) and not ch["text"].isspace()]
        text = "".join(join_chars(line) for line in text_lines(inside))
        frag.cells.append({"r0": r0, "r1": r1, "c0": c0, "c1": c1, "text": text})
    return frag


def merge_fragments(frags: list[Fragment]) -> Table:
    """Join the fragments of one table split over pages into one HTML table.

    Columns are unified across pages. A cell split by the page break (a label whose text
    continues on the next page, or the empty continuation of a vertically merged label) is
    joined with the cell above it when both have the same columns, both have a label to their
    right in their row, and the lower part is empty or not a new numbered/enumerated label."""
    xs = cluster([x for f in frags for x in f.xs], 4)

    def col(x):
        i = min(range(len(xs)), key=lambda k: abs(xs[k] - x))
        check(abs(xs[i] - x) <= 4, f"x = {x} is more than 4 from every column boundary")
        return i

    cells, offset, previous_last = [], 0, []
    for f in frags:
        nrows = len(f.ys) - 1
        mapped = [dict(c, r0=c["r0"] + offset, r1=c["r1"] + offset, c0=col(f.xs[c["c0"]]), c1=col(f.xs[c["c1"]]))
                  for c in f.cells]
        first_row = [c for c in mapped if c["r0"] == offset]
        for low in first_row:
            up = next((c for c in previous_last if (c["c0"], c["c1"]) == (low["c0"], low["c1"])), None)
            if up and has_label_right(up, previous_last) and has_label_right(low, first_row) and (
                    not low["text"] or not (is_number(low["text"]) or TOP_LABEL.match(low["text"])
                                            or GROUP_LABEL.match(low["text"]) or ITEM_LABEL.match(low["text"]))):
                up["r1"] = low["r1"]
                up["text"] += low["text"]
                mapped.remove(low)
        cells += mapped
        offset += nrows
        previous_last = [c for c in cells if c["r1"] == offset]
    rows = [[Cell(c["text"], c["r1"] - c["r0"], c["c1"] - c["c0"])
             for c in sorted(cells, key=lambda c: c["c0"]) if c["r0"] == r] for r in range(offset)]
    table = Table(rows)
    check(grid_width(table) == len(xs) - 1, "the merged table is not as wide as its column boundaries")
    return table


def has_label_right(cell: dict, row: list[dict]) -> bool:
    """Whether a non-numeric, non-empty cell of ``row`` lies to the right of ``cell``."""
    return any(o["c0"] >= cell["c1"] and o["text"] and not is_number(o["text"]) for o in row)


def body_from_pdf(path: Path) -> list[Block]:
    """Paragraphs and tables of a report PDF, in reading order.

    Page numbers (``- 1 -``) are dropped; a paragraph starts at an indented or centred line,
    after a short line or a table, and otherwise runs on across line and page breaks.
    Consecutive table fragments (the end of one page, the top of the next, nothing between)
    are one table. Checked at the end: the characters placed are exactly the characters on
    the pages, page numbers aside."""
    elements, on_pages, page_numbers, page_width = pdf_elements(path)
    lines = [e[3] for e in elements if e[2] == "line"]
    left = Counter(round(x["x0"]) for x in lines).most_common(1)[0][0]
    right = Counter(round(x["x1"]) for x in lines).most_common(1)[0][0]
    middle = (left + right) / 2
    check(left < middle < page_width, f"body margins {left}-{right} do not fit the page width {page_width}")
    blocks = blocks_from_elements(elements, left, right, middle)
    check(placed_chars(blocks) + page_numbers == on_pages, f"{path.name}: characters lost or doubled")
    return blocks


def pdf_elements(path: Path) -> tuple[list[tuple], Counter, Counter, float]:
    """The text lines and table fragments of a PDF's pages as (page, top, kind, payload), in
    reading order (a line's payload: text, x0, x1 and its most common font size); also the
    characters on the pages, those of the page numbers (``- 1 -``, dropped) and the page width."""
    import pdfplumber  # only this step needs it

    elements = []  # (page, top, kind, payload)
    on_pages, page_numbers = Counter(), Counter()
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page = page.dedupe_chars()
            on_pages.update(c["text"] for c in page.chars if not c["text"].isspace())
            frags = [table_fragment(page, t) for t in page.find_tables(STRICT_LINES)]
            frags = [f for f in frags if len(f.xs) > 2]  # one-column "tables" are boxed text lines
            for f in frags:
                elements.append((page.page_number, f.bbox[1], "table", f))
            chars = [c for c in page.chars if not c["text"].isspace()
                     and not any(centre_inside(c, f.bbox) for f in frags)]
            for line in text_lines(chars):
                text = join_chars(line)
                if PAGE_NUMBER.match(text):
                    page_numbers.update(ch for ch in text if not ch.isspace())
                    continue
                size = Counter(round(c["size"]) for c in line).most_common(1)[0][0]
                elements.append((page.page_number, line[0]["top"], "line",
                                 {"text": text, "x0": line[0]["x0"], "x1": line[-1]["x1"], "size": size}))
        page_width = pdf.pages[0].width
    elements.sort(key=lambda e: (e[0], e[1]))
    return elements, on_pages, page_numbers, page_width


def blocks_from_elements(elements: list[tuple], left: float, right: float, middle: float) -> list[Block]:
    """Paragraphs and tables from the elements of ``pdf_elements``, given the body's usual left
    and right edges and its middle (see ``body_from_pdf``)."""
    blocks: list[Block] = []
    para: dict | None = None
    fragments: list[Fragment] = []

    def close_para():
        nonlocal para
        if para:
            text = para["text"]
            style = "title" if para["centred"] else ("heading" if HEADING.match(text) else "prose")
            blocks.append(Para(text, style))
            para = None

    def close_table():
        if fragments:
            blocks.append(merge_fragments(fragments))
            fragments.clear()

    previous = (0, "")
    for page_no, _, kind, item in elements:
        if kind == "table":
            close_para()
            # a fragment continues the previous one if it opens the next page right after it
            if fragments and previous != (page_no - 1, "table"):
                close_table()
            fragments.append(item)
        else:
            close_table()
            size = item["size"]
            centred = (abs((item["x0"] + item["x1"]) / 2 - middle) < size
                       and item["x0"] > left + 2 * size and item["x1"] < right - 2 * size)
            indented = item["x0"] > left + 0.9 * size
            if para and centred and para["centred"] and size == para["size"]:
                starts = False  # the next line of a centred title
            else:
                starts = (para is None or indented or centred or para["centred"] or size != para["size"]
                          or para["last_x1"] < right - 1.5 * size)
            if starts:
                close_para()
                para = {"text": "", "centred": centred, "size": size}
            para["text"] += item["text"]
            para["last_x1"] = item["x1"]
        previous = (page_no, kind)
    close_para()
    close_table()
    return blocks
