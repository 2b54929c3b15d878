"""Tables that reached us as text, made grids again, so that the same finders read them.

Three shapes are seen (docs/portals.md, the seed documents):

``rows``   one table row per line, cells separated by tabs (text of a PDF) or by ``|`` (the
           archive's own text rendering of a grid, and copies of it);
``cells``  one cell per line (a page whose table markup was lost), optionally ending in ``|``;
           a line that is only ``|`` is an empty cell.

A block is a run of such lines; blank lines do not end it (a PDF page break leaves them inside a
table), a line of prose does. Row lines are aligned on their *last* non-empty cell, because the
cells a flattening loses are the empty ones on the left (the label's spanned columns), never the
values. One-cell-per-line blocks are cut into rows by the values: a run of number cells closes a
row; the label cell just before it (and a unit after the label: 条, 件, 人次) is the row's label,
label cells before that are a header row of their own.
"""

from __future__ import annotations

import unicodedata

from ..tables import Table
from .values import is_unit, looks_numeric

_MAX_CELL = 80  # a cell line longer than this is prose
_SENTENCE_END = ("。", "；", "！", "？")


def _split(line: str) -> list[str] | None:
    """The cells of a row line, or None for a line that is not one."""
    if "\t" in line:
        cells = [c.strip() for c in line.split("\t")]
    elif line.count("|") >= 2 or (line.count("|") == 1 and not line.rstrip().endswith("|")):
        cells = [c.strip() for c in line.split("|")]
    else:
        return None
    while cells and not cells[-1]:
        cells.pop()
    return cells or None  # the separators make it a row, however many cells it kept


def _cell_line(line: str) -> str | None:
    """The text of a one-cell line (``''`` for an empty cell), or None for prose."""
    text = line.strip()
    if text.endswith("|"):
        text = text[:-1].strip()
    elif len(text) > _MAX_CELL or text.endswith(_SENTENCE_END):
        return None
    return text if len(text) <= _MAX_CELL else None


_PAGE_FURNITURE = 12  # a line this short between two row lines is a page number or running head


def _blocks(text: str):
    """(shape, items) runs of the text: rows as lists of cells, or cells as strings. A short
    line between row lines (a page number, a running head at a page break) does not end a run
    of rows; it is dropped."""
    shape, items, held = None, [], []
    for line in [*text.splitlines(), None]:  # None: the end
        if line is not None and not line.strip():
            continue
        cells = _split(line) if line is not None else None
        if line is not None and shape == "rows" and cells is None and len(line.strip()) <= _PAGE_FURNITURE \
                and len(held) < 2:
            held.append(line)
            continue
        if held and not cells:  # the held lines were not page furniture: cells of their own
            yield from _flush(shape, items)
            shape, items = "cells", [c for c in map(_cell_line, held) if c is not None]
        held = []
        if line is None:
            break
        kind = "rows" if cells else ("cells" if _cell_line(line) is not None else None)
        if kind != shape:
            yield from _flush(shape, items)
            shape = kind
        if kind == "rows":
            items.append(cells)
        elif kind == "cells":
            items.append(_cell_line(line))
    yield from _flush(shape, items)


def _flush(shape, items):
    if shape and items:
        yield shape, list(items)
        items.clear()



def _rows_from_cells(cells: list[str]) -> list[list[str]]:
    rows, labels, values = [], [], []

    def close():
        if values:
            head = labels[:]
            own = [head.pop()] if head else []
            if own and is_unit(own[0]) and head:
                own.insert(0, head.pop())
            if head:
                rows.append(head)
            rows.append(own + values)
        elif labels:
            rows.append(labels[:])

    for cell in cells:
        number = looks_numeric(cell) and (cell != "" or bool(labels) or bool(values))
        if number:
            values.append(cell)
        else:
            if values:
                close()
                labels, values = [], []
            labels.append(cell)
    close()
    return rows


def _grid(rows: list[list[str]], shape: str) -> dict:
    width = max(len(r) for r in rows)
    cells = []
    for r, row in enumerate(rows):
        # value rows aligned on their last cell; rows of words only (headers, a group's own
        # row) from the left, so that no word lands in a value column
        offset = width - len(row) if any(c and looks_numeric(c) for c in row) else 0
        for j, text in enumerate(row):  # empty cells too: an empty value cell is a null
            cells.append({"r": r, "c": offset + j, "rowspan": 1, "colspan": 1, "text": text, "header": False})
    out = Table.from_cells(cells, len(rows), width).to_json()
    out["flattened"] = shape
    return out


def tables_from_text(text: str, min_numbers: int = 3) -> list[dict]:
    """The tables flattened into ``text``, as grids (``Table.to_json()`` plus ``"flattened"``:
    the shape they were read from); blocks with fewer than ``min_numbers`` number cells are
    prose that looked like cells, not tables."""
    out = []
    for shape, items in _blocks(unicodedata.normalize("NFC", text or "")):
        rows = items if shape == "rows" else _rows_from_cells(items)
        numbers = sum(1 for row in rows for c in row if c and looks_numeric(c))
        if rows and numbers >= min_numbers:
            out.append(_grid(rows, shape))
    return out

