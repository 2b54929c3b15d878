"""What the cassette builders of ``tools/`` share.

``tools/build_guangzhou_cassette.py``, ``build_panyu_cassette.py``, ``build_tongxin_cassette.py``,
``build_songyuan_cassette.py`` and ``build_hengyang_cassette.py`` each construct one vcrpy cassette
of a government portal's annual-report column and a manifest of what was put in. Each keeps what
is particular to its portal (the template surgery, the list markup, the choice of reports); this
module holds what they all do the same way:

* report bodies: paragraphs and tables (``Para``, ``Cell``, ``Table``), rebuilt from the seeds
  (``body_seed_000`` … ``body_seed_004``) and from report PDFs (``body_from_pdf``), with the
  checks that nothing of a seed was lost;
* HTML: rendering a body, exact-count string surgery on a fixed template (``sub_once``,
  ``replace_all``, ``replace_between``, ``set_meta``), list items and pager links;
* HTTP and the cassette: ``Clock``, ``ok`` (nginx-like 200), ``robots_txt``, ``dump_yaml``;
* the manifest (``manifest_report``, ``manifest``);
* checks on the written files: vcrpy load and replay (``verify_cassette``), parsing a page's body
  back (``check_body``), template leftovers, line diffs against the template, list links;
* the command line: ``parse_shared``, ``write_outputs``, ``print_interactions``, ``print_written``.

Plain functions and dataclasses; nothing here knows a particular portal.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import gzip
import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urljoin

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = "../shared"  # relative to the repository root
CST = timezone(timedelta(hours=8))


def at(text: str) -> datetime:
    """``YYYY-MM-DD HH:MM:SS`` as a time in China Standard Time."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST)


# ---------------------------------------------------------------------------------------
# Report bodies: paragraphs and tables
# ---------------------------------------------------------------------------------------

P_STYLES = ("prose", "heading", "title", "center", "right", "left")


@dataclass
class Para:
    """One body paragraph. ``style``: prose (indented), heading (bold, indented),
    title (centred, bold), center, right, left (not indented)."""

    text: str
    style: str = "prose"

    def __post_init__(self):
        assert self.style in P_STYLES, self.style
        assert self.text == self.text.strip() and self.text, repr(self.text)


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
                    assert (r + dr, c + dc) not in taken, f"overlapping cells at row {r}"
                    taken[(r + dr, c + dc)] = True
            c += cell.colspan
        while (r, c) in taken:
            c += 1
        width = c if width is None else width
        assert c == width, f"row {r} is {c} wide, not {width}: {[x.text for x in row]}"
    assert all(r < len(table.rows) for r, _ in taken), "rowspan runs past the last row"
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
    assert grid_width(table) == 4
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
        assert len(found) == 1, (pattern, header)
        return found[0]

    corner = header[0]
    assert corner.startswith(("（", "(")), corner
    applicant = pick(r"申[请請]人情[况況]")
    natural = pick(r"自然人")
    legal = pick(r"法人或其他[组組][织織]")
    total = pick(r"[总總][计計]")
    kinds = [h for h in header if h not in (corner, applicant, natural, legal, total)]
    assert len(kinds) == 5, kinds
    rows = [
        [Cell(corner, rowspan=3, colspan=3), Cell(applicant, colspan=7)],
        [Cell(natural, rowspan=2), Cell(legal, colspan=5), Cell(total, rowspan=2)],
        [Cell(k) for k in kinds],
    ]
    labels_list = [merge_bare_group(labels) for labels, _ in data]
    for i, ((_, values), labels) in enumerate(zip(data, labels_list, strict=True)):
        assert len(values) == 7 and all(is_number(v) for v in values), values
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
                assert ITEM_LABEL.match(label), label
                cells.append(Cell(label))
        rows.append(cells + [Cell(v) for v in values])
    table = Table(rows)
    assert grid_width(table) == 10
    return table


def table_review_litigation(rows: list[list[str]]) -> Table:
    """Table 四 of the template: 15 columns, 行政复议 (5) and 行政诉讼 (10) split into
    未经复议直接起诉 / 复议后起诉, four results and a total each."""
    assert [len(r) for r in rows] == [2, 7, 10, 15], [len(r) for r in rows]
    table = Table([
        [Cell(rows[0][0], colspan=5), Cell(rows[0][1], colspan=10)],
        [Cell(t, rowspan=2) for t in rows[1][:5]] + [Cell(rows[1][5], colspan=5), Cell(rows[1][6], colspan=5)],
        [Cell(t) for t in rows[2]],
        [Cell(t) for t in rows[3]],
    ])
    assert grid_width(table) == 15
    return table


def table_indicators(header: list[str], cells: list[str]) -> Table:
    """A pre-2019 附表 (指标/单位/数量 or 指标/数量) flattened one cell per line. Where a
    3-column row lacks its unit (the value follows the label directly), the unit cell is empty."""
    rows = [[Cell(h) for h in header]]
    i = 0
    while i < len(cells):
        label = cells[i]
        assert not is_number(label), f"expected a label, got {label!r}"
        if len(header) == 2:
            unit, value, i = None, cells[i + 1], i + 2
        elif is_number(cells[i + 1]):
            unit, value, i = "", cells[i + 1], i + 2
        else:
            unit, value, i = cells[i + 1], cells[i + 2], i + 3
        assert is_number(value), f"expected a number after {label!r}, got {value!r}"
        rows.append([Cell(label)] + ([] if unit is None else [Cell(unit)]) + [Cell(value)])
    table = Table(rows, word_paste=False)
    assert grid_width(table) == len(header)
    return table

# ---------------------------------------------------------------------------------------
# Seeds (cleaned text of real reports)
# ---------------------------------------------------------------------------------------

def read_text(path: Path) -> str:
    """Inputs are read as bytes and decoded explicitly."""
    return path.read_bytes().decode("utf-8")


def seed_path(shared: Path, number: str) -> Path:
    """The one file ``seeds/<number>_*.txt`` of the shared material."""
    found = sorted((shared / "seeds").glob(f"{number}_*.txt"))
    assert len(found) == 1, f"seed {number}: {found}"
    return found[0]


def stripped_lines(text: str) -> list[str]:
    """The non-blank lines of ``text``, stripped."""
    return [line.strip() for line in text.split("\n") if line.strip()]


def prose_or_heading(line: str) -> Para:
    """A seed line as a paragraph: a heading if it looks like ``一、总体情况``, else prose."""
    return Para(line, "heading" if HEADING.match(line) else "prose")


def split_row(line: str, sep: str) -> list[str]:
    """The non-empty cells of a ``sep``-separated table row, stripped."""
    return [c.strip() for c in line.split(sep) if c.strip()]


def national_tables(rows: list[list[str]]) -> Table:
    """Dispatch a group of template table rows (cells already split) to its builder."""
    first = rows[0][0]
    if first.startswith("第二十"):
        return table_article20(rows)
    if first.startswith(("行政复议", "行政復議")):
        return table_review_litigation(rows)
    header_rows = []
    while not any(is_number(c) for c in rows[len(header_rows)]):
        header_rows.append(rows[len(header_rows)])
    data = [(r[:-7], r[-7:]) for r in rows[len(header_rows):]]
    return table_applications([c for r in header_rows for c in r], data)


def body_seed_000(text: str, title: str) -> list[Block]:
    """广州市人社局 2013 (a real gz.gov.cn page as a naive extractor left it).

    Its first line is the page's h1 and the ``听全文 / date / 来源 / 分享到 / -`` and
    ``相关附件 … 关注 · 广州政府网`` lines are page chrome: the template provides them.
    附表1–4 are flattened one cell per line and rebuilt as tables."""
    lines = stripped_lines(text)
    head = [title, "• 听全文", "• 2014-03-11", "• 来源:本网", "• 分享到", "• -"]
    tail = ["相关附件", "相关新闻", "扫一扫在手机打开当前页", "-", "关注 · 广州政府网"]
    assert lines[:6] == head and lines[-5:] == tail, (lines[:6], lines[-5:])
    lines = lines[6:-5]
    blocks: list[Block] = [Para(lines[0], "center"), Para(lines[1], "center")]  # cover: agency, date
    i = 2
    while not re.match(r"^附表\d+$", lines[i]):
        blocks.append(Para(lines[i], "heading") if lines[i] == "引\xa0 言" else prose_or_heading(lines[i]))
        i += 1
    while i < len(lines):
        blocks += [Para(lines[i], "left"), Para(lines[i + 1], "title")]  # 附表N, its caption
        i += 2
        header = ["指标", "单位", "数量"] if lines[i:i + 3] == ["指标", "单位", "数量"] else ["指标", "数量"]
        assert lines[i:i + len(header)] == header, lines[i:i + 3]
        i += len(header)
        end = next((k for k in range(i, len(lines)) if re.match(r"^附表\d+$", lines[k])), len(lines))
        blocks.append(table_indicators(header, lines[i:end]))
        i = end
    return blocks


def body_seed_001(text: str) -> list[Block]:
    """同心县人社局 2023, copied from a traditional-Chinese mirror: text kept exactly, artefacts
    such as ``根據(jù)`` included. The last three lines are the source site's footer (QR line,
    主辦/承辦, ICP/網站標識碼), not the report. Tables are ``a | b | c |`` rows whose trailing
    empty cells stand for merged cells; rebuilt on the 2021 template."""
    lines = stripped_lines(text)
    footer = lines[-3:]
    assert footer[0].startswith("掃一掃") and footer[1].startswith("主辦") and "ICP" in footer[2], footer
    blocks: list[Block] = []
    group: list[list[str]] = []
    for line in lines[:-3] + [""]:
        if "|" in line:
            group.append(split_row(line, "|"))
            continue
        if group:
            blocks.append(national_tables(group))
            group = []
        if line:
            blocks.append(prose_or_heading(line))
    return blocks


def body_seed_002(text: str) -> list[Block]:
    """松原市人社局 2015: the first line is another site's breadcrumb (dropped); the title line
    opens the body, the signing date closes it. This seed holds no table."""
    lines = stripped_lines(text)
    assert lines[0].startswith("松原市政府信息公开专栏") and ">>" in lines[0], lines[0]
    lines = lines[1:]
    assert re.match(r"^\d{4}年\d{1,2}月\d{1,2}日$", lines[-1]), lines[-1]
    return [Para(lines[0], "title")] + [prose_or_heading(x) for x in lines[1:-1]] + [Para(lines[-1], "right")]


def body_seed_003(text: str) -> list[Block]:
    """衡阳市劳动和社会保障局 2008: two title lines; 附表 flattened as ``cell |`` one per line
    (a lone ``|`` is an empty cell), three columns 指标/单位/数量."""
    lines = stripped_lines(text)
    blocks: list[Block] = [Para(lines[0], "title"), Para(lines[1], "title")]
    cells: list[str] = []
    for line in lines[2:] + [""]:
        if line.endswith("|"):
            cells.append(line[:-1].strip())
            continue
        if cells:
            assert cells[:3] == ["指标", "单位", "数量"] and len(cells) % 3 == 0, cells[:6]
            rows = [cells[k:k + 3] for k in range(0, len(cells), 3)]
            table = Table([[Cell(c) for c in row] for row in rows], word_paste=False)
            assert grid_width(table) == 3
            blocks.append(table)
            cells = []
        if line:
            is_caption = re.match(r"^\d\.\S+统计$", line)
            blocks.append(Para(line, "title") if is_caption else prose_or_heading(line))
    return blocks


def body_seed_004(text: str) -> tuple[list[Block], dict]:
    """番禺区人社局 2021, the text of a PDF: sentences broken by page breaks are re-joined,
    the table header repeated on every page is dropped, tab-separated table rows are rebuilt
    on the 2021 template. Returns the blocks and a note of what was repaired."""
    lines = [line for line in text.split("\n") if line.strip()]  # trailing tabs are empty cells
    blocks: list[Block] = [Para(lines[0].strip(), "title")]
    notes = {"joined": [], "repeated_headers": 0, "dropped_cells": set()}
    group: list[list[str]] = []
    pending = ""
    for line in lines[1:] + [""]:
        if "\t" in line:
            group.append(split_row(line, "\t"))
            continue
        if group:
            blocks.append(table_from_pdf_text(group, notes))
            group = []
        if not line:
            continue
        line = line.strip()
        if pending:
            notes["joined"].append((pending, line))
            line = pending + line
            pending = ""
        if HEADING.match(line):
            blocks.append(Para(line, "heading"))
        elif not line.endswith(tuple(TERMINAL)):
            pending = line  # the paragraph goes on after a page break
        else:
            blocks.append(Para(line))
    assert not pending, pending
    return blocks, notes


def seed_004_summary(notes: dict) -> str:
    """One line on what ``body_seed_004`` repaired (its notes)."""
    return (f"seed 004: {len(notes['joined'])} page-break joins, "
            f"{notes['repeated_headers']} repeated table headers dropped")


def table_from_pdf_text(rows: list[list[str]], notes: dict) -> Table:
    """Drop the copies of table 三's header that the PDF repeats on each page, then build."""
    if any("申请人情况" in r for r in rows):
        header_runs, kept = 0, []
        k = 0
        while k < len(rows):
            if not any(is_number(c) for c in rows[k]):  # a run of header rows
                run = k
                while k < len(rows) and not any(is_number(c) for c in rows[k]):
                    k += 1
                header_runs += 1
                if header_runs == 1:
                    kept += rows[run:k]
                else:
                    notes["dropped_cells"].update(c for r in rows[run:k] for c in r)
                continue
            kept.append(rows[k])
            k += 1
        notes["repeated_headers"] += header_runs - 1
        rows = kept
    return national_tables(rows)


def check_seed_coverage(text: str, blocks: list[Block], skip: int = 0, skip_tail: int = 0,
                        dropped: set[str] = frozenset()) -> None:
    """Every seed line (bar the page chrome skipped) is a paragraph, part of a re-joined
    paragraph, or a table cell; each cell of a tab/bar-separated row is (part of) a cell,
    unless it belongs to a repeated table header that was ``dropped``."""
    lines = stripped_lines(text)
    lines = lines[skip:len(lines) - skip_tail]
    paragraphs = [b.text for b in blocks if isinstance(b, Para)]
    cells = [c.text for b in blocks if isinstance(b, Table) for row in b.rows for c in row]
    for line in lines:
        sep = "\t" if "\t" in line else ("|" if "|" in line else None)
        parts = split_row(line, sep) if sep else []
        if sep:
            for part in set(parts) - dropped:
                assert any(part == c or part in c for c in cells), f"table cell lost: {part!r}"
        else:
            assert any(line in p for p in paragraphs) or line in cells, f"line lost: {line!r}"


def placed_chars(blocks: list[Block]) -> Counter:
    """Every non-space character of the body, paragraphs and table cells."""
    placed = Counter()
    for b in blocks:
        texts = [b.text] if isinstance(b, Para) else [c.text for row in b.rows for c in row]
        placed.update(ch for t in texts for ch in t if not ch.isspace())
    return placed

# ---------------------------------------------------------------------------------------
# PDFs: paragraphs re-joined from line geometry, ruled tables rebuilt from cell geometry
# ---------------------------------------------------------------------------------------

PAGE_NUMBER = re.compile(r"^[-—–]\s*\d+\s*[-—–]$|^第\s*\d+\s*页")
LATIN = re.compile(r"[A-Za-z0-9@._\-/:]")
STRICT_LINES = {"vertical_strategy": "lines_strict", "horizontal_strategy": "lines_strict"}


def cluster(values, tol: float) -> list[float]:
    """Group sorted values no more than ``tol`` apart; the mean of each group."""
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [sum(g) / len(g) for g in groups]


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
        assert len(group) == (r1 - r0) * (c1 - c0), f"non-rectangular cell on page {page.page_number}"
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
        assert abs(xs[i] - x) <= 4
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
    assert grid_width(table) == len(xs) - 1
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

    lines = [e[3] for e in elements if e[2] == "line"]
    left = Counter(round(x["x0"]) for x in lines).most_common(1)[0][0]
    right = Counter(round(x["x1"]) for x in lines).most_common(1)[0][0]
    middle = (left + right) / 2
    assert left < middle < page_width

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
    assert placed_chars(blocks) + page_numbers == on_pages, f"{path.name}: characters lost or doubled"
    return blocks

# ---------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------

PARA_CSS = "margin-bottom: 10px; line-height: 1.75em;"
FONT = '<span style="font-family: 宋体, SimSun;">{}</span>'
INDENT = "\u3000\u3000"
CELL_P = '<p style="text-align: center;"><span style="font-family: 宋体, SimSun; font-size: 14px;">{}</span></p>'


def esc(text: str) -> str:
    """Escape text for HTML element content (quotes left as they are)."""
    return html.escape(text, quote=False)


def render_para(p: Para) -> str:
    """A paragraph in the NFCMS editor's markup (宋体, indented prose and headings)."""
    text = esc(p.text)
    if p.style == "prose":
        return f'<p style="text-align: justify; {PARA_CSS}">{FONT.format(INDENT + text)}</p>'
    if p.style == "heading":
        return f'<p style="text-align: justify; {PARA_CSS}"><strong>{FONT.format(INDENT + text)}</strong></p>'
    if p.style == "title":
        return f'<p style="text-align: center; {PARA_CSS}"><strong>{FONT.format(text)}</strong></p>'
    align = {"center": "center", "right": "right", "left": "left"}[p.style]
    return f'<p style="text-align: {align}; {PARA_CSS}">{FONT.format(text)}</p>'


def render_table(t: Table) -> str:
    """A table with its spans; Word-pasted cells hold their text in a centred ``<p>``."""
    out = ['<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse: collapse;"><tbody>']
    for row in t.rows:
        out.append("<tr>")
        for c in row:
            span = f' rowspan="{c.rowspan}"' if c.rowspan > 1 else ""
            span += f' colspan="{c.colspan}"' if c.colspan > 1 else ""
            inner = esc(c.text)
            if t.word_paste and c.text:
                inner = CELL_P.format(inner)
            out.append(f'<td{span} valign="middle" style="border: 1px solid #000000; padding: 3px;">{inner}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def render_body(blocks: list[Block]) -> str:
    """The body's HTML: its paragraphs and tables, one after the other."""
    return "".join(render_para(b) if isinstance(b, Para) else render_table(b) for b in blocks)


def plain_text(blocks: list[Block]) -> str:
    """The body as the CMS's text-to-speech copy holds it (tags stripped, no separators)."""
    out = []
    for b in blocks:
        if isinstance(b, Para):
            out.append((INDENT if b.style in ("prose", "heading") else "") + b.text)
        else:
            out.append("".join(c.text for row in b.rows for c in row))
    return "".join(out)


def sub_once(pattern: str, repl: str, text: str, count: int = 1, flags=re.S) -> str:
    """re.sub that insists on finding exactly ``count`` matches (the template is fixed)."""
    new, n = re.subn(pattern, lambda _: repl, text, flags=flags)
    assert n == count, f"{pattern!r}: {n} matches, expected {count}"
    return new


def replace_all(text: str, old: str, new: str, count: int) -> str:
    """str.replace that insists on exactly ``count`` occurrences (the template is fixed)."""
    assert text.count(old) == count, f"{old!r}: {text.count(old)} occurrences, expected {count}"
    return text.replace(old, new)


def set_meta(page: str, name: str, value: str) -> str:
    """Set the content of the page's only ``<meta name=…>`` of that name."""
    new = f'<meta name="{name}" content="{html.escape(value)}"'
    return sub_once(rf'<meta name="{name}" content="[^"]*"', new, page)

def replace_between(page: str, start: str, end: str, inner: str) -> str:
    """Replace what lies between the only occurrence of ``start`` and the next ``end``."""
    assert page.count(start) == 1, f"{start!r} occurs {page.count(start)} times"
    i = page.index(start) + len(start)
    j = page.index(end, i)
    return page[:i] + inner + page[j:]


def between(page: str, start: str, end: str) -> str:
    """What lies between the only occurrence of ``start`` and the next ``end``."""
    assert page.count(start) == 1, start
    i = page.index(start) + len(start)
    return page[i:page.index(end, i)]


def list_item(href: str, title: str, date: str | None = None) -> str:
    """A list entry ``<li><a href title>title</a><span>date</span></li>`` (no span without a date)."""
    span = f"<span>{date}</span>" if date else ""
    return f'<li><a href="{html.escape(href)}" title="{html.escape(title)}">{esc(title)}</a>{span}</li>'


def page_name(k: int, first: int = 0) -> str:
    """The file of list page ``k`` (0-based): ``index.html``, then ``index_<k + first>.html``
    (TRS numbers the second page 1, NFCMS 2)."""
    return "index.html" if k == 0 else f"index_{k + first}.html"


def pager_links(count: int, current: int) -> list[tuple[str, int]]:
    """The static pager links of page ``current`` of ``count`` (0-based) as (label, page):
    首页/上一页 unless it is the first page, 下一页/尾页 unless it is the last."""
    links = []
    if current > 0:
        links += [("首页", 0), ("上一页", current - 1)]
    if current < count - 1:
        links += [("下一页", current + 1), ("尾页", count - 1)]
    return links


def create_page_html(count: int, current: int) -> str:
    """The ``createPageHTML`` call with which the CMS draws its pager in a browser."""
    return f'<script type="text/javascript">createPageHTML({count}, {current}, "index", "html");</script>'


def split_listing(reports: list, notice: dict, first: int = 3) -> tuple[list[str], list[str], datetime]:
    """A column listed newest first over two pages (items by ``list_item``): the ``first``
    newest reports and the ``notice`` (a non-report: ``href``, ``title``, ``date``,
    ``published``) in date order on page 1, the other reports on page 2. Also returns the
    pages' Last-Modified, three minutes after the newest entry."""
    newest = sorted(reports, key=lambda r: r.published, reverse=True)
    listed = [(r.published, list_item(r.list_href, r.title, r.date)) for r in newest[:first]]
    listed.append((notice["published"], list_item(notice["href"], notice["title"], notice["date"])))
    page1 = [li for _, li in sorted(listed, key=lambda x: x[0], reverse=True)]
    page2 = [list_item(r.list_href, r.title, r.date) for r in newest[first:]]
    modified = max(newest[0].published, notice["published"]) + timedelta(minutes=3)
    return page1, page2, modified


# ---------------------------------------------------------------------------------------
# HTTP exchanges and the cassette
# ---------------------------------------------------------------------------------------

def http_date(dt: datetime) -> str:
    """An HTTP date (``Tue, 11 Mar 2025 02:14:10 GMT``)."""
    return format_datetime(dt.astimezone(timezone.utc), usegmt=True)


class Clock:
    """``Date`` header of each exchange: a few seconds apart, in crawl order."""

    def __init__(self, start: datetime):
        self.now = start

    def tick(self) -> datetime:
        self.now += timedelta(seconds=3)
        return self.now


def ok(url: str, body: bytes, content_type: str, last_modified: datetime, date: datetime,
       compress: bool = False) -> dict:
    """A 200 as nginx serves a static file: ETag ``"<mtime hex>-<size hex>"`` (weak when
    gzipped on the fly), Content-Length of the bytes on the wire."""
    etag = f'"{int(last_modified.timestamp()):x}-{len(body):x}"'
    wire = gzip.compress(body, compresslevel=1, mtime=0) if compress else body
    headers = {
        "Server": ["nginx"],
        "Date": [http_date(date)],
        "Content-Type": [content_type],
        "Content-Length": [str(len(wire))],
        "Last-Modified": [http_date(last_modified)],
        "ETag": ["W/" + etag if compress else etag],
    }
    if compress:
        headers["Content-Encoding"] = ["gzip"]
        headers["Vary"] = ["Accept-Encoding"]
    else:
        headers["Accept-Ranges"] = ["bytes"]
    return interaction(url, 200, "OK", headers, wire)


def interaction(url: str, code: int, message: str, headers: dict, wire: bytes) -> dict:
    """A vcrpy interaction. UTF-8 text bodies are stored as str (readable in the YAML),
    anything else (gzip) as bytes (``!!binary``)."""
    body: str | bytes = wire
    if "Content-Encoding" not in headers:
        with contextlib.suppress(UnicodeDecodeError):
            body = wire.decode("utf-8")
    return {"request": {"body": None, "headers": {}, "method": "GET", "uri": url},
            "response": {"status": {"code": code, "message": message}, "headers": headers, "body": {"string": body}}}


def dump_yaml(data) -> bytes:
    """The cassette as UTF-8 YAML, as vcrpy would write it (key order kept, no line folding)."""
    return yaml.dump(data, Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False,
                     width=float("inf")).encode("utf-8")

OPEN_ROBOTS = b"User-agent: *\nDisallow:\n"


def robots_txt(host: str, modified: datetime, date: datetime, body: bytes = OPEN_ROBOTS) -> dict:
    """The exchange for ``<host>/robots.txt`` (by default one that disallows nothing)."""
    return ok(host + "/robots.txt", body, "text/plain", modified, date)


def interaction_urls(interactions: list[dict]) -> set[str]:
    """The requested URLs; checks that no URL is in the cassette twice."""
    urls = [i["request"]["uri"] for i in interactions]
    assert len(urls) == len(set(urls)), "duplicate interaction"
    return set(urls)


def linked_reports(page_url: str, markup: str, by_url: dict) -> list:
    """The reports (of ``by_url``) that ``<a href>`` links in ``markup`` point to, in link order."""
    out = []
    for href in re.findall(r'<a href="([^"]+)"', markup):
        url = urljoin(page_url, href)
        if url in by_url:
            out.append(by_url[url])
    return out


# ---------------------------------------------------------------------------------------
# Manifest and output files
# ---------------------------------------------------------------------------------------


def paragraph_texts(blocks: list[Block]) -> list[str]:
    """The text of every paragraph, in order."""
    return [b.text for b in blocks if isinstance(b, Para)]


def table_texts(blocks: list[Block]) -> list[list[list[str]]]:
    """Every table as rows of cell texts, in order."""
    return [[[c.text for c in row] for row in b.rows] for b in blocks if isinstance(b, Table)]


def table_spans(blocks: list[Block]) -> list[list[list[tuple[int, int]]]]:
    """Every table as rows of (rowspan, colspan), in order."""
    return [[[(c.rowspan, c.colspan) for c in row] for row in b.rows] for b in blocks if isinstance(b, Table)]


def manifest_report(r, section: str, listed_as: str, traditional: bool = False, attachments=()) -> dict:
    """A report's manifest entry. ``r`` has ``n``, ``url``, ``title``, ``agency``, ``year``,
    ``date``, ``source`` and ``blocks``; the rest is given by the builder."""
    return {
        "n": r.n,
        "url": r.url,
        "listed_as": listed_as,
        "section": section,
        "title": r.title,
        "agency": r.agency,
        "report_year": r.year,
        "pub_date": r.date,
        "source": r.source,
        "traditional": traditional,
        "paragraphs": paragraph_texts(r.blocks),
        "tables": table_texts(r.blocks),
        "attachments": list(attachments),
    }


def manifest(column: str, reports: list[dict], non_reports: list[str], list_pages: list[str],
             file_reports: list[dict] = (), attachment_files: dict | None = None,
             encoding: dict | None = None) -> dict:
    """The ground truth of a cassette (the schema all manifests share): the column, the
    reports' entries (``manifest_report``), reports that are only a file, the attachment
    files, the listed non-reports and the list pages. ``encoding``: how a page is to be
    decoded, where the builder states it."""
    out = {"column": column}
    if encoding is not None:
        out["encoding"] = encoding
    out.update({
        "reports": reports,
        "file_reports": list(file_reports),
        "attachment_files": attachment_files or {},
        "non_reports": non_reports,
        "list_pages": list_pages,
    })
    return out


def write_outputs(cassette_out: str, data: dict, manifest_out: str, manifest_data: dict) -> Path:
    """Write the cassette (YAML) and the manifest (JSON) below the repository root; returns
    the cassette's path."""
    cassette_path = ROOT / cassette_out
    cassette_path.parent.mkdir(parents=True, exist_ok=True)
    cassette_path.write_bytes(dump_yaml(data))
    manifest_path = ROOT / manifest_out
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_bytes((json.dumps(manifest_data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return cassette_path


# ---------------------------------------------------------------------------------------
# Checks on the written files
# ---------------------------------------------------------------------------------------

class _Utf8Persister:
    """Read the cassette as UTF-8 whatever the machine's locale (vcrpy's own uses the locale)."""

    @staticmethod
    def load_cassette(cassette_path, serializer):
        from vcr.serialize import deserialize

        return deserialize(Path(cassette_path).read_bytes().decode("utf-8"), serializer)

    @staticmethod
    def save_cassette(cassette_path, cassette_dict, serializer):
        raise RuntimeError("read-only")


def verify_cassette(path: Path, interactions: list[dict]) -> None:
    """Load the cassette with vcrpy (replay only, matching method + URI) and play every
    interaction back: status, headers and body bytes must be what was written."""
    from vcr.cassette import Cassette
    from vcr.matchers import method, uri
    from vcr.request import Request

    cassette = Cassette.load(path=str(path), record_mode="none", match_on=(method, uri), persister=_Utf8Persister)
    assert len(cassette.data) == len(interactions)
    for i in interactions:
        want = i["response"]
        request = Request("GET", i["request"]["uri"], None, {})
        assert cassette.can_play_response_for(request), i["request"]["uri"]
        got = cassette.play_response(request)
        body = want["body"]["string"]
        wire = body.encode("utf-8") if isinstance(body, str) else body
        assert got["body"]["string"] == wire, f"body differs: {i['request']['uri']}"
        assert got["status"] == want["status"] and got["headers"] == want["headers"]
        assert int(want["headers"]["Content-Length"][0]) == len(wire)
    assert cassette.all_played

def squash(text: str) -> str:
    """Runs of white space as one space, trimmed."""
    return re.sub(r"\s+", " ", text).strip()


def meta_tags(doc) -> dict[str, str]:
    """``<meta name=… content=…>`` of a parsed page, by name."""
    return {e.get("name"): e.get("content") for e in doc.cssselect("meta[name]")}


FRAGMENT_SEPARATORS = r"[\s\u3000，。、“”‘’：；（）()！？]+"


def article_fragments(body: str) -> list[str]:
    """Pieces (8+ characters, split at white space and punctuation) of the text of a
    template's article ``body`` (HTML), sorted, each once: none may be left on a built page."""
    import lxml.html

    text = lxml.html.fromstring(f"<div>{body}</div>").text_content()
    return sorted({f for f in re.split(FRAGMENT_SEPARATORS, text) if len(f) >= 8})


def check_leftovers(page: str, what: str, gone) -> None:
    """None of the strings ``gone`` (traces of the template's own article) is in ``page``."""
    for leftover in gone:
        assert leftover not in page, f"template leftover {leftover!r} in {what}"


def lines_with(lines: list[str], marks, once: bool = False) -> set[int]:
    """0-based numbers of the lines holding one of ``marks``; each mark must be found (on
    exactly one line if ``once``)."""
    found = set()
    for mark in marks:
        hits = [k for k, line in enumerate(lines) if mark in line]
        assert len(hits) == 1 if once else hits, (mark, hits)
        found |= set(hits)
    return found


def diff_template_lines(old: list[str], new: list[str]) -> tuple[set[int], list[tuple[int, list[str]]]]:
    """Line diff of a page against its template: the 0-based template lines the page replaces
    or drops, and the runs of lines it inserts, as (template line before which, lines)."""
    changed, inserted = set(), []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "insert":
            inserted.append((i1, new[j1:j2]))
        elif tag != "equal":
            changed |= set(range(i1, i2))
    return changed, inserted


def read_body(container, what: str, ignore=None) -> tuple[list[str], list, list]:
    """A body element parsed back: its ``<p>`` texts, its ``<table>`` rows of ``<td>`` texts and
    their (rowspan, colspan). Any other child fails, unless ``ignore(child)`` says to skip it."""
    paragraphs, tables, spans = [], [], []
    for child in container:
        if ignore is not None and ignore(child):
            continue
        if child.tag == "p":
            paragraphs.append(child.text_content().strip())
        elif child.tag == "table":
            rows = list(child.iter("tr"))
            tables.append([[td.text_content().strip() for td in tr.findall("td")] for tr in rows])
            spans.append([[(int(td.get("rowspan", 1)), int(td.get("colspan", 1))) for td in tr.findall("td")]
                          for tr in rows])
        else:
            raise AssertionError(f"{what}: unexpected <{child.tag}> in the body")
    return paragraphs, tables, spans


def check_body(container, blocks: list[Block], entry: dict, what: str, ignore=None) -> None:
    """The body element holds exactly the manifest entry's paragraphs and table rows, in order,
    with the blocks' rowspans and colspans."""
    paragraphs, tables, spans = read_body(container, what, ignore)
    assert paragraphs == entry["paragraphs"], f"{what}: paragraphs differ"
    assert tables == entry["tables"], f"{what}: tables differ"
    assert spans == table_spans(blocks), f"{what}: rowspan/colspan differ"


def links(url: str, doc, selector: str) -> set[str]:
    """The absolute targets of the ``<a href>`` that ``selector`` picks on the page at ``url``."""
    return {urljoin(url, a.get("href")) for a in doc.cssselect(selector)}


def check_links(reachable: set[str], listed: set[str], in_cassette: set[str], non_reports: set[str],
                report_urls: set[str]) -> None:
    """Every link of the list pages (``reachable``) resolves to an interaction, except the
    non-reports, which are listed and deliberately absent; every report is listed."""
    missing = reachable - in_cassette - non_reports
    assert not missing, f"linked but not in the cassette: {missing}"
    assert non_reports <= listed and not non_reports & in_cassette
    assert report_urls <= listed, "a report is not listed"


def check_content_type(interactions: list[dict], pages: dict[str, bytes], content_type: str) -> None:
    """Every page is sent with exactly this Content-Type."""
    for i in interactions:
        if i["request"]["uri"] in pages:
            assert i["response"]["headers"]["Content-Type"] == [content_type]


def assert_undecodable(raw: bytes, encoding: str, what: str) -> None:
    """``raw`` does not decode as ``encoding`` (a client that trusts that declaration fails)."""
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        pass
    else:
        raise AssertionError(f"{what} decodes as {encoding}")


# ---------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------


def parse_shared(doc: str, argv=None) -> Path:
    """Parse a builder's command line (``--shared PATH``, relative to the repository root);
    ``doc``: the builder's docstring, whose first paragraph describes it."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--shared", default=DEFAULT_SHARED,
                        help="the shared material; a relative path is taken from the repository root "
                             "(default %(default)s)")
    args = parser.parse_args(argv)
    return (ROOT / args.shared).resolve()


def print_interactions(interactions: list[dict], header: str = "Content-Type", width: int = 26) -> None:
    """One line per exchange: status, the ``header`` (``-`` if absent), Content-Length, URL."""
    for i in interactions:
        headers = i["response"]["headers"]
        print(f'{i["response"]["status"]["code"]} {headers.get(header, ["-"])[0]:{width}} '
              f'{headers["Content-Length"][0]:>7}  {i["request"]["uri"]}')


def print_written(cassette_out: str, cassette_path: Path, interactions: list[dict], manifest_out: str,
                  reports: list) -> None:
    """The closing line: what was written."""
    print(f"wrote {cassette_out} ({cassette_path.stat().st_size} bytes, {len(interactions)} interactions) "
          f"and {manifest_out} ({len(reports)} reports)")
