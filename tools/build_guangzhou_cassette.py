#!/usr/bin/env python3
"""Construct ``cassettes/guangzhou.yaml`` and ``tests/data/guangzhou_manifest.json``.

The cassette is a vcrpy (version 1) replay of the gz.gov.cn 政府信息公开年报 column
(``/zfjgzy/gzsrmzfbgt/zfxxgknb/``). It is CONSTRUCTED, not recorded: no live site can be
reached from our machines. What is real and what is made up:

* real: the gz.gov.cn detail-page template (a saved copy of a real gz.gov.cn article page,
  ``corpus/raw/mhxqwer-jchgz.gov.cn/index.html``, see ``corpus/raw/MANIFEST.tsv``) and the
  report texts (the seeds in ``seeds/`` and two report PDFs in ``corpus/raw/``);
* constructed: the list pages, robots.txt, post ids (except ``post_4437743``), publication
  times, HTTP headers, and the placement of the reports in the column.

The manifest is the ground truth of what was put in: for every report its URL, metadata,
every body paragraph and every table row exactly as written into the HTML.

Usage (from the repository root)::

    python tools/build_guangzhou_cassette.py [--shared ../shared]

Needs ``pdfplumber`` besides the project's own dependencies (``pip install pdfplumber``).
The output is deterministic: running the script twice gives byte-identical files.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import html
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urljoin

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = "../shared"  # relative to the repository root
CASSETTE_OUT = "cassettes/guangzhou.yaml"
MANIFEST_OUT = "tests/data/guangzhou_manifest.json"

# ---------------------------------------------------------------------------------------
# The site
# ---------------------------------------------------------------------------------------

HOST = "https://www.gz.gov.cn"
COLUMN = HOST + "/zfjgzy/gzsrmzfbgt/zfxxgknb/"
SITE_NAME = "广州市人民政府门户网站"
CST = timezone(timedelta(hours=8))
RECORDED_AT = datetime(2025, 3, 11, 2, 14, 7, tzinfo=timezone.utc)  # "Date" of the first exchange

TEMPLATE = "corpus/raw/mhxqwer-jchgz.gov.cn/index.html"
# What the template page was about; every trace of it is replaced (and checked to be gone).
TEMPLATE_URL = "https://www.gz.gov.cn/ysgz/xwdt/ysdt/content/post_9360641.html"
TEMPLATE_MOBILE_URL = "https://www.gz.gov.cn/ysgz/xwdt/ysdt/content/mpost_9360641.html"
TEMPLATE_POST_ID = "9360641"
TEMPLATE_CAT_ID = "6858"
TEMPLATE_TITLE = "广州美妆产业依靠自主创新持续发力"
TEMPLATE_DATE = "2023-12-05"
TEMPLATE_SOURCE = "广州日报"
TEMPLATE_LEFTOVERS = (TEMPLATE_POST_ID, "美妆", "ysgz/xwdt", TEMPLATE_SOURCE, TEMPLATE_DATE)

COLUMN_NAME = "政府信息公开年报"
COLUMN_TYPE = "政府信息公开年报"
COLUMN_KEYWORDS = "政府信息公开 年度报告"


@dataclass(frozen=True)
class Section:
    key: str
    name: str
    description: str


SECTIONS = {
    "sbj": Section("sbj", "市本级", "公开广州市人民政府政府信息公开工作年度报告"),
    "bm": Section("bm", "市政府部门", "公开广州市人民政府各工作部门政府信息公开工作年度报告"),
    "gq": Section("gq", "各区", "公开广州市各区人民政府政府信息公开工作年度报告"),
}
# NFCMS category ids of the folders (invented; the template's is 6858)
CATEGORY_IDS = {"sbj/": 7011, "bm/2024n/": 10021, "bm/2021n/": 8123, "bm/2015n/": 5647,
                "bm/2013n/": 5645, "gq/": 7013}

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
    found = sorted((shared / "seeds").glob(f"{number}_*.txt"))
    assert len(found) == 1, f"seed {number}: {found}"
    return found[0]


def stripped_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def prose_or_heading(line: str) -> Para:
    return Para(line, "heading" if HEADING.match(line) else "prose")


def split_row(line: str, sep: str) -> list[str]:
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


# ---------------------------------------------------------------------------------------
# PDFs: paragraphs re-joined from line geometry, ruled tables rebuilt from cell geometry
# ---------------------------------------------------------------------------------------

PAGE_NUMBER = re.compile(r"^[-—–]\s*\d+\s*[-—–]$|^第\s*\d+\s*页")
LATIN = re.compile(r"[A-Za-z0-9@._\-/:]")
STRICT_LINES = {"vertical_strategy": "lines_strict", "horizontal_strategy": "lines_strict"}


def cluster(values, tol: float) -> list[float]:
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
    rows: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if rows and abs(c["top"] - rows[-1][0]["top"]) <= tol:
            rows[-1].append(c)
        else:
            rows.append([c])
    return [sorted(r, key=lambda c: c["x0"]) for r in rows]


def centre_inside(obj: dict, box) -> bool:
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
# The reports
# ---------------------------------------------------------------------------------------


@dataclass
class Report:
    n: int
    folder: str  # under the column, e.g. "sbj/", "bm/2024n/"
    post_id: int
    title: str
    agency: str
    year: int
    published: datetime  # CST
    source: str
    blocks: list[Block]
    traditional: bool = False
    attachments: list[dict] = field(default_factory=list)
    absolute_http_href: bool = False  # listed as http://… (answered with a 301 to https)
    gzip: bool = False  # sent Content-Encoding: gzip

    @property
    def section(self) -> str:
        return self.folder.split("/")[0]

    @property
    def path(self) -> str:
        return f"{self.folder}content/post_{self.post_id}.html"

    @property
    def url(self) -> str:
        return COLUMN + self.path

    @property
    def list_href(self) -> str:
        if self.absolute_http_href:
            return self.url.replace("https://", "http://", 1)
        return f"content/post_{self.post_id}.html"

    @property
    def date(self) -> str:
        return self.published.strftime("%Y-%m-%d")


def attachment(post_folder_id: int, filename: str, name: str) -> dict:
    return {"url": f"{HOST}/attachment/0/1/{post_folder_id}/{filename}", "name": name}


# The PDF behind each attachment URL (real report PDFs of the corpus), served as application/pdf.
ATTACHMENT_FILES = {
    "szfgs2024.pdf": "corpus/raw/govnianbao/szfgs2024.pdf",
    "hzq2024.pdf": "corpus/raw/kirogovcompare/hzq2024_working.pdf",
}
# A list entry that points straight at a PDF: the report exists only as that file.
FILE_REPORT = {
    "folder": "gq/",
    "url": f"{HOST}/attachment/0/9/9433001/hzq2023.pdf",
    "title": "淮安市洪泽区人民政府2023年政府信息公开工作年度报告",
    "date": "2024-01-26",
    "file": "corpus/raw/kirogovcompare/hzq2023_working.pdf",
}


def build_reports(shared: Path) -> tuple[list[Report], dict]:
    """The eight reports of the column, with their bodies. Also returns build notes."""
    notes: dict = {}

    def at(text: str) -> datetime:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST)

    pdf1 = shared / "corpus/raw/govnianbao/szfgs2024.pdf"
    pdf2 = shared / "corpus/raw/kirogovcompare/hzq2023_working.pdf"
    blocks1, blocks2 = body_from_pdf(pdf1), body_from_pdf(pdf2)
    s000, s001, s002, s003, s004 = (seed_path(shared, f"{k:03d}") for k in range(5))
    title6 = "2013年广州市人力资源和社会保障局政府信息公开年度报告"
    text004 = read_text(s004)
    blocks4, notes["seed004"] = body_seed_004(text004)
    title1 = "淮安市人民政府2024年政府信息公开工作年度报告"
    title3 = "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
    reports = [
        Report(1, "sbj/", 10095127, title1, "淮安市人民政府", 2024, at("2025-01-20 16:42:18"),
               "淮安市人民政府办公室", blocks1,
               attachments=[attachment(10095001, "szfgs2024.pdf", title1 + ".pdf")]),
        Report(2, "sbj/", 9433816, "洪泽区人民政府2023年政府信息公开工作年度报告", "洪泽区人民政府", 2023,
               at("2024-01-25 10:15:32"), "淮安市洪泽区人民政府办公室", blocks2),
        Report(3, "bm/2024n/", 10096358, title3, "淮安市洪泽区人民政府", 2024, at("2025-01-22 11:03:47"),
               "淮安市洪泽区人民政府办公室", [Para("详见附件。")],
               attachments=[attachment(10096002, "hzq2024.pdf", title3 + ".pdf")]),
        Report(4, "bm/2021n/", 8034562, blocks4[0].text, "广州市番禺区人力资源和社会保障局", 2021,
               at("2022-01-28 15:20:06"), "广州市番禺区人力资源和社会保障局", blocks4, gzip=True),
        Report(5, "bm/2015n/", 5632871, "松原市人力资源和社会保障局2015年度政府信息公开工作报告",
               "松原市人力资源和社会保障局", 2015, at("2016-01-18 09:45:12"), "松原市人力资源和社会保障局",
               body_seed_002(read_text(s002)), absolute_http_href=True),
        Report(6, "bm/2013n/", 4437743, title6, "广州市人力资源和社会保障局", 2013, at("2014-03-11 10:08:25"),
               "本网", body_seed_000(read_text(s000), title6)),
        Report(7, "gq/", 9441205, "同心縣人力資源和社會保障局2023年政府信息公開工作年度報告",
               "同心縣人力資源和社會保障局", 2023, at("2024-01-22 17:36:51"), "同心縣人力資源和社會保障局",
               body_seed_001(read_text(s001)), traditional=True),
        Report(8, "gq/", 4398216, "衡阳市劳动和社会保障局2008年政府信息公开年度报告", "衡阳市劳动和社会保障局", 2008,
               at("2009-03-31 08:52:40"), "衡阳市劳动和社会保障局", body_seed_003(read_text(s003))),
    ]
    # the titles are the reports' own: check each against its text
    assert blocks1[0].text == title1 and blocks2[0].text == reports[1].title
    assert "《" + reports[6].title + "》" in reports[6].blocks[0].text
    assert reports[4].blocks[0].text == reports[4].title
    assert reports[7].blocks[0].text + reports[7].blocks[1].text == reports[7].title
    check_seed_coverage(read_text(s000), reports[5].blocks, skip=6, skip_tail=5)
    check_seed_coverage(read_text(s001), reports[6].blocks, skip_tail=3)
    check_seed_coverage(read_text(s002), reports[4].blocks, skip=1)
    check_seed_coverage(read_text(s003), reports[7].blocks)
    check_seed_coverage(text004, reports[3].blocks, dropped=notes["seed004"]["dropped_cells"])
    return reports, notes


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
# HTML
# ---------------------------------------------------------------------------------------

PARA_CSS = "margin-bottom: 10px; line-height: 1.75em;"
FONT = '<span style="font-family: 宋体, SimSun;">{}</span>'
INDENT = "\u3000\u3000"
CELL_P = '<p style="text-align: center;"><span style="font-family: 宋体, SimSun; font-size: 14px;">{}</span></p>'


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def render_para(p: Para) -> str:
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
    assert text.count(old) == count, f"{old!r}: {text.count(old)} occurrences, expected {count}"
    return text.replace(old, new)


def set_meta(page: str, name: str, value: str) -> str:
    """Set the content of the page's only ``<meta name=…>`` of that name."""
    new = f'<meta name="{name}" content="{html.escape(value)}"'
    return sub_once(rf'<meta name="{name}" content="[^"]*"', new, page)


def breadcrumb(crumbs: list[tuple[str, str]]) -> str:
    links = [f'<a href="{html.escape(u)}">{esc(n)}</a>' for n, u in crumbs]
    return "当前位置：" + "&nbsp;&gt;&nbsp;".join(links)


def base_crumbs() -> list[tuple[str, str]]:
    return [("首页", HOST + "/"), ("政务公开", HOST + "/zwgk/"), (COLUMN_NAME, COLUMN)]


def set_breadcrumb(page: str, crumbs: list[tuple[str, str]]) -> str:
    start = page.index('<div class="curmb" id="dqwz"')
    return _replace_between(page, page[start:page.index(">", start) + 1], "</div>", breadcrumb(crumbs))


def detail_page(template: str, report: Report) -> str:
    """The template with the report in it: every trace of the template's own article is
    replaced; header, navigation, 相关附件/相关新闻, QR block and footer stay as they were."""
    section = SECTIONS[report.section]
    page = template
    page = sub_once(r"<title>\n.*?\n</title>", f"<title>\n{esc(report.title)} - {SITE_NAME}\n</title>", page)
    for name, value in [("ColumnName", section.name), ("ColumnDescription", section.description),
                        ("ColumnKeywords", COLUMN_KEYWORDS), ("ColumnType", COLUMN_TYPE),
                        ("ArticleTitle", report.title),
                        ("PubDate", report.published.strftime("%Y-%m-%d %H:%M:%S")),
                        ("ContentSource", report.source), ("Url", report.url)]:
        page = set_meta(page, name, value)
    mobile = report.url.replace("/post_", "/mpost_")
    page = replace_all(page, TEMPLATE_MOBILE_URL, mobile, 4)
    page = replace_all(page, TEMPLATE_URL, report.url, 4)  # 内容纠错 links ×2, WeChat share ×2
    page = replace_all(page, f"post={TEMPLATE_POST_ID}&", f"post={report.post_id}&", 2)
    page = replace_all(page, f'NFCMS_POST_ID="{TEMPLATE_POST_ID}"', f'NFCMS_POST_ID="{report.post_id}"', 3)
    page = replace_all(page, f'NFCMS_CAT_ID="{TEMPLATE_CAT_ID}"', f'NFCMS_CAT_ID="{CATEGORY_IDS[report.folder]}"', 3)
    crumbs = base_crumbs() + [(section.name, COLUMN + section.key + "/")]
    page = set_breadcrumb(page, crumbs)
    page = replace_all(page, f">{TEMPLATE_TITLE}</h1>", f">{esc(report.title)}</h1>", 2)
    page = replace_all(page, f"<span>{TEMPLATE_DATE}</span>", f"<span>{report.date}</span>", 1)
    page = replace_all(page, f"\n              {TEMPLATE_DATE}\n", f"\n              {report.date}\n", 1)
    page = replace_all(page, f"来源：{TEMPLATE_SOURCE}\n", f"来源：{esc(report.source)}\n", 1)
    page = replace_all(page, f"<!-- <b>{TEMPLATE_SOURCE}</b> -->", f"<!-- <b>{esc(report.source)}</b> -->", 1)
    page = replace_all(page, f"<b>\n              {TEMPLATE_SOURCE}\n", f"<b>\n              {esc(report.source)}\n", 1)
    page = _replace_between(page, '<div class="content_article" id="zoomcon" wzades="正文">\n',
                            '\n\n         <div class="info_xgfj">', "         " + render_body(report.blocks))
    items = "".join(f'<li><a href="{html.escape(a["url"])}">{esc(a["name"])}</a></li>' for a in report.attachments)
    page = _replace_between(page, '<ul id="ul_xgfj" style="padding-top:0;">', "</ul>",
                            f"\n           {items}\n        " if items else "\n\n           \n        ")
    text = plain_text(report.blocks)
    page = _replace_between(page, '<div class="bbnr" style="display:none;">', "</div>", esc(report.title + text))
    page = _replace_between(page, '<div id="ces" style="display:none">', "</div>", esc(text[:30]) + "...")
    assert "'" not in report.title and "\\" not in report.title
    page = replace_all(page, f"title: '{TEMPLATE_TITLE}'", f"title: '{report.title}'", 1)
    for leftover in TEMPLATE_LEFTOVERS + (TEMPLATE_TITLE, "6858"):
        assert leftover not in page, f"template leftover {leftover!r} in report {report.n}"
    return page


def _replace_between(page: str, start: str, end: str, inner: str) -> str:
    """Replace what lies between the only occurrence of ``start`` and the next ``end``."""
    assert page.count(start) == 1, f"{start!r} occurs {page.count(start)} times"
    i = page.index(start) + len(start)
    j = page.index(end, i)
    return page[:i] + inner + page[j:]


@dataclass
class ListPage:
    url: str
    title: str  # page title and ColumnName
    description: str
    crumbs: list[tuple[str, str]]
    main: str  # HTML of the main area (lists, pager)
    last_modified: datetime
    gzip: bool = False


def list_item(href: str, title: str, date: str | None = None) -> str:
    time = f'<span class="time">{date}</span>' if date else ""
    return (f'<li><a href="{html.escape(href)}" title="{html.escape(title)}" target="_blank">{esc(title)}</a>'
            f"{time}</li>")


def news_list(items: list[str]) -> str:
    return '<ul class="news_list">\n' + "\n".join("          " + i for i in items) + "\n        </ul>"


def pager(total: int, current: int) -> str:
    """The NFCMS pager: static links plus the ``createPageHTML`` call that draws it in a browser.
    Page 1 is ``index.html``, page k ``index_k.html``. A one-page list has only the script."""
    def name(k):  # k: 0-based
        return "index.html" if k == 0 else f"index_{k + 1}.html"

    links = []
    if total > 1:
        links.append(f'<a class="first" href="{name(0)}">首页</a>')
        if current > 0:
            links.append(f'<a class="prev" href="{name(current - 1)}">上一页</a>')
        for k in range(total):
            cls = "num active" if k == current else "num"
            links.append(f'<a class="{cls}" href="{name(k)}">{k + 1}</a>')
        if current < total - 1:
            links.append(f'<a class="next" href="{name(current + 1)}">下一页</a>')
        links.append(f'<a class="last" href="{name(total - 1)}">尾页</a>')
    script = f'<script type="text/javascript">createPageHTML({total}, {current}, "index", "html");</script>'
    return '<div class="page" id="page_div">\n          ' + "\n          ".join(links + [script]) + "\n        </div>"


def list_main(crumbs, heading: str, body: str) -> str:
    return f"""<div class="container_bg">
  <div class="container clearfix">
    <div class="curmb" id="dqwz" wzades="当前位置" aria-label="您已进入页面访问路径导航区" altdes="导航区">{breadcrumb(crumbs)}</div>
    <div class="mainbox_bg list_box clearfix" aria-label="您已进入页面内容视窗区" altdes="视窗区">
      <div class="list_title"><h2>{esc(heading)}</h2></div>
      <div class="list_con">
        {body}
      </div>
    </div>
  </div>
</div>
"""


def render_list_page(template: str, lp: ListPage) -> str:
    """A column page in the site's chrome (constructed: no real gz list page was available).
    The article-only parts of the template (article meta tags, mobile redirect, text-to-speech
    copy, WeChat share) are removed; header, navigation and footer are kept."""
    page = template
    page = sub_once(r"<title>\n.*?\n</title>", f"<title>\n{esc(lp.title)} - {SITE_NAME}\n</title>", page)
    for name, value in [("ColumnName", lp.title), ("ColumnDescription", lp.description),
                        ("ColumnKeywords", COLUMN_KEYWORDS), ("ColumnType", COLUMN_TYPE)]:
        page = set_meta(page, name, value)
    for name in ("ArticleTitle", "PubDate", "ContentSource", "Author", "Url"):
        page = sub_once(rf'<meta name="{name}" content="[^"]*"\s*/?> ?\n', "", page)
    page = sub_once(r'<script>\(function\(u\)\{if\(\(u\.indexOf\("iP"\).*?</script>\n?', "", page, count=2)
    main = list_main(lp.crumbs, lp.title, lp.main)
    page = _replace_between(page, "<!--header End-->\n", "<!-- footer Start -->", main)
    page = sub_once(r"<!-- 语音播报插件 Start-->.*?<!-- 语音播报插件 End-->\n", "", page)
    page = sub_once(r'<div id="ces" style="display:none">.*?wxShare\(.*?</script>\n', "", page)  # WeChat share
    for leftover in TEMPLATE_LEFTOVERS + (TEMPLATE_TITLE,):
        assert leftover not in page, f"template leftover {leftover!r} in {lp.url}"
    return page


def build_list_pages(reports: list[Report]) -> tuple[list[ListPage], list[dict]]:
    """The column's list pages (root, sbj/, bm/ and its year folders, gq/ in two pages).
    Returns them and the listed items that are not reports."""
    by_folder: dict[str, list[Report]] = {}
    for r in reports:
        by_folder.setdefault(r.folder, []).append(r)
    crumbs = base_crumbs()
    minute = timedelta(minutes=3)

    def newest(rs):
        return max(r.published for r in rs) + minute

    def items(rs):
        return [list_item(r.list_href, r.title, r.date) for r in sorted(rs, key=lambda r: r.published, reverse=True)]

    pages: list[ListPage] = []
    latest = sorted(reports, key=lambda r: r.published, reverse=True)[:2]
    nav = "\n".join(f'          <li><a href="{s.key}/" title="{s.name}">{s.name}</a></li>' for s in SECTIONS.values())
    root_main = (f'<div class="sub_column">\n        <ul class="sub_nav">\n{nav}\n        </ul>\n        </div>\n'
                 f'        <div class="list_title"><h2>最新</h2></div>\n        '
                 + news_list([list_item(r.url, r.title, r.date) for r in latest]) + "\n        " + pager(1, 0))
    root_description = "公开广州市人民政府、市政府工作部门和各区人民政府的政府信息公开工作年度报告"
    pages.append(ListPage(COLUMN, COLUMN_NAME, root_description, crumbs, root_main, newest(reports)))

    sbj = SECTIONS["sbj"]
    pages.append(ListPage(COLUMN + "sbj/", sbj.name, sbj.description, crumbs + [(sbj.name, COLUMN + "sbj/")],
                          news_list(items(by_folder["sbj/"])) + "\n        " + pager(1, 0), newest(by_folder["sbj/"])))

    bm = SECTIONS["bm"]
    bm_crumbs = crumbs + [(bm.name, COLUMN + "bm/")]
    years = sorted((f for f in by_folder if f.startswith("bm/")), reverse=True)
    folder_items = [list_item(f.split("/")[1] + "/", f.split("/")[1].rstrip("n") + "年") for f in years]
    bm_reports = [r for f in years for r in by_folder[f]]
    pages.append(ListPage(COLUMN + "bm/", bm.name, bm.description, bm_crumbs,
                          news_list(folder_items) + "\n        " + pager(1, 0), newest(bm_reports), gzip=True))
    for f in years:
        year = f.split("/")[1].rstrip("n") + "年"
        pages.append(ListPage(COLUMN + f, year, f"{bm.description}（{year}）", bm_crumbs + [(year, COLUMN + f)],
                              news_list(items(by_folder[f])) + "\n        " + pager(1, 0), newest(by_folder[f])))

    gq = SECTIONS["gq"]
    gq_crumbs = crumbs + [(gq.name, COLUMN + "gq/")]
    gq_reports = sorted(by_folder["gq/"], key=lambda r: r.published, reverse=True)
    notice = {"url": COLUMN + "gq/content/post_9000001.html", "href": "content/post_9000001.html",
              "title": "关于广州市2023年政务公开工作要点落实情况的通知", "date": "2023-06-16"}
    page1 = [list_item(gq_reports[0].list_href, gq_reports[0].title, gq_reports[0].date),
             list_item(notice["href"], notice["title"], notice["date"])]
    page2 = [list_item(r.list_href, r.title, r.date) for r in gq_reports[1:]]
    page2.insert(0, list_item(FILE_REPORT["url"], FILE_REPORT["title"], FILE_REPORT["date"]))
    main1 = news_list(page1) + "\n        " + pager(2, 0)
    pages.append(ListPage(COLUMN + "gq/", gq.name, gq.description, gq_crumbs, main1, newest(gq_reports)))
    pages.append(ListPage(COLUMN + "gq/index_2.html", gq.name, gq.description, gq_crumbs,
                          news_list(page2) + "\n        " + pager(2, 1), newest(gq_reports)))
    # page 2's pager links back to index.html: the same page as gq/
    pages.append(ListPage(COLUMN + "gq/index.html", gq.name, gq.description, gq_crumbs, main1, newest(gq_reports)))
    return pages, [notice]


# ---------------------------------------------------------------------------------------
# HTTP exchanges and the cassette
# ---------------------------------------------------------------------------------------


def http_date(dt: datetime) -> str:
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


def moved(url: str, location: str, date: datetime) -> dict:
    body = ("<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n"
            "<center><h1>301 Moved Permanently</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n").encode("ascii")
    headers = {"Server": ["nginx"], "Date": [http_date(date)], "Content-Type": ["text/html"],
               "Content-Length": [str(len(body))], "Location": [location]}
    return interaction(url, 301, "Moved Permanently", headers, body)


def interaction(url: str, code: int, message: str, headers: dict, wire: bytes) -> dict:
    """A vcrpy interaction. UTF-8 text bodies are stored as str (readable in the YAML),
    anything else (gzip) as bytes (``!!binary``)."""
    body: str | bytes = wire
    if "Content-Encoding" not in headers:
        with contextlib.suppress(UnicodeDecodeError):
            body = wire.decode("utf-8")
    return {"request": {"body": None, "headers": {}, "method": "GET", "uri": url},
            "response": {"status": {"code": code, "message": message}, "headers": headers, "body": {"string": body}}}


def build_interactions(template: str, reports: list[Report], lists: list[ListPage],
                       shared: Path | None = None) -> tuple[list[dict], dict]:
    """All exchanges, in the order a crawl makes them. Also returns each URL's page bytes
    (uncompressed) for the checks."""
    clock = Clock(RECORDED_AT)
    pages: dict[str, bytes] = {}
    out = []
    robots = b"User-agent: *\nDisallow: /gate/\n"
    robots_modified = datetime(2023, 5, 4, 9, 12, 40, tzinfo=CST)
    out.append(ok(HOST + "/robots.txt", robots, "text/plain", robots_modified, clock.tick()))
    lists_by_url = {lp.url: lp for lp in lists}
    reports_by_folder: dict[str, list[Report]] = {}
    for r in reports:
        reports_by_folder.setdefault(r.folder, []).append(r)

    def add_list(url):
        lp = lists_by_url[url]
        data = render_list_page(template, lp).encode("utf-8")
        pages[url] = data
        out.append(ok(url, data, "text/html; charset=utf-8", lp.last_modified, clock.tick(), lp.gzip))

    def add_reports(folder, only=None):
        for r in sorted(reports_by_folder[folder], key=lambda r: r.published, reverse=True):
            if only is not None and r not in only:
                continue
            data = detail_page(template, r).encode("utf-8")
            pages[r.url] = data
            if r.absolute_http_href:
                out.append(moved(r.list_href, r.url, clock.tick()))
            out.append(ok(r.url, data, "text/html; charset=utf-8", r.published + timedelta(seconds=41),
                          clock.tick(), r.gzip))
            for a in r.attachments:
                pdf = (shared / ATTACHMENT_FILES[a["url"].rsplit("/", 1)[-1]]).read_bytes()
                out.append(ok(a["url"], pdf, "application/pdf", r.published, clock.tick()))

    add_list(COLUMN)
    add_list(COLUMN + "sbj/")
    add_reports("sbj/")
    add_list(COLUMN + "bm/")
    for folder in sorted((f for f in reports_by_folder if f.startswith("bm/")), reverse=True):
        add_list(COLUMN + folder)
        add_reports(folder)
    gq = sorted(reports_by_folder["gq/"], key=lambda r: r.published, reverse=True)
    add_list(COLUMN + "gq/")
    add_reports("gq/", only=gq[:1])
    add_list(COLUMN + "gq/index_2.html")
    file_modified = datetime.strptime(FILE_REPORT["date"], "%Y-%m-%d").replace(tzinfo=CST)
    out.append(ok(FILE_REPORT["url"], (shared / FILE_REPORT["file"]).read_bytes(), "application/pdf",
                  file_modified, clock.tick()))
    add_reports("gq/", only=gq[1:])
    add_list(COLUMN + "gq/index.html")
    urls = [i["request"]["uri"] for i in out]
    assert len(urls) == len(set(urls)), "duplicate interaction"
    assert set(lists_by_url) <= set(urls)
    return out, pages


def dump_yaml(data) -> bytes:
    return yaml.dump(data, Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False,
                     width=float("inf")).encode("utf-8")


# ---------------------------------------------------------------------------------------
# Manifest
# ---------------------------------------------------------------------------------------


def manifest(reports: list[Report], lists: list[ListPage], non_reports: list[dict]) -> dict:
    return {
        "column": COLUMN,
        "reports": [
            {
                "n": r.n,
                "url": r.url,
                "listed_as": r.list_href,
                "section": r.section,
                "title": r.title,
                "agency": r.agency,
                "report_year": r.year,
                "pub_date": r.date,
                "source": r.source,
                "traditional": r.traditional,
                "paragraphs": [b.text for b in r.blocks if isinstance(b, Para)],
                "tables": [[[c.text for c in row] for row in b.rows] for b in r.blocks if isinstance(b, Table)],
                "attachments": r.attachments,
            }
            for r in reports
        ],
        "file_reports": [{k: FILE_REPORT[k] for k in ("url", "title", "date")} | {
            "section": FILE_REPORT["folder"].rstrip("/"), "file": FILE_REPORT["file"]}],
        "attachment_files": {a["url"]: ATTACHMENT_FILES[a["url"].rsplit("/", 1)[-1]]
                             for r in reports for a in r.attachments},
        "non_reports": [n["url"] for n in non_reports],
        "list_pages": [lp.url for lp in lists],
    }


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


def verify_pages(reports: list[Report], pages: dict[str, bytes], data: dict, non_reports: list[dict]) -> None:
    """Parse every page back: a detail page's #zoomcon holds exactly the manifest's paragraphs
    and table rows, in order; list links resolve to interactions, except the non-report."""
    import lxml.html

    in_cassette = {i["request"]["uri"] for i in data["interactions"]}
    for r, m in zip(reports, manifest(reports, [], [])["reports"], strict=True):
        doc = lxml.html.fromstring(pages[r.url].decode("utf-8"))
        assert [h.text_content() for h in doc.cssselect("h1.content_title")] == [r.title, r.title]
        meta = {e.get("name"): e.get("content") for e in doc.cssselect("meta[name]")}
        assert meta["ArticleTitle"] == r.title and meta["Url"] == r.url and meta["SiteIDCode"] == "4401000004"
        zoom = doc.get_element_by_id("zoomcon")
        paragraphs, tables = [], []
        for child in zoom:
            if child.tag == "p":
                paragraphs.append(child.text_content().strip())
            elif child.tag == "table":
                tables.append([[td.text_content().strip() for td in tr.findall("td")] for tr in child.iter("tr")])
        assert paragraphs == m["paragraphs"], f"report {r.n}: paragraphs differ"
        assert tables == m["tables"], f"report {r.n}: tables differ"
        links = [(a.get("href"), a.text_content()) for a in doc.cssselect("#ul_xgfj a")]
        assert links == [(a["url"], a["name"]) for a in r.attachments]
    reachable = set()
    for url, body in pages.items():
        if url in {r.url for r in reports}:
            continue
        doc = lxml.html.fromstring(body.decode("utf-8"))
        for a in doc.cssselect(".list_con a"):
            reachable.add(urljoin(url, a.get("href")))
    notice_urls = {n["url"] for n in non_reports}
    missing = reachable - in_cassette - notice_urls
    assert not missing, f"listed but not in the cassette: {missing}"
    assert not notice_urls & in_cassette
    assert {r.url for r in reports} <= reachable | {
        u.replace("http://", "https://") for u in reachable}, "a report is not listed"


# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", default=DEFAULT_SHARED,
                        help="the shared material; a relative path is taken from the repository root "
                             "(default %(default)s)")
    args = parser.parse_args(argv)
    shared = (ROOT / args.shared).resolve()
    template = read_text(shared / TEMPLATE)

    reports, notes = build_reports(shared)
    lists, non_reports = build_list_pages(reports)
    interactions, pages = build_interactions(template, reports, lists, shared)
    data = {"version": 1, "interactions": interactions}

    cassette_path = ROOT / CASSETTE_OUT
    cassette_path.parent.mkdir(parents=True, exist_ok=True)
    cassette_path.write_bytes(dump_yaml(data))
    manifest_data = manifest(reports, lists, non_reports)
    manifest_path = ROOT / MANIFEST_OUT
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_bytes((json.dumps(manifest_data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))

    verify_cassette(cassette_path, interactions)
    verify_pages(reports, pages, data, non_reports)

    for i in interactions:
        headers = i["response"]["headers"]
        print(f'{i["response"]["status"]["code"]} {headers.get("Content-Encoding", ["-"])[0]:4} '
              f'{headers["Content-Length"][0]:>7}  {i["request"]["uri"]}')
    print(f"seed 004: {len(notes['seed004']['joined'])} page-break joins, "
          f"{notes['seed004']['repeated_headers']} repeated table headers dropped")
    print(f"wrote {CASSETTE_OUT} ({cassette_path.stat().st_size} bytes, {len(interactions)} interactions) "
          f"and {MANIFEST_OUT} ({len(reports)} reports)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
