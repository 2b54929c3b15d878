"""Why a file could not be read: a kind from a small fixed set, and a one-line detail."""

from __future__ import annotations

import re

# the kinds of failure, for code to branch on (the detail is for people)
EMPTY, TOO_LARGE, ENCRYPTED, TRUNCATED, CORRUPT, TIMEOUT, UNSUPPORTED, MISSING_TOOL = (
    "empty", "too-large", "encrypted", "truncated", "corrupt", "timeout", "unsupported", "missing-tool")
KINDS = (EMPTY, TOO_LARGE, ENCRYPTED, TRUNCATED, CORRUPT, TIMEOUT, UNSUPPORTED, MISSING_TOOL)

_WS = re.compile(r"\s+")


class FileError(Exception):
    """Raised by a parser (or a check before it) that knows why the file cannot be read."""

    def __init__(self, kind: str, detail: str = ""):
        if kind not in KINDS:
            raise ValueError(f"unknown file error kind {kind!r}")
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind, self.detail = kind, detail


def short(msg: str, limit: int = 160) -> str:
    msg = _WS.sub(" ", str(msg)).strip()
    return msg if len(msg) <= limit else msg[: limit - 1] + "…"


def describe(exc: BaseException) -> tuple[str, str]:
    """(kind, detail) for any exception a parser raised."""
    if isinstance(exc, FileError):
        return exc.kind, exc.detail
    # pdfplumber wraps pdfminer's exception in PdfminerException(original)
    seen = 0
    while exc.args and isinstance(exc.args[0], BaseException) and seen < 5:
        exc, seen = exc.args[0], seen + 1
    name = type(exc).__name__
    msg = short(str(exc) or name)
    text = f"{name}: {msg}" if msg != name else name
    low = (name + " " + msg).lower()
    if isinstance(exc, MemoryError):
        return TOO_LARGE, "out of memory while parsing"
    if "passwordincorrect" in low:
        return ENCRYPTED, f"a password is needed to open it ({name})"
    if "password" in low or "encrypt" in low:
        return ENCRYPTED, text
    if isinstance(exc, EOFError) or "eof" in low or "truncat" in low:
        return TRUNCATED, text
    return CORRUPT, text
