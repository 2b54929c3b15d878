"""Checks before any parser opens a file: empty, too large, unsupported, encrypted, zip bombs,
and Office 97–2003 names on bodies that are something else."""

from __future__ import annotations

import io
import zipfile

from .errors import CORRUPT, EMPTY, ENCRYPTED, TOO_LARGE, UNSUPPORTED, FileError, describe, short
from .kinds import OLE2, OLE_ENCRYPTED_PACKAGE, extractor_name
from .model import Extracted

# zip containers (DOCX/XLSX/OFD): refused before parsing when they would expand past these
MAX_UNZIPPED = 500_000_000  # sum of the entries' declared uncompressed sizes
MAX_RATIO = 200  # uncompressed/compressed of one entry (XML compresses 5–30×; a bomb 1000×)


def prepare(body: bytes, kind: str, max_bytes: int) -> Extracted | None:
    """The answer for a file no parser needs to see (empty, too large, encrypted, a zip bomb,
    unsupported …), or None when it goes to its parser."""
    if not body.strip(b"\x00 \t\r\n"):
        return Extracted.failed(kind, EMPTY)
    if len(body) > max_bytes:
        return Extracted.failed(kind, TOO_LARGE, f"{len(body)} bytes (limit {max_bytes})")
    if kind == "ofd":
        return Extracted.failed(kind, UNSUPPORTED, "OFD not supported yet")
    if kind == "unknown":
        return Extracted.failed(kind, UNSUPPORTED, "not a PDF, Word, WPS, Excel or OFD file")
    if kind in ("docx", "xlsx"):
        if body.startswith(OLE2):
            if OLE_ENCRYPTED_PACKAGE in body:
                return Extracted.failed(kind, ENCRYPTED, "password-protected Office file",
                                        extractor=extractor_name(kind))
            return Extracted.failed(kind, CORRUPT, "an OLE2 file that is neither Word nor Excel")
        problem = zip_guard(body)
        if problem:
            return Extracted.failed(kind, problem.kind, problem.detail, extractor=extractor_name(kind))
    if kind in ("doc", "wps", "xls") and not body.startswith(OLE2):
        problem = _not_ole2(body, kind)
        return Extracted.failed(kind, problem.kind, problem.detail)
    return None


def _not_ole2(body: bytes, kind: str) -> FileError:
    """Why a .doc/.wps/.xls that is not an OLE2 file cannot be read: portals often serve RTF,
    or HTML saved by Word/Excel or exported by the CMS, under these names."""
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"{\\rtf"):
        return FileError(UNSUPPORTED, f"RTF document with a .{kind} name")
    if head[:1] == b"<":
        return FileError(UNSUPPORTED, f"HTML or XML document with a .{kind} name")
    return FileError(CORRUPT, "not an OLE2 (Office 97–2003 / WPS) file")


def zip_guard(body: bytes, max_unzipped: int = MAX_UNZIPPED, max_ratio: float = MAX_RATIO) -> FileError | None:
    """Why a zip must not be opened (zip bomb, unreadable directory), or None. Reads only the
    central directory; nothing is decompressed. Python's zipfile never inflates an entry past
    its declared size, so bounding the declared sizes bounds what a parser can expand."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        msg = short(str(exc))
        if "not a zip" in msg.lower():  # the central directory, at the very end, is missing
            return FileError(CORRUPT, f"{msg} (no zip directory: truncated?)")
        return FileError(CORRUPT, msg)
    except Exception as exc:  # noqa: BLE001
        return FileError(*describe(exc))
    total = 0
    for info in infos:
        total += info.file_size
        if info.flag_bits & 0x1:
            return FileError(ENCRYPTED, "zip entry is encrypted")
        if info.file_size > 1_000_000 and info.file_size > max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            return FileError(TOO_LARGE, f"{info.filename} expands {ratio:.0f}× to {info.file_size} bytes (zip bomb?)")
    if total > max_unzipped:
        return FileError(TOO_LARGE, f"zip entries expand to {total} bytes (limit {max_unzipped}; zip bomb?)")
    return None
