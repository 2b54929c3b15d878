"""The statutory tables of a report (2019 / 2021 national template) as numbers, with the
template's consistency checks (docs/portals.md, "The document").

Input: the table grids the archive keeps (``archive.tables.Table.to_json()``: positioned cells,
spans resolved), from the page or its attachments. Tables are recognised by their row labels,
not by their position; values are read from the cells that *start* in a row, right of its
labels, so header colspans that do not line up with the data cells do not shift them.

Values are kept as published: integers, decimals, negative changes; a unit printed in the cell is
stripped; a blank cell, "—", "/", "无" is ``None`` (never 0); a cell whose text is not a number is
``None`` and reported in ``problems``. In a check a null counts as 0, and the check says so.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from .clean.traditional import simplified

T3_COLUMNS = ("natural_person", "business", "research", "social_welfare", "legal_service", "other_org", "total")
T4_GROUPS = ("review", "suit_direct", "suit_after_review")
T4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")

# --- values ------------------------------------------------------------------------------------
_NULL = {"", "—", "——", "-", "--", "－", "/", "／", "无", "空", "\\"}
_NUMBER = re.compile(r"^([+\-−－]?)(\d+(?:,\d{3})*(?:\.\d+)?)(?:万元|元|万|件|个|条|项|次|人次|%)?$")


def parse_value(raw: str | None) -> tuple[int | float | None, bool]:
    """``(value, ok)``: a cell's number as published; ``ok`` is False for text that is neither a
    number nor a null marker."""
    text = unicodedata.normalize("NFKC", raw or "").strip().replace(" ", "")
    if text in _NULL:
        return None, True
    m = _NUMBER.match(text.replace("−", "-"))
    if not m:
        return None, False
    digits = m.group(2).replace(",", "")
    number = float(digits) if "." in digits else int(digits)
    return (-number if m.group(1) in ("-", "−", "－") else number), True


def _looks_numeric(raw: str) -> bool:
    value, ok = parse_value(raw)
    return ok and (value is not None or unicodedata.normalize("NFKC", raw or "").strip() in _NULL)


# --- rows of a grid ------------------------------------------------------------------------------
@dataclass
class Row:
    index: int
    label: str  # the row's label cells (merged ones included), joined
    values: list[str]  # texts of the cells that start in this row, right of its labels
    positions: list[tuple[int, int]]  # (row, column) of each value cell


def rows_of(table: dict, value_from: int | None = None) -> list[Row]:
    """The table's rows; values are the trailing run of numeric-looking cells, or, with
    ``value_from``, the cells starting at or right of that column."""
    grid = table.get("grid") or []
    starts: dict[int, list[dict]] = {}
    for cell in table.get("cells") or []:
        starts.setdefault(cell["r"], []).append(cell)
    out = []
    for r, line in enumerate(grid):
        own = sorted(starts.get(r, []), key=lambda c: c["c"])
        # trailing run of numeric-looking cells: the values; everything left of it: labels
        k = len(own)
        if value_from is not None:
            k = next((j for j, c in enumerate(own) if c["c"] >= value_from), len(own))
        else:
            while k > 0 and _looks_numeric(own[k - 1]["text"]):
                k -= 1
        first_value_col = own[k]["c"] if k < len(own) else len(line)
        labels = []
        for text in line[:first_value_col]:
            if text and text not in labels:
                labels.append(text)
        out.append(Row(r, " ".join(labels), [c["text"] for c in own[k:]], [(r, c["c"]) for c in own[k:]]))
    return out


# a mirror's traditional conversion writes a character's pinyin after it: 結(jié)轉(zhuǎn)
_PINYIN = re.compile(r"\([a-zA-Z\u00e0-\u00fc\u0101-\u01dc]+\)")


@functools.lru_cache(maxsize=4096)
def _squash(text: str) -> str:
    """A label as matched: NFKC, no whitespace, no pinyin glosses, simplified characters."""
    return simplified(_PINYIN.sub("", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))))


# --- table 三 ------------------------------------------------------------------------------------
_REFUSED = ("国家秘密", "法律行政法规禁止", "三安全一稳定", "第三方合法权益", "内部事务", "过程性", "行政执法案卷", "行政查询")
_UNAVAILABLE = ("不掌握", "另行制作", "补正后")
_NOT_HANDLED = ("信访", "重复申请", "公开出版物", "大量反复", "确认或重新出具")
_OTHER_2021 = ("逾期不补正", "缴纳费用", "其他")
_GROUPS = (("不予公开", "refused", _REFUSED), ("无法提供", "unavailable", _UNAVAILABLE),
           ("不予处理", "not_handled", _NOT_HANDLED), ("其他处理", "other", _OTHER_2021))
# rows that are no group's sub-row, tried in this order (部分公开 before 予以公开)
_T3_PLAIN = (("本年新收", "new"), ("上年结转", "carried_over"), ("结转下年度", "carried_forward"), ("总计", "total"),
             ("部分公开", "partly_granted"), ("予以公开", "granted"))
_SUB = re.compile(r"(?:^|\s|）|\))(\d)[.．、]")


def _t3_key(label: str, previous_group: str | None) -> tuple[str | None, str | None]:
    """(canonical row key, group) of a table-三 row label."""
    s = _squash(label)
    plain = next((key for word, key in _T3_PLAIN if word in s), None)
    if plain:
        return plain, None
    group = next((g for word, g, _ in _GROUPS if word in s), None)
    sub = _SUB.search(unicodedata.normalize("NFKC", label))
    if group is None:  # a sub-row whose group cell was lost (a PDF page break): its words say
        for _, g, words in _GROUPS[:3]:
            if any(w in s for w in words):
                group = g
                break
        else:
            group = previous_group if sub else None
    if group is None:
        return None, None
    words = dict((g, w) for _, g, w in _GROUPS)[group]
    rest = s.split("其他处理")[-1]  # an "other" sub-row's own words, after its group cell
    if group == "other" and not sub and not rest:
        return "other", group  # the one-row （六）其他处理 (2019 template, and some 2021 reports)
    n = int(sub.group(1)) if sub else next((i + 1 for i, w in enumerate(words) if w in rest), None)
    return (f"{group}_{n}" if n else None), group


def find_table3(tables: list[dict], parsed: list[list[Row]] | None = None) -> tuple[int, dict, list[str]] | None:
    """(index, {row: {col: value}}, problems) of the first table that holds table 三."""
    for i, table in enumerate(tables):
        rows = parsed[i] if parsed else rows_of(table)
        labels = [_squash(r.label) for r in rows]
        if not any("本年新收" in x for x in labels) or not any("结转下年度" in x or "总计" in x for x in labels):
            continue
        # the value columns are where the rows with a full set of values start (empty label
        # cells, e.g. a sub-row without its number, are not values)
        starts = [r.positions[-len(T3_COLUMNS)][1] for r in rows if len(r.values) >= len(T3_COLUMNS)]
        if starts:
            rows = rows_of(table, max(set(starts), key=starts.count))
        out: dict[str, dict] = {}
        problems: list[str] = []
        group = None
        for row in rows:
            key, group = _t3_key(row.label, group)
            if key is None or not row.values:
                continue
            if len(row.values) != len(T3_COLUMNS):
                problems.append(f"table 三 row {key}: {len(row.values)} value cells, expected {len(T3_COLUMNS)}")
                continue
            out[key] = _values(row, T3_COLUMNS, problems, f"table 三 row {key}")
        if "new" in out:
            return i, out, problems
    return None


def _values(row: Row, columns, problems: list[str], where: str) -> dict:
    cells = {}
    for col, raw, pos in zip(columns, row.values, row.positions):
        value, ok = parse_value(raw)
        if not ok:
            problems.append(f"{where} column {col}: not a number: {raw!r}")
        cells[col] = {"value": value, "raw": raw, "position": list(pos)}
    return cells


# --- table 四 ------------------------------------------------------------------------------------
def find_table4(tables: list[dict], parsed: list[list[Row]] | None = None) -> tuple[int, dict, list[str]] | None:
    for i, table in enumerate(tables):
        text = _squash(" ".join(c["text"] for c in table.get("cells") or []))
        if "行政复议" not in text or "结果维持" not in text or "尚未审结" not in text:
            continue
        rows = [r for r in (parsed[i] if parsed else rows_of(table)) if len(r.values) >= 15]
        if not rows:
            continue
        last = rows[-1]
        row = Row(last.index, last.label, last.values[-15:], last.positions[-15:])  # the shared row stays as read
        problems: list[str] = []
        flat = _values(row, [f"{g}.{c}" for g in T4_GROUPS for c in T4_COLUMNS], problems, "table 四")
        out = {g: {c: flat[f"{g}.{c}"] for c in T4_COLUMNS} for g in T4_GROUPS}
        return i, out, problems
    return None


# --- table 二 ------------------------------------------------------------------------------------
_T2_ROWS = (("其他对外管理服务事项", "other_services"), ("规范性文件", "normative_docs"), ("规章", "rules"),
            ("行政许可", "licensing"), ("行政处罚", "penalty"), ("行政强制", "enforcement"),
            ("行政事业性收费", "fees"), ("政府集中采购", "procurement"))
_T2_COLUMNS = (("本年制发件数", "issued"), ("本年废止件数", "repealed"), ("现行有效件数", "in_force"),
               ("本年新制作数量", "made"), ("本年新公开数量", "published"), ("对外公开总数量", "total_published"),
               ("上一年项目数量", "last_year"), ("本年增/减", "change"), ("本年增减", "change"),
               ("处理决定数量", "decisions"), ("本年收费金额", "amount"), ("采购项目数量", "projects"),
               ("采购总金额", "amount"))


def _t2_column(text: str) -> str | None:
    s = _squash(text)
    return next((key for word, key in _T2_COLUMNS if word in s), None)


def find_table2(tables: list[dict],
                parsed: list[list[Row]] | None = None) -> tuple[int, dict, str | None, list[str]] | None:
    for i, table in enumerate(tables):
        rows = parsed[i] if parsed else rows_of(table)
        if not any("信息内容" in _squash(r.label) for r in rows):
            continue
        out: dict[str, dict] = {}
        problems: list[str] = []
        header: list[str] = []
        template = None
        by_row: dict[int, list[dict]] = {}
        for cell in table.get("cells") or []:
            by_row.setdefault(cell["r"], []).append(cell)
        for row in rows:
            s = _squash(row.label)
            if "信息内容" in s:
                own = sorted(by_row.get(row.index, []), key=lambda c: c["c"])
                header = [k for k in (_t2_column(c["text"]) for c in own) if k]
                if "issued" in header:
                    template = "2021"
                elif "made" in header or "last_year" in header:
                    template = template or "2019"
                continue
            key = next((k for word, k in _T2_ROWS if word in s), None)
            if key is None or not row.values or not header:
                continue
            if len(row.values) != len(header):
                problems.append(f"table 二 row {key}: {len(row.values)} value cells under {len(header)} headers")
                continue
            out[key] = _values(row, header, problems, f"table 二 row {key}")
        if out:
            return i, out, template, problems
    return None


# --- the whole ---------------------------------------------------------------------------------
@dataclass
class Figures:
    template: str | None
    table2: dict = field(default_factory=dict)
    table3: dict = field(default_factory=dict)
    table4: dict = field(default_factory=dict)
    checks: list[dict] = field(default_factory=list)
    source: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def numbers(self, table: str) -> dict:
        """``{row: {col: value}}`` (the interface shape), without raw text and positions."""
        return {r: {c: v["value"] for c, v in cols.items()} for r, cols in getattr(self, table).items()}

    def to_json(self) -> dict:
        return {"template": self.template, "table2": self.numbers("table2"), "table3": self.numbers("table3"),
                "table4": self.numbers("table4"), "checks": self.checks, "source": self.source,
                "problems": self.problems}


def read_figures(sources: list[tuple[dict, list[dict]]]) -> Figures | None:
    """``sources``: (where, tables) pairs — the page first, then each attachment; ``where`` says
    what it is (``{"from": "page", "sha256": …}``). None when no statutory table is found."""
    found: dict[str, tuple] = {}
    for where, tables in sources:
        parsed = [rows_of(t) for t in tables]  # once per table, for all three finders
        for name, finder in (("table2", find_table2), ("table3", find_table3), ("table4", find_table4)):
            if name not in found:
                hit = finder(tables, parsed)
                if hit:
                    found[name] = (where, hit)
    if "table3" not in found and "table4" not in found:
        return None
    figures = Figures(template=None)
    for name, (where, hit) in found.items():
        setattr(figures, name, hit[1])
        figures.problems += hit[-1]
        figures.source[name] = {**where, "table_index": hit[0]}
    template2 = found["table2"][1][2] if "table2" in found else None
    figures.template = template2 or _template_from_table3(figures.table3)
    figures.checks = run_checks(figures)
    return figures


def _template_from_table3(t3: dict) -> str | None:
    if any(k.startswith("other_") for k in t3):
        return "2021"
    return "2019" if "other" in t3 else None


# --- checks ------------------------------------------------------------------------------------
def _sum(values: list) -> tuple[int | float, bool]:
    return sum(v or 0 for v in values), any(v is None for v in values)


def _check(rule: str, column: str, expected, found, nulls: bool) -> dict:
    out = {"rule": rule, "column": column, "ok": _close(expected, found), "expected": expected, "found": found}
    if nulls:
        out["nulls_as_zero"] = True
    return out


def _close(a, b) -> bool:
    return abs((a or 0) - (b or 0)) < 1e-6


def run_checks(f: Figures) -> list[dict]:
    t3 = f.numbers("table3")
    checks = []
    outcome_rows = [k for k in t3 if k in ("granted", "partly_granted") or k.startswith(
        ("refused_", "unavailable_", "not_handled_", "other"))]
    for col in T3_COLUMNS:
        if all(k in t3 for k in ("new", "carried_over", "total", "carried_forward")):
            left, n1 = _sum([t3["new"][col], t3["carried_over"][col]])
            right, n2 = _sum([t3["total"][col], t3["carried_forward"][col]])
            checks.append(_check("t3_balance", col, left, right, n1 or n2))
        if "total" in t3 and outcome_rows:
            parts, n1 = _sum([t3[k][col] for k in outcome_rows])
            checks.append(_check("t3_outcomes", col, parts, t3["total"][col], n1 or t3["total"][col] is None))
    for row, cols in t3.items():
        parts, n1 = _sum([cols[c] for c in T3_COLUMNS[:-1]])
        checks.append(_check("t3_columns", row, parts, cols["total"], n1 or cols["total"] is None))
    t4 = f.numbers("table4")
    for group, cols in t4.items():
        parts, n1 = _sum([cols[c] for c in T4_COLUMNS[:-1]])
        checks.append(_check("t4_groups", group, parts, cols["total"], n1 or cols["total"] is None))
    return checks
