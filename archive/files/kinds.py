"""What kind of file a body is (magic bytes first, then the name's extension, then Content-Type),
and which extractor reads each kind."""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
import subprocess
import zipfile

from archive.software import package_version
from archive.vocab import DOCUMENT_EXTENSIONS

ANTIWORD_BIN = "antiword"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97–2003 / WPS compound file


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


OLE_WORD = _utf16("WordDocument")
OLE_BOOK = (_utf16("Workbook"), _utf16("Book\x00"))
OLE_ENCRYPTED_PACKAGE = _utf16("EncryptedPackage")

_CTYPES = (
    ("application/pdf", "pdf"),
    ("application/x-pdf", "pdf"),
    ("wordprocessingml", "docx"),
    ("spreadsheetml", "xlsx"),
    ("application/msword", "doc"),
    ("application/vnd.ms-word", "doc"),
    ("application/vnd.ms-excel", "xls"),
    ("application/x-xls", "xls"),
    ("application/ofd", "ofd"),
    ("wps", "wps"),  # application/kswps, application/vnd.ms-works, application/wps-office.wps
)


def _ext_kind(filename: str | None) -> str | None:
    if not filename:
        return None
    name = re.split(r"[?#]", filename, maxsplit=1)[0].rstrip("/").rsplit("/", 1)[-1]
    return DOCUMENT_EXTENSIONS.get(os.path.splitext(name)[1].lower())


def _ctype_kind(content_type: str | None) -> str | None:
    if not content_type:
        return None
    ct = content_type.split(";")[0].strip().lower()
    for needle, kind in _CTYPES:
        if needle in ct:
            return kind
    return None


def _zip_names(body: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            return zf.namelist()
    except Exception:  # noqa: BLE001 - not a readable zip: decided by extension
        return None


def sniff(body: bytes, filename: str | None = None, content_type: str | None = None) -> str:
    """The kind of an attachment: magic bytes first, then the extension, then Content-Type."""
    body = bytes(body or b"")
    by_name = _ext_kind(filename)
    fallback = by_name or _ctype_kind(content_type) or "unknown"
    if b"%PDF-" in body[:1024]:
        return "pdf"
    if body.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        names = _zip_names(body) or []
        lower = {n.lower() for n in names}
        if "word/document.xml" in lower or any(n.startswith("word/") and n.endswith(".xml") for n in lower):
            return "docx"
        if "xl/workbook.xml" in lower or any(n.startswith("xl/") and n.endswith(".xml") for n in lower):
            return "xlsx"
        if "ofd.xml" in lower or any(n.endswith("/ofd.xml") for n in lower):
            return "ofd"
        return fallback
    if body.startswith(OLE2):
        if OLE_WORD in body:
            return "wps" if by_name == "wps" else "doc"
        if any(name in body for name in OLE_BOOK):
            return "xls"
        return fallback
    return fallback


@functools.lru_cache(maxsize=4)
def antiword_version(path: str) -> str:
    try:
        out = subprocess.run([path], capture_output=True, timeout=5, check=False)
        m = re.search(rb"Version:\s*([\w.]+)", out.stdout + out.stderr)
        return m.group(1).decode() if m else "?"
    except Exception:  # noqa: BLE001
        return "?"


def extractor_name(kind: str) -> str:
    if kind == "pdf":
        return f"pdfplumber {package_version('pdfplumber')} (pdfminer.six {package_version('pdfminer.six')})"
    if kind == "docx":
        return f"python-docx {package_version('python-docx')}"
    if kind == "xlsx":
        return f"openpyxl {package_version('openpyxl')}"
    if kind == "xls":
        return f"xlrd {package_version('xlrd')}"
    if kind in ("doc", "wps"):
        path = shutil.which(ANTIWORD_BIN)
        return f"antiword {antiword_version(path)}" if path else "antiword"
    return ""
