"""Report bodies: paragraphs and tables (``Para``, ``Cell``, ``Table``) and the builders of the
tables of the national report templates (第二十条 items, applications, review and litigation, the
pre-2019 附表 of indicators), each checked to tile a rectangular grid."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .base import check


P_STYLES = ("prose", "heading", "title", "center", "right", "left")


@dataclass
class Para:
    """One body paragraph. ``style``: prose (indented), heading (bold, indented),
    title (centred, bold), center, right, left (not indented)."""

    text: str
    style: str = "prose"

    def __post_init__(self):
        check(self.style in P_STYLES, f"unknown paragraph style {self.style!r}")
        check(self.text == self.text.strip() and self.text, f"paragraph text empty or not stripped: {self.text!r}")


@dataclass
class Cell:
    """A table cell: its text and how many rows and columns it spans."""

    text: str
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Table:
    """HTML rows of cells; ``word_paste`` puts each cell's text in a ``<p>`` as Word does."""

    rows: list[list[Cell]]
    word_paste: bool = True


Block = Para | Table

HEADING = re.compile(r"^[一二三四五六七八九十]+、[^。；，,]{1,24}$")  # 一、总体情况 (short, no sentence)
NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?$")
TOP_LABEL = re.compile(r"^[一二三四五六七八九十]+、")
GROUP_LABEL = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
BARE_GROUP = re.compile(r"^[（(][一二三四五六七八九十]+[）)]$")
ITEM_LABEL = re.compile(r"^\d+\s*[.、．]")
TERMINAL = "。！？：；…”"


def is_number(text: str) -> bool:
    """A table value: digits, thousands commas, an optional sign and decimals."""
    return bool(NUMBER.match(text))


def grid_width(table: Table) -> int:
    """Check that the cells tile a rectangular grid exactly; return its width."""
    taken: dict[tuple[int, int], bool] = {}
    width = None
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    check((r + dr, c + dc) not in taken, f"overlapping cells at row {r}")
                    taken[(r + dr, c + dc)] = True
            c += cell.colspan
        while (r, c) in taken:
            c += 1
        width = c if width is None else width
        check(c == width, f"row {r} is {c} wide, not {width}: {[x.text for x in row]}")
    check(all(r < len(table.rows) for r, _ in taken), "rowspan runs past the last row")
    return width


def table_article20(rows: list[list[str]]) -> Table:
    """Table 二 of the 2019/2021 template (第二十条 items), 4 columns:
    a 第二十条第（X）项 row spans all 4; a two-cell row has its value spanning 3."""
    out = []
    for cells in rows:
        if len(cells) == 1:
            out.append([Cell(cells[0], colspan=4)])
        elif len(cells) == 2:
            out.append([Cell(cells[0]), Cell(cells[1], colspan=3)])
        elif len(cells) == 4:
            out.append([Cell(c) for c in cells])
        else:
            raise ValueError(f"unexpected 第二十条 row: {cells}")
    table = Table(out)
    check(grid_width(table) == 4, "table 二 (第二十条) is not 4 columns wide")
    return table


def merge_bare_group(labels: list[str]) -> list[str]:
    """A group label split by PDF text extraction (``其他处理`` + ``(六)``) back into one
    cell, enumerator first as the template writes it: ``(六) 其他处理``."""
    for i, label in enumerate(labels):
        if BARE_GROUP.match(label):
            j = next(k for k, other in enumerate(labels) if k != i and not ITEM_LABEL.match(other)
                     and not TOP_LABEL.match(other))
            merged = f"{label} {labels[j]}"
            rest = [x for k, x in enumerate(labels) if k not in (i, j)]
            pos = min(i, j)
            return rest[:pos] + [merged] + rest[pos:]
    return labels


def table_applications(header: list[str], data: list[tuple[list[str], list[str]]]) -> Table:
    """Table 三 of the 2021 template: 3 label columns + 7 applicant columns.

    ``header``: the header cell texts in any order (corner note, 申请人情况, 自然人,
    法人或其他组织, 总计, the five kinds of organisation). ``data``: (labels, 7 values) per row;
    labels are a top-level item (一、二、三、四、), a group (（一）…（七）) and/or an item (1. …).
    Spans follow the template: 三、本年度办理结果 spans all its rows, each group its items,
    a group without items spans the two label columns, a top-level row all three.
    """
    def pick(pattern: str) -> str:
        found = [h for h in header if re.fullmatch(pattern, h)]
        check(len(found) == 1, f"table 三 header: {len(found)} cells match {pattern!r}, expected 1: {header}")
        return found[0]

    corner = header[0]
    check(corner.startswith(("（", "(")), f"table 三 header: the corner note {corner!r} does not open with a bracket")
    applicant = pick(r"申[请請]人情[况況]")
    natural = pick(r"自然人")
    legal = pick(r"法人或其他[组組][织織]")
    total = pick(r"[总總][计計]")
    kinds = [h for h in header if h not in (corner, applicant, natural, legal, total)]
    check(len(kinds) == 5, f"table 三 header: {len(kinds)} kinds of organisation, expected 5: {kinds}")
    rows = [
        [Cell(corner, rowspan=3, colspan=3), Cell(applicant, colspan=7)],
        [Cell(natural, rowspan=2), Cell(legal, colspan=5), Cell(total, rowspan=2)],
        [Cell(k) for k in kinds],
    ]
    labels_list = [merge_bare_group(labels) for labels, _ in data]
    for i, ((_, values), labels) in enumerate(zip(data, labels_list, strict=True)):
        check(len(values) == 7 and all(is_number(v) for v in values),
              f"table 三 row {i}: expected 7 numbers, got {values}")
        cells = []
        for label in labels:
            if TOP_LABEL.match(label) and len(labels) == 1:
                cells.append(Cell(label, colspan=3))
            elif TOP_LABEL.match(label):  # 三、本年度办理结果: down to the row before 四、
                span = next(k for k in range(i + 1, len(data)) if TOP_LABEL.match(labels_list[k][0])) - i
                cells.append(Cell(label, rowspan=span))
            elif GROUP_LABEL.match(label) and label is labels[-1]:  # group without items
                cells.append(Cell(label, colspan=2))
            elif GROUP_LABEL.match(label):
                span = 1
                while (i + span < len(data) and not GROUP_LABEL.match(labels_list[i + span][0])
                       and not TOP_LABEL.match(labels_list[i + span][0])):
                    span += 1
                cells.append(Cell(label, rowspan=span))
            else:
                check(ITEM_LABEL.match(label), f"table 三 row {i}: not a top-level, group or item label: {label!r}")
                cells.append(Cell(label))
        rows.append(cells + [Cell(v) for v in values])
    table = Table(rows)
    check(grid_width(table) == 10, "table 三 is not 10 columns wide")
    return table


def table_review_litigation(rows: list[list[str]]) -> Table:
    """Table 四 of the template: 15 columns, 行政复议 (5) and 行政诉讼 (10) split into
    未经复议直接起诉 / 复议后起诉, four results and a total each."""
    check([len(r) for r in rows] == [2, 7, 10, 15],
          f"table 四: row widths {[len(r) for r in rows]}, expected [2, 7, 10, 15]")
    table = Table([
        [Cell(rows[0][0], colspan=5), Cell(rows[0][1], colspan=10)],
        [Cell(t, rowspan=2) for t in rows[1][:5]] + [Cell(rows[1][5], colspan=5), Cell(rows[1][6], colspan=5)],
        [Cell(t) for t in rows[2]],
        [Cell(t) for t in rows[3]],
    ])
    check(grid_width(table) == 15, "table 四 is not 15 columns wide")
    return table


def table_indicators(header: list[str], cells: list[str]) -> Table:
    """A pre-2019 附表 (指标/单位/数量 or 指标/数量) flattened one cell per line. Where a
    3-column row lacks its unit (the value follows the label directly), the unit cell is empty."""
    rows = [[Cell(h) for h in header]]
    i = 0
    while i < len(cells):
        label = cells[i]
        check(not is_number(label), f"expected a label, got {label!r}")
        if len(header) == 2:
            unit, value, i = None, cells[i + 1], i + 2
        elif is_number(cells[i + 1]):
            unit, value, i = "", cells[i + 1], i + 2
        else:
            unit, value, i = cells[i + 1], cells[i + 2], i + 3
        check(is_number(value), f"expected a number after {label!r}, got {value!r}")
        rows.append([Cell(label)] + ([] if unit is None else [Cell(unit)]) + [Cell(value)])
    table = Table(rows, word_paste=False)
    check(grid_width(table) == len(header), f"附表 is not {len(header)} columns wide")
    return table
