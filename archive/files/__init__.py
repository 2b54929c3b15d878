"""Report attachments (PDF, Word, Excel, WPS, OFD) → text and table grids.

``extract(body, filename, content_type)`` never raises and never hangs: whatever goes wrong comes
back as ``Extracted.error_kind`` (one of ``archive.files.errors.KINDS``: empty, too-large,
encrypted, truncated, corrupt, timeout, unsupported, missing-tool) with a one-line
``error_detail`` and ``text`` "". The parsing runs in a child process that is killed when
``timeout`` runs out (``archive.files.child``); zip containers are checked before any parser
opens them, so a zip bomb posing as a DOCX is refused without being expanded (``guards``).

One module per job: ``kinds`` (what a body is: magic bytes, extension, Content-Type; which
extractor reads it), ``guards`` (checks before parsing), ``child`` (the isolated process),
``pdf`` and ``pdf_layout`` (pdfplumber), ``pdf_pdfium`` (the pages without a ruled table, through
PDFium: the same characters, 7–10 times faster), ``word`` (DOCX, python-docx), ``sheets`` (XLSX openpyxl,
XLS xlrd), ``antiword`` (DOC and WPS), ``text`` (CJK-aware line joining). The extractor's name and
version go into ``Extracted.extractor``. OFD is recognised, not extracted yet.
"""

from __future__ import annotations

import asyncio

from . import antiword, child
from .errors import KINDS as ERROR_KINDS, FileError, describe
from .guards import prepare, zip_guard
from .kinds import sniff
from .model import Extracted

__all__ = ["ERROR_KINDS", "Extracted", "FileError", "extract", "extract_async", "sniff", "zip_guard"]


def extract(body: bytes, filename: str | None = None, content_type: str | None = None, *,
            max_bytes: int = 50_000_000, timeout: float = 60.0) -> Extracted:
    """Text and table grids of one attachment; never raises, never runs past ``timeout``."""
    kind, body, answer = _triage(body, filename, content_type, max_bytes)
    if answer is not None:
        return answer
    try:
        if kind in ("doc", "wps"):
            return antiword.extract(body, kind, timeout)
        return child.run(kind, body, timeout)
    except Exception as exc:  # noqa: BLE001 - the contract is: never raise
        return Extracted.failed(kind, *describe(exc))


async def extract_async(body: bytes, filename: str | None = None, content_type: str | None = None, *,
                        max_bytes: int = 50_000_000, timeout: float = 60.0) -> Extracted:
    """``extract`` for code running on an asyncio event loop (the crawler's): the parser's
    child process (or antiword) is awaited, so the loop goes on serving downloads meanwhile."""
    kind, body, answer = _triage(body, filename, content_type, max_bytes)
    if answer is not None:
        return answer
    try:
        if kind in ("doc", "wps"):  # a subprocess that execs at once: safe from a worker thread
            return await asyncio.to_thread(antiword.extract, body, kind, timeout)
        return await child.run_async(kind, body, timeout)
    except Exception as exc:  # noqa: BLE001 - the contract is: never raise
        return Extracted.failed(kind, *describe(exc))


def _triage(body, filename, content_type, max_bytes: int) -> tuple[str, bytes, Extracted | None]:
    """The file's kind, its bytes, and the answer when no parser needs to run (or None)."""
    try:
        body = bytes(body or b"")
        kind = sniff(body, filename, content_type)
    except Exception as exc:  # noqa: BLE001
        return "unknown", b"", Extracted.failed("unknown", *describe(exc))
    try:
        return kind, body, prepare(body, kind, max_bytes)
    except Exception as exc:  # noqa: BLE001
        return kind, body, Extracted.failed(kind, *describe(exc))
