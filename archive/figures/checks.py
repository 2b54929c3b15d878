"""The template's consistency checks over a report's figures; a null counts as 0, and the check says so."""

from __future__ import annotations

from .statutory import T3_COLUMNS, T4_COLUMNS


def _sum(values: list) -> tuple[int | float, bool]:
    return sum(v or 0 for v in values), any(v is None for v in values)


def _check(rule: str, column: str, expected, found, nulls: bool) -> dict:
    out = {"rule": rule, "column": column, "ok": _close(expected, found), "expected": expected, "found": found}
    if nulls:
        out["nulls_as_zero"] = True
    return out


def _close(a, b) -> bool:
    return abs((a or 0) - (b or 0)) < 1e-6


def run_checks(f) -> list[dict]:
    """The checks over ``f`` (a ``Figures``)."""
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
