"""Pages in traditional characters: told apart, and given a simplified copy for search (the
stored text stays as published)."""

from __future__ import annotations

import functools
import re

_HAN = re.compile(r"[\u4e00-\u9fff]")


@functools.cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s.json")


def simplified(text: str) -> str:
    """Traditional → simplified characters (OpenCC t2s), for search."""
    return _t2s().convert(text)


def is_traditional(text: str) -> bool:
    """True when a meaningful share of the Han characters have a different simplified form."""
    han = _HAN.findall(text)
    if len(han) < 10:
        return False
    changed = sum(1 for a, b in zip(text, simplified(text)) if a != b)
    return changed >= 5 and changed / len(han) >= 0.02
