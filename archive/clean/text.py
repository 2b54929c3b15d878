"""Whitespace helpers of the cleaner."""

from __future__ import annotations

import re

_WS = re.compile(r"\s+")
_WS_RUN = re.compile(r"[\s\u3000\xa0]+")


def squash(s: str) -> str:
    """All whitespace removed: the key two renderings of one text are compared by."""
    return _WS.sub("", s.replace("\u3000", " ").replace("\xa0", " "))


def squash_ws(s: str) -> str:
    """Whitespace runs (ideographic spaces included) as one space, trimmed: a line as shown."""
    return _WS_RUN.sub(" ", s).strip()
