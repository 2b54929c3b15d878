"""The 附表 of a report made before the 2019 template: labelled rows (指标 · 单位 · values), kept
as published, with no canonical keys (the indicators varied by place and year).

A table is such a 附表 when a row of it is the header ``指标 … 单位/数量`` (名称, 计量单位 and
统计指标 are variants), or when at least three of its row labels are indicators the old
regulations asked for (主动公开信息数, 申请总数, 答复数, 行政复议数 …). Rows are those with value
cells after a header, up to a row of words only (or all, for a table recognised by its
labels); a unit is the label
cell that is a unit word (条, 件, 人次 …) or the cell under the header's 单位.
"""

from __future__ import annotations

from .grid import rows_of, squash
from .values import is_unit, parse_value

_INDICATORS = ("主动公开信息数", "申请总数", "答复数", "答复总数", "咨询", "行政复议数", "行政诉讼数", "申诉数",
               "申请数", "收费", "访问量")


def _is_header(label: str) -> bool:
    s = squash(label)
    return "指标" in s and any(w in s for w in ("单位", "数量", "数值", "计量"))


def _section(label: str) -> str:
    """What a header row says before its column names: "附表2 依申请公开情况统计"."""
    return label.split("指标")[0].strip()


def find_pre2019(tables: list[dict]) -> list[dict]:
    """Every labelled row of every 附表 among ``tables`` (``table_index`` says which table)."""
    out = []
    for i, table in enumerate(tables):
        rows = rows_of(table)
        headers = [r.index for r in rows if _is_header(r.label)]
        by_label = sum(1 for r in rows if r.values and any(w in squash(r.label) for w in _INDICATORS))
        if not headers and by_label < 3:
            continue
        first = headers[0] if headers else -1
        starts: dict[int, list[dict]] = {}
        for cell in table.get("cells") or []:
            starts.setdefault(cell["r"], []).append(cell)
        section, inside = "", not headers
        for row in rows:
            if row.index < first:
                continue
            if _is_header(row.label):
                section, inside = _section(row.label), True
                continue
            if not row.values:  # a row of words only ends a 附表 (until the next header)
                inside = inside and not row.label
                continue
            if not inside:
                continue
            first_value = row.positions[0][1]
            labels = [c["text"] for c in sorted(starts.get(row.index, []), key=lambda c: c["c"])
                      if c["c"] < first_value and c["text"]]
            unit = labels.pop() if len(labels) > 1 and is_unit(labels[-1]) else None
            values = [parse_value(raw) for raw in row.values]
            out.append({"table_index": i, "section": section, "label": " ".join(labels), "unit": unit,
                        "values": [v for v, _ in values], "raw": row.values,
                        "positions": [list(p) for p in row.positions],
                        "problems": [f"not a number: {raw!r}" for raw, (_, ok) in zip(row.values, values) if not ok]})
    return out
