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

from dataclasses import dataclass, field

from .checks import run_checks
from .flattened import tables_from_text
from .grid import Row, rows_of
from .statutory import T3_COLUMNS, T4_COLUMNS, T4_GROUPS, find_table2, find_table3, find_table4
from .pre2019 import find_pre2019
from .values import parse_value

__all__ = ["T3_COLUMNS", "T4_COLUMNS", "T4_GROUPS", "Figures", "Row", "find_table2", "find_table3", "find_table4",
           "find_pre2019", "parse_value", "read_figures", "rows_of", "run_checks", "tables_from_text"]


@dataclass
class Figures:
    template: str | None  # "2019", "2021", "pre2019" (a 附表 only), or None (not told by the tables)
    table2: dict = field(default_factory=dict)
    table3: dict = field(default_factory=dict)
    table4: dict = field(default_factory=dict)
    checks: list[dict] = field(default_factory=list)
    source: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    table_pre2019: list[dict] = field(default_factory=list)

    @property
    def statutory(self) -> bool:
        """Whether tables 三 or 四 were found (not only a pre-2019 附表)."""
        return bool(self.table3 or self.table4)

    def numbers(self, table: str) -> dict:
        """``{row: {col: value}}`` (the interface shape), without raw text and positions."""
        return {r: {c: v["value"] for c, v in cols.items()} for r, cols in getattr(self, table).items()}

    def to_json(self) -> dict:
        out = {"template": self.template, "table2": self.numbers("table2"), "table3": self.numbers("table3"),
               "table4": self.numbers("table4"), "checks": self.checks, "source": self.source,
               "problems": self.problems}
        if self.table_pre2019:
            out["table_pre2019"] = [{k: r[k] for k in ("section", "label", "unit", "values", "raw")}
                                    for r in self.table_pre2019]
        return out


MAX_PROBLEMS = 50
_FINDERS = (("table2", find_table2), ("table3", find_table3), ("table4", find_table4))


def _find(found: dict, where: dict, tables: list[dict]) -> None:
    parsed = [rows_of(t) for t in tables]  # once per table, for all three finders
    for name, finder in _FINDERS:
        if name not in found:
            hit = finder(tables, parsed)
            if hit:
                found[name] = (where, hit)


def read_figures(sources) -> Figures | None:
    """``sources``: ``(where, tables)`` or ``(where, tables, text)`` — the page first, then each
    attachment; ``where`` says what it is (``{"from": "page", "sha256": …}``). The grids of every
    source are read first; a table none of them holds is then looked for in the sources' text
    (tables that reached us flattened, ``flattened.tables_from_text``). None when neither a
    statutory table nor a pre-2019 附表 is found."""
    sources = [(s[0], s[1] or [], s[2] if len(s) > 2 else None) for s in sources]
    found: dict[str, tuple] = {}
    for where, tables, _ in sources:
        _find(found, where, tables)
    flattened = []
    if len(found) < len(_FINDERS):
        flattened = [({**where, "flattened": True}, tables_from_text(text)) for where, _, text in sources if text]
        for where, tables in flattened:
            _find(found, where, tables)
    if "table3" not in found and "table4" not in found:
        return _pre2019(sources, flattened)
    figures = Figures(template=None)
    for name, (where, hit) in found.items():
        setattr(figures, name, hit[1])
        figures.problems += hit[-1]
        figures.source[name] = {**where, "table_index": hit[0]}
    if len(figures.problems) > MAX_PROBLEMS:  # a pathological table: say how much, not all of it
        extra = len(figures.problems) - MAX_PROBLEMS
        figures.problems = figures.problems[:MAX_PROBLEMS] + [f"… and {extra} more problem(s)"]
    template2 = found["table2"][1][2] if "table2" in found else None
    figures.template = template2 or _template_from_table3(figures.table3)
    figures.checks = run_checks(figures)
    return figures


def _pre2019(sources, flattened) -> Figures | None:
    for where, tables in [(w, t) for w, t, _ in sources] + flattened:
        rows = find_pre2019(tables)
        if rows:
            return Figures(template="pre2019", table_pre2019=rows, source={"table_pre2019": where},
                           problems=[f"附表 row {r['label']!r}: {p}" for r in rows for p in r["problems"]])
    return None


def _template_from_table3(t3: dict) -> str | None:
    if any(k.startswith("other_") for k in t3):
        return "2021"
    return "2019" if "other" in t3 else None
