"""Seeds: the cleaned text of real reports (``../shared/seeds/``) turned into body blocks, one
function per seed, and the checks that nothing of a seed was lost."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from .base import check
from .bodies import (
    HEADING,
    TERMINAL,
    Block,
    Cell,
    Para,
    Table,
    grid_width,
    is_number,
    table_applications,
    table_article20,
    table_indicators,
    table_review_litigation,
)


def read_text(path: Path) -> str:
    """Inputs are read as bytes and decoded explicitly."""
    return path.read_bytes().decode("utf-8")


def seed_path(shared: Path, number: str) -> Path:
    """The one file ``seeds/<number>_*.txt`` of the shared material."""
    found = sorted((shared / "seeds").glob(f"{number}_*.txt"))
    check(len(found) == 1, f"seed {number}: expected one file, found {found}")
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
    check(lines[:6] == head and lines[-5:] == tail,
          f"seed 000: page chrome not where expected: {lines[:6]} … {lines[-5:]}")
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
        check(lines[i:i + len(header)] == header,
              f"seed 000: 附表 header not 指标/单位/数量 or 指标/数量: {lines[i:i + 3]}")
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
    check(footer[0].startswith("掃一掃") and footer[1].startswith("主辦") and "ICP" in footer[2],
          f"seed 001: the last three lines are not the source site's footer: {footer}")
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
    check(lines[0].startswith("松原市政府信息公开专栏") and ">>" in lines[0],
          f"seed 002: the first line is not the 松原 breadcrumb: {lines[0]!r}")
    lines = lines[1:]
    check(re.match(r"^\d{4}年\d{1,2}月\d{1,2}日$", lines[-1]),
          f"seed 002: the last line is not the signing date: {lines[-1]!r}")
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
            check(cells[:3] == ["指标", "单位", "数量"] and len(cells) % 3 == 0,
                  f"seed 003: 附表 not 指标/单位/数量 in rows of 3: {cells[:6]}")
            rows = [cells[k:k + 3] for k in range(0, len(cells), 3)]
            table = Table([[Cell(c) for c in row] for row in rows], word_paste=False)
            check(grid_width(table) == 3, "seed 003: 附表 is not 3 columns wide")
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
    check(not pending, f"seed 004: the text ends inside a paragraph: {pending!r}")
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
                check(any(part == c or part in c for c in cells), f"table cell lost: {part!r}")
        else:
            check(any(line in p for p in paragraphs) or line in cells, f"line lost: {line!r}")


def placed_chars(blocks: list[Block]) -> Counter:
    """Every non-space character of the body, paragraphs and table cells."""
    placed = Counter()
    for b in blocks:
        texts = [b.text] if isinstance(b, Para) else [c.text for row in b.rows for c in row]
        placed.update(ch for t in texts for ch in t if not ch.isspace())
    return placed
