"""Finding tables 二, 三 and 四 of the national template among a source's grids, by their row labels."""

from __future__ import annotations

import re
import unicodedata

from .grid import Row, rows_of, squash
from .values import parse_value

T3_COLUMNS = ("natural_person", "business", "research", "social_welfare", "legal_service", "other_org", "total")
T4_GROUPS = ("review", "suit_direct", "suit_after_review")
T4_COLUMNS = ("upheld", "corrected", "other", "pending", "total")


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
    s = squash(label)
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
        labels = [squash(r.label) for r in rows]
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
            if key in out:  # which one is right cannot be told: the first is kept, and that is said
                problems.append(f"table 三 row {key} appears again (table row {row.index}); the first is kept")
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


def find_table4(tables: list[dict], parsed: list[list[Row]] | None = None) -> tuple[int, dict, list[str]] | None:
    for i, table in enumerate(tables):
        text = squash(" ".join(c["text"] for c in table.get("cells") or []))
        if "行政复议" not in text or "结果维持" not in text or "尚未审结" not in text:
            continue
        rows = [r for r in (parsed[i] if parsed else rows_of(table)) if len(r.values) >= 15]
        if not rows:
            continue
        # the data row: the last with a value in it (a Word export leaves an empty row after it);
        # a blank form has none, and its last row is read as blanks
        filled = [r for r in rows if any(v.strip() for v in r.values[-15:])]
        last = (filled or rows)[-1]
        row = Row(last.index, last.label, last.values[-15:], last.positions[-15:])  # the shared row stays as read
        problems: list[str] = []
        flat = _values(row, [f"{g}.{c}" for g in T4_GROUPS for c in T4_COLUMNS], problems, "table 四")
        out = {g: {c: flat[f"{g}.{c}"] for c in T4_COLUMNS} for g in T4_GROUPS}
        return i, out, problems
    return None


_T2_ROWS = (("其他对外管理服务事项", "other_services"), ("规范性文件", "normative_docs"), ("规章", "rules"),
            ("行政许可", "licensing"), ("行政处罚", "penalty"), ("行政强制", "enforcement"),
            ("行政事业性收费", "fees"), ("政府集中采购", "procurement"))
_T2_COLUMNS = (("本年制发件数", "issued"), ("本年废止件数", "repealed"), ("现行有效件数", "in_force"),
               ("本年新制作数量", "made"), ("本年新公开数量", "published"), ("对外公开总数量", "total_published"),
               ("上一年项目数量", "last_year"), ("本年增/减", "change"), ("本年增减", "change"),
               ("处理决定数量", "decisions"), ("本年收费金额", "amount"), ("采购项目数量", "projects"),
               ("采购总金额", "amount"))


def _t2_column(text: str) -> str | None:
    s = squash(text)
    return next((key for word, key in _T2_COLUMNS if word in s), None)


def find_table2(tables: list[dict],
                parsed: list[list[Row]] | None = None) -> tuple[int, dict, str | None, list[str]] | None:
    for i, table in enumerate(tables):
        rows = parsed[i] if parsed else rows_of(table)
        if not any("信息内容" in squash(r.label) for r in rows):
            continue
        out: dict[str, dict] = {}
        problems: list[str] = []
        header: list[str] = []
        template = None
        by_row: dict[int, list[dict]] = {}
        for cell in table.get("cells") or []:
            by_row.setdefault(cell["r"], []).append(cell)
        for row in rows:
            s = squash(row.label)
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
            if key in out:
                problems.append(f"table 二 row {key} appears again (table row {row.index}); the first is kept")
                continue
            out[key] = _values(row, header, problems, f"table 二 row {key}")
        if out:
            return i, out, template, problems
    return None
