"""HTML tables → grids with rowspan and colspan resolved.

trafilatura renders tables as text but ignores rowspan, so cells of the standard report
tables (三、本年度办理结果 spans 20 rows) shift columns. Here the HTML ``<table>`` itself is
read: every cell kept, in document order, with its position and span, plus a dense grid in
which a spanning cell's text stands in every position it covers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_WS = re.compile(r"[ \t\r\n\f\v\u00a0\u3000\u200b\ufeff]+")
_MAX_SPAN = 1000  # malformed pages write rowspan="999999"; never let that blow up memory


BLOCK_TAGS = frozenset("p div br li ul ol h1 h2 h3 h4 h5 h6 table tr td th section article".split())


def cell_text(el) -> str:
    """Visible text of a cell: inline markup joined as is, block children and <br> as spaces."""
    return _WS.sub(" ", "".join(_itertext_visible(el))).strip()


def _itertext_visible(el):
    if el.text:
        yield el.text
    for child in el:
        if isinstance(child.tag, str) and child.tag not in ("script", "style"):
            block = child.tag in BLOCK_TAGS
            if block:
                yield " "
            yield from _itertext_visible(child)
            if block:
                yield " "
        if child.tail:
            yield child.tail


def _span(el, name: str) -> int:
    raw = (el.get(name) or "1").strip()
    m = re.match(r"\d+", raw)
    if not m:
        return 1
    return max(1, min(int(m.group()), _MAX_SPAN))


@dataclass
class Table:
    cells: list[dict] = field(default_factory=list)  # {r, c, rowspan, colspan, text, header}
    rows: list[list[str]] = field(default_factory=list)  # cell texts per HTML row, as written
    n_rows: int = 0
    n_cols: int = 0

    def grid(self) -> list[list[str]]:
        g = [["" for _ in range(self.n_cols)] for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell["r"], min(cell["r"] + cell["rowspan"], self.n_rows)):
                for c in range(cell["c"], min(cell["c"] + cell["colspan"], self.n_cols)):
                    g[r][c] = cell["text"]
        return g

    @classmethod
    def from_cells(cls, cells: list[dict], n_rows: int, n_cols: int) -> "Table":
        """A table from positioned cells (files: PDF boxes, DOCX grids, sheets); ``rows`` are the
        cells that start in each row, left to right."""
        by_row: list[list[str]] = [[] for _ in range(n_rows)]
        for cell in sorted(cells, key=lambda c: (c["r"], c["c"])):
            by_row[cell["r"]].append(cell["text"])
        return cls(cells=cells, rows=by_row, n_rows=n_rows, n_cols=n_cols)

    def text_lines(self) -> list[str]:
        """One line per table row, whatever the table came from: the cells that start in the row,
        as written — empty ones included, so that a value keeps its column — joined by ' | '.
        A row with no text at all is no line."""
        return [" | ".join(row) for row in self.rows if any(row)]

    def to_json(self) -> dict:
        return {
            "n_rows": self.n_rows,
            "n_cols": self.n_cols,
            "cells": self.cells,
            "grid": self.grid(),
        }


def _own_rows(table_el):
    """The <tr> of this table, not of tables nested in its cells."""
    for tr in table_el.iter("tr"):
        parent = tr.getparent()
        while parent is not None and parent.tag != "table":
            parent = parent.getparent()
        if parent is table_el:
            yield tr


def parse_table(table_el) -> Table:
    t = Table()
    occupied: dict[tuple[int, int], bool] = {}
    r = 0
    for tr in _own_rows(table_el):
        c = 0
        row_texts: list[str] = []
        for cell in tr:
            if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                continue
            while occupied.get((r, c)):
                c += 1
            rowspan, colspan = _span(cell, "rowspan"), _span(cell, "colspan")
            text = cell_text(cell)
            t.cells.append(
                {"r": r, "c": c, "rowspan": rowspan, "colspan": colspan, "text": text, "header": cell.tag == "th"}
            )
            row_texts.append(text)
            for dr in range(rowspan):
                for dc in range(colspan):
                    occupied[(r + dr, c + dc)] = True
            c += colspan
            t.n_cols = max(t.n_cols, c)
        t.rows.append(row_texts)
        r += 1
    # rowspans reaching past the last <tr> do not create rows
    t.n_rows = r
    for cell in t.cells:
        cell["rowspan"] = min(cell["rowspan"], t.n_rows - cell["r"])
        cell["colspan"] = min(cell["colspan"], t.n_cols - cell["c"])
    return t


# --- storage: each cell once, the grid derived ------------------------------------------------
# A table as ``Table.to_json()`` gives it holds every cell as a dict ({r, c, rowspan, colspan,
# text, header}) and a dense grid in which a spanning cell's text is repeated; most of that JSON
# is key names and repeats. The archive stores each cell once, as a list — ``[r, c, text]``, with
# ``rowspan, colspan`` when either is not 1, and ``1`` after them for a header cell — and the
# grid is derived when the table is read. ``pack_tables`` and ``unpack_tables`` are inverses:
# a table that is not exactly what ``Table`` makes (other keys, a grid that differs from the one
# its cells give) is stored as it is.
_CELL_KEYS = ("r", "c", "rowspan", "colspan", "text", "header")
_TABLE_KEYS = ("n_rows", "n_cols", "cells", "grid")


def _grid(cells: list[dict], n_rows: int, n_cols: int) -> list[list[str]]:
    return Table(cells=cells, n_rows=n_rows, n_cols=n_cols).grid()


def _pack_cell(cell: dict) -> list | None:
    if tuple(cell) != _CELL_KEYS:
        return None
    r, c, rowspan, colspan, text, header = (cell[k] for k in _CELL_KEYS)
    if not all(type(v) is int for v in (r, c, rowspan, colspan)) or type(text) is not str or type(header) is not bool:
        return None
    if header:
        return [r, c, text, rowspan, colspan, 1]
    if rowspan != 1 or colspan != 1:
        return [r, c, text, rowspan, colspan]
    return [r, c, text]


def pack_table(table):
    """One table as stored (see above); anything else unchanged."""
    if not isinstance(table, dict) or tuple(table) != _TABLE_KEYS or not isinstance(table["cells"], list):
        return table
    n_rows, n_cols = table["n_rows"], table["n_cols"]
    if type(n_rows) is not int or type(n_cols) is not int:
        return table
    cells = [_pack_cell(c) if isinstance(c, dict) else None for c in table["cells"]]
    if any(c is None for c in cells) or _grid(table["cells"], n_rows, n_cols) != table["grid"]:
        return table
    return {"n_rows": n_rows, "n_cols": n_cols, "cells": cells}


def unpack_table(table):
    """A stored table as ``Table.to_json()`` gave it."""
    if not isinstance(table, dict) or "grid" in table or not isinstance(table.get("cells"), list) or \
            not all(isinstance(c, list) for c in table["cells"]):
        return table
    cells = []
    for c in table["cells"]:
        r, col, text = c[0], c[1], c[2]
        rowspan, colspan = (c[3], c[4]) if len(c) > 3 else (1, 1)
        cells.append({"r": r, "c": col, "rowspan": rowspan, "colspan": colspan, "text": text,
                      "header": len(c) > 5 and bool(c[5])})
    return {"n_rows": table["n_rows"], "n_cols": table["n_cols"], "cells": cells,
            "grid": _grid(cells, table["n_rows"], table["n_cols"])}


def pack_tables(tables):
    return [pack_table(t) for t in tables] if isinstance(tables, list) else tables


def unpack_tables(tables):
    return [unpack_table(t) for t in tables] if isinstance(tables, list) else tables
