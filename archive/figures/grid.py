"""A table grid (``archive.tables.Table.to_json()``) as labelled rows of value cells; labels as matched."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from ..clean.traditional import simplified
from .values import looks_numeric


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
            while k > 0 and looks_numeric(own[k - 1]["text"]):
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
def squash(text: str) -> str:
    """A label as matched: NFKC, no whitespace, no pinyin glosses, simplified characters."""
    return simplified(_PINYIN.sub("", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))))
