"""A cell's text as a number, as published."""

from __future__ import annotations

import re
import unicodedata

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


def looks_numeric(raw: str) -> bool:
    value, ok = parse_value(raw)
    return ok and (value is not None or unicodedata.normalize("NFKC", raw or "").strip() in _NULL)


UNITS = frozenset(("条", "件", "个", "项", "次", "人", "人次", "家", "份", "万元", "元", "天", "个工作日", "%"))


def is_unit(text: str) -> bool:
    """A cell that is only a unit word (a 附表's 单位 column, a unit split from its label)."""
    return unicodedata.normalize("NFKC", text or "").strip() in UNITS
