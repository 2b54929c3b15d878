"""Text helpers the file formats share: joining wrapped lines without spaces between CJK characters."""

from __future__ import annotations

import re

WS = re.compile(r"[ \t\r\n\f\v\u00a0\u3000\u200b\ufeff]+")


def is_cjk(ch: str) -> bool:
    """CJK ideographs, kana, hangul, CJK and full-width punctuation, and general punctuation
    (“”‘’—…): no space is written next to these."""
    o = ord(ch)
    return (
        0x2000 <= o <= 0x206F
        or 0x2E80 <= o <= 0x9FFF
        or 0xAC00 <= o <= 0xD7AF
        or 0xF900 <= o <= 0xFAFF
        or 0xFE30 <= o <= 0xFE4F
        or 0xFF00 <= o <= 0xFFEF
        or 0x20000 <= o <= 0x2FFFF
    )


def join_wrapped(a: str, b: str) -> str:
    """Join two pieces of one paragraph that a line break separated."""
    if not a or not b:
        return a + b
    x, y = a[-1], b[0]
    if is_cjk(x) or is_cjk(y) or x in "-/@._" or x.isspace() or y.isspace():
        return a + b
    return a + " " + b


def clean(s: str) -> str:
    return WS.sub(" ", s).strip()
