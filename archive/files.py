"""Report attachments (PDF, Word, Excel, WPS, OFD) → text and table grids.

``extract(body, filename, content_type)`` never raises and never hangs: whatever goes wrong comes
back as a one-line ``error`` (``empty``, ``too large: …``, ``encrypted: …``, ``truncated: …``,
``corrupt: …``, ``timeout after Ns``, ``unsupported: …``), with ``text`` "". The parsing runs in a
child process (``fork`` where available, else ``spawn``) that is killed when ``timeout`` runs out;
zip containers are checked (declared uncompressed sizes, compression ratios) before any parser
opens them, so a zip bomb posing as a DOCX is refused without being expanded.

Formats and extractors (the name and version go into ``Extracted.extractor``):

- PDF — pdfplumber (pdfminer.six). Ruled tables become grids: the ruling is taken from stroked
  lines and thin rectangles only (WPS exports paint a white filled rectangle behind every text
  line, which pdfplumber would otherwise take for one-column tables), a table left open at a page
  break is closed where its vertical rules end, and a table continued on the next page is joined
  into one. Merged cells get rowspan/colspan from the cell boxes. In the text each table row is
  one line, its cells joined by `` | ``, at the table's place. Page numbers and headers/footers
  repeated on most pages are dropped; lines wrapped inside a paragraph, and a sentence cut by a
  page break, are joined again. No space is put between CJK characters (nor between CJK and
  Latin), so ``2024 年`` reads ``2024年`` as in the HTML version of a report. A PDF without any
  text layer is ``scanned=True`` (no OCR).
- DOCX — python-docx (its package reader; the body XML is walked in document order, so
  paragraphs and tables interleave as written). gridSpan and vMerge are resolved into spans.
- XLSX — openpyxl, ``read_only=True, data_only=True``; merged ranges are read from the sheet XML
  (the read-only reader does not expose them). XLS — xlrd (``formatting_info=True`` for merges).
- DOC and WPS — antiword (Debian package ``antiword``: ``apt-get install antiword``), run as a
  subprocess with the timeout. Why antiword: it is a small C program packaged by Debian, reads the
  Word 97–2003 binary format that WPS Office also writes for ``.wps``, outputs UTF-8 (Chinese
  included) and renders tables as ``|cell|cell|`` rows; the alternatives are LibreOffice (hundreds
  of MB, slow to start) or pure-Python OLE readers that only give the raw piece-table text.
  Without the binary the result is ``error="antiword not installed"``.
- OFD — recognised, not extracted yet (``error="OFD not supported yet"``).
"""

from __future__ import annotations

import asyncio
import bisect
import functools
import io
import logging
import math
import multiprocessing
import multiprocessing.connection as mp_connection
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass, field
from importlib import metadata

from archive.tables import Table

KINDS = ("pdf", "docx", "doc", "wps", "xlsx", "xls", "ofd", "unknown")

# zip containers (DOCX/XLSX/OFD): refused before parsing when they would expand past these
MAX_UNZIPPED = 500_000_000  # sum of the entries' declared uncompressed sizes
MAX_RATIO = 200  # uncompressed/compressed of one entry (XML compresses 5–30×; a bomb 1000×)
MAX_SHEET_CELLS = 500_000  # a spreadsheet's rows are read until a sheet holds this many cells
CHILD_EXTRA_MEMORY = 4 << 30  # address space a parsing child may add to what it inherits
ANTIWORD_BIN = "antiword"

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WS = re.compile(r"[ \t\r\n\f\v\u00a0\u3000\u200b\ufeff]+")


@dataclass
class Extracted:
    kind: str
    text: str = ""
    tables: list[dict] = field(default_factory=list)
    pages: int | None = None
    scanned: bool = False
    extractor: str = ""
    error: str | None = None


# ---------------------------------------------------------------------------------------------
# sniffing


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


_OLE_WORD = _utf16("WordDocument")
_OLE_BOOK = (_utf16("Workbook"), _utf16("Book\x00"))
_OLE_ENCRYPTED_PACKAGE = _utf16("EncryptedPackage")

_EXT = {
    ".pdf": "pdf",
    ".docx": "docx", ".docm": "docx", ".dotx": "docx", ".dotm": "docx",
    ".doc": "doc", ".dot": "doc",
    ".wps": "wps", ".wpt": "wps",
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xltx": "xlsx",
    ".xls": "xls", ".xlt": "xls", ".et": "xls",
    ".ofd": "ofd",
}  # fmt: skip

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
    return _EXT.get(os.path.splitext(name)[1].lower())


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
    if body.startswith(_OLE2):
        if _OLE_WORD in body:
            return "wps" if by_name == "wps" else "doc"
        if any(name in body for name in _OLE_BOOK):
            return "xls"
        return fallback
    return fallback


# ---------------------------------------------------------------------------------------------
# public entry point


def extract(
    body: bytes,
    filename: str | None = None,
    content_type: str | None = None,
    *,
    max_bytes: int = 50_000_000,
    timeout: float = 60.0,
) -> Extracted:
    """Text and table grids of one attachment; never raises, never runs past ``timeout``."""
    kind, body, answer = _triage(body, filename, content_type, max_bytes)
    if answer is not None:
        return answer
    try:
        if kind in ("doc", "wps"):
            return _extract_antiword(body, kind, timeout)
        return _run_isolated(kind, body, timeout)
    except Exception as exc:  # noqa: BLE001 - the contract is: never raise
        return Extracted(kind=kind, error=_describe(exc))


async def extract_async(
    body: bytes,
    filename: str | None = None,
    content_type: str | None = None,
    *,
    max_bytes: int = 50_000_000,
    timeout: float = 60.0,
) -> Extracted:
    """``extract`` for code running on an asyncio event loop (the crawler's): the parser's
    child process (or antiword) is awaited, so the loop goes on serving downloads meanwhile."""
    kind, body, answer = _triage(body, filename, content_type, max_bytes)
    if answer is not None:
        return answer
    try:
        if kind in ("doc", "wps"):  # a subprocess that execs at once: safe from a worker thread
            return await asyncio.to_thread(_extract_antiword, body, kind, timeout)
        proc, receiver = _start_child(kind, body)  # forked from the loop's own thread
        timed_out = not await _readable(receiver, proc.sentinel, timeout)
        return _collect(kind, proc, receiver, timed_out, timeout)
    except Exception as exc:  # noqa: BLE001 - the contract is: never raise
        return Extracted(kind=kind, error=_describe(exc))


def _triage(body, filename, content_type, max_bytes: int) -> tuple[str, bytes, Extracted | None]:
    """The file's kind, its bytes, and the answer when no parser needs to run (or None)."""
    try:
        body = bytes(body or b"")
        kind = sniff(body, filename, content_type)
    except Exception as exc:  # noqa: BLE001
        return "unknown", b"", Extracted(kind="unknown", error=_describe(exc))
    try:
        return kind, body, _prepare(body, kind, max_bytes)
    except Exception as exc:  # noqa: BLE001
        return kind, body, Extracted(kind=kind, error=_describe(exc))


async def _readable(receiver, sentinel: int, timeout: float) -> bool:
    """Wait, without blocking the event loop, until the child sends its result or dies."""
    loop = asyncio.get_running_loop()
    ready = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(True)

    fds = (receiver.fileno(), sentinel)
    for fd in fds:
        loop.add_reader(fd, wake)
    try:
        await asyncio.wait_for(ready, max(timeout, 0.001))
        return True
    except asyncio.TimeoutError:
        return False
    finally:
        for fd in fds:
            loop.remove_reader(fd)


def _prepare(body: bytes, kind: str, max_bytes: int) -> Extracted | None:
    """The answer for a file no parser needs to see (empty, too large, encrypted, a zip bomb,
    unsupported …), or None when it goes to its parser."""
    if not body.strip(b"\x00 \t\r\n"):
        return Extracted(kind=kind, error="empty")
    if len(body) > max_bytes:
        return Extracted(kind=kind, error=f"too large: {len(body)} bytes (limit {max_bytes})")
    if kind == "ofd":
        return Extracted(kind=kind, error="OFD not supported yet")
    if kind == "unknown":
        return Extracted(kind=kind, error="unsupported: not a PDF, Word, WPS, Excel or OFD file")
    if kind in ("docx", "xlsx"):
        if body.startswith(_OLE2):
            if _OLE_ENCRYPTED_PACKAGE in body:
                return Extracted(kind=kind, extractor=_extractor_name(kind),
                                 error="encrypted: password-protected Office file")
            return Extracted(kind=kind, error="corrupt: an OLE2 file that is neither Word nor Excel")
        problem = zip_guard(body)
        if problem:
            return Extracted(kind=kind, extractor=_extractor_name(kind), error=problem)
    if kind in ("doc", "wps", "xls") and not body.startswith(_OLE2):
        return Extracted(kind=kind, error=_not_ole2(body, kind))
    return None


def _not_ole2(body: bytes, kind: str) -> str:
    """Why a .doc/.wps/.xls that is not an OLE2 file cannot be read: portals often serve RTF,
    or HTML saved by Word/Excel or exported by the CMS, under these names."""
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"{\\rtf"):
        return f"unsupported: RTF document with a .{kind} name"
    if head[:1] == b"<":
        return f"unsupported: HTML or XML document with a .{kind} name"
    return "corrupt: not an OLE2 (Office 97–2003 / WPS) file"


def zip_guard(body: bytes, max_unzipped: int = MAX_UNZIPPED, max_ratio: float = MAX_RATIO) -> str | None:
    """Why a zip must not be opened (zip bomb, unreadable directory), or None. Reads only the
    central directory; nothing is decompressed. Python's zipfile never inflates an entry past
    its declared size, so bounding the declared sizes bounds what a parser can expand."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        msg = _short(str(exc))
        if "not a zip" in msg.lower():  # the central directory, at the very end, is missing
            return f"corrupt: {msg} (no zip directory: truncated?)"
        return f"corrupt: {msg}"
    except Exception as exc:  # noqa: BLE001
        return _describe(exc)
    total = 0
    for info in infos:
        total += info.file_size
        if info.flag_bits & 0x1:
            return "encrypted: zip entry is encrypted"
        if info.file_size > 1_000_000 and info.file_size > max_ratio * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            return (f"too large: {info.filename} expands {ratio:.0f}× to {info.file_size} bytes "
                    f"(zip bomb?)")
    if total > max_unzipped:
        return f"too large: zip entries expand to {total} bytes (limit {max_unzipped}; zip bomb?)"
    return None


# ---------------------------------------------------------------------------------------------
# running a parser in a child process


def _mp_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _run_isolated(kind: str, body: bytes, timeout: float) -> Extracted:
    proc, receiver = _start_child(kind, body)
    # wake up on a result or on the child's death (a dead spawn child may leave the pipe open)
    ready = mp_connection.wait([receiver, proc.sentinel], max(timeout, 0.001))
    return _collect(kind, proc, receiver, not ready, timeout)


def _start_child(kind: str, body: bytes):
    _preload(kind)  # imported once in the parent, so that forked children start warm
    ctx = _mp_context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(kind, body, sender), name=f"archive-files-{kind}")
    proc.start()
    sender.close()
    return proc, receiver


def _collect(kind: str, proc, receiver, timed_out: bool, timeout: float) -> Extracted:
    """The child's answer once it is ready (or the timeout passed): its result, or why none."""
    result = None
    try:
        if timed_out:
            proc.kill()
            return Extracted(kind=kind, extractor=_extractor_name(kind), error=f"timeout after {timeout:g}s")
        if receiver.poll():
            try:
                result = receiver.recv()
            except (EOFError, OSError):
                result = None
    finally:
        receiver.close()
        proc.join(1.0)
        if proc.is_alive():
            proc.kill()
            proc.join(1.0)
    if result is None:
        code = proc.exitcode
        reason = "out of memory or killed" if code in (-9, 137) else f"exit code {code}"
        return Extracted(kind=kind, extractor=_extractor_name(kind), error=f"corrupt: parser crashed ({reason})")
    return Extracted(**result)


def _child(kind: str, body: bytes, conn) -> None:
    _limit_memory()
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # "could not parse color" and the like
    try:
        out = _PARSERS[kind](body)
        if not isinstance(out, Extracted):
            raise TypeError(f"parser returned {type(out).__name__}")
    except BaseException as exc:  # noqa: BLE001 - reported, never raised
        out = Extracted(kind=kind, error=_describe(exc))
    if not out.extractor:
        out.extractor = _extractor_name(kind)
    if out.error:
        out.text, out.tables = "", []
    try:
        conn.send(asdict(out))
    finally:
        conn.close()


def _limit_memory() -> None:
    try:
        import resource

        with open("/proc/self/statm") as f:
            current = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        limit = current + CHILD_EXTRA_MEMORY
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except Exception:  # noqa: BLE001 - best effort (no /proc, no resource module)
        pass


def _preload(kind: str) -> None:
    try:
        if kind == "pdf":
            import pdfplumber  # noqa: F401
        elif kind == "docx":
            import docx  # noqa: F401
        elif kind == "xlsx":
            import openpyxl  # noqa: F401
        elif kind == "xls":
            import xlrd  # noqa: F401
    except Exception:  # noqa: BLE001 - the child reports it
        pass


# ---------------------------------------------------------------------------------------------
# versions and errors


@functools.cache
def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except Exception:  # noqa: BLE001
        return "?"


@functools.lru_cache(maxsize=4)
def _antiword_version(path: str) -> str:
    try:
        out = subprocess.run([path], capture_output=True, timeout=5, check=False)
        m = re.search(rb"Version:\s*([\w.]+)", out.stdout + out.stderr)
        return m.group(1).decode() if m else "?"
    except Exception:  # noqa: BLE001
        return "?"


def _extractor_name(kind: str) -> str:
    if kind == "pdf":
        return f"pdfplumber {_version('pdfplumber')} (pdfminer.six {_version('pdfminer.six')})"
    if kind == "docx":
        return f"python-docx {_version('python-docx')}"
    if kind == "xlsx":
        return f"openpyxl {_version('openpyxl')}"
    if kind == "xls":
        return f"xlrd {_version('xlrd')}"
    if kind in ("doc", "wps"):
        path = shutil.which(ANTIWORD_BIN)
        return f"antiword {_antiword_version(path)}" if path else "antiword"
    return ""


def _short(msg: str, limit: int = 160) -> str:
    msg = _WS.sub(" ", str(msg)).strip()
    return msg if len(msg) <= limit else msg[: limit - 1] + "…"


def _describe(exc: BaseException) -> str:
    """One line saying what went wrong, starting with the kind of problem."""
    # pdfplumber wraps pdfminer's exception in PdfminerException(original)
    seen = 0
    while exc.args and isinstance(exc.args[0], BaseException) and seen < 5:
        exc, seen = exc.args[0], seen + 1
    name = type(exc).__name__
    msg = _short(str(exc) or name)
    text = f"{name}: {msg}" if msg != name else name
    low = (name + " " + msg).lower()
    if isinstance(exc, MemoryError):
        return "too large: out of memory while parsing"
    if "passwordincorrect" in low:
        return f"encrypted: a password is needed to open it ({name})"
    if "password" in low or "encrypt" in low:
        return f"encrypted: {text}"
    if isinstance(exc, EOFError) or "eof" in low or "truncat" in low:
        return f"truncated: {text}"
    return f"corrupt: {text}"


# ---------------------------------------------------------------------------------------------
# text helpers shared by the formats


def _is_cjk(ch: str) -> bool:
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


def _join_wrapped(a: str, b: str) -> str:
    """Join two pieces of one paragraph that a line break separated."""
    if not a or not b:
        return a + b
    x, y = a[-1], b[0]
    if _is_cjk(x) or _is_cjk(y) or x in "-/@._" or x.isspace() or y.isspace():
        return a + b
    return a + " " + b


def _clean(s: str) -> str:
    return _WS.sub(" ", s).strip()


def _make_table(cells: list[dict], n_rows: int, n_cols: int) -> Table:
    t = Table(cells=cells, n_rows=n_rows, n_cols=n_cols)
    by_row: list[list[str]] = [[] for _ in range(n_rows)]
    for cell in sorted(cells, key=lambda c: (c["r"], c["c"])):
        by_row[cell["r"]].append(cell["text"])
    t.rows = by_row
    return t


def _row_lines(table: Table) -> list[str]:
    """One text line per row: the cells that start in the row, empty ones left out."""
    lines = []
    for row in table.rows:
        texts = [t for t in row if t]
        if texts:
            lines.append(" | ".join(texts))
    return lines


# ---------------------------------------------------------------------------------------------
# PDF

_SENTENCE_END = "。；：！？.!?;:"
_PARA_END_IN_PAGE = "。！？.!?"
_PAGE_NUMBER = re.compile(
    r"^[\s\-—–－_~·•.]*(?:"
    r"(?:共\s*\d+\s*页\s*[,，]?\s*)?第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?"
    r"|\d+\s*/\s*\d+"
    r"|(?:page\s*)?\d+(?:\s*of\s*\d+)?"
    r")[\s\-—–－_~·•.]*$",
    re.IGNORECASE,
)
_ROMAN_PAGE_NUMBER = re.compile(r"^[\s\-—–－_~·•.]*[ivxlcdm]{1,6}[\s\-—–－_~·•.]*$", re.IGNORECASE)
_ITEM_START = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百\d]+[）)]|\d+[、.．](?!\d)"
    r"|第[一二三四五六七八九十百\d]+[章节条部分]|[①②③④⑤⑥⑦⑧⑨⑩])"
)


@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class _PTable:
    x0: float
    x1: float
    top: float
    bottom: float
    n_rows: int
    cells: list[dict]  # {"r","rowspan","x0","x1","text"}: columns are found when the table is final


@dataclass
class _Page:
    width: float
    height: float
    blocks: list  # _Line | _PTable, top to bottom
    n_chars: int


def _group_lines(chars: list[dict]) -> list[_Line]:
    """Characters → visual lines (vertical overlap), each read left to right."""
    rows: list[list] = []  # [top, bottom, [chars]]
    for ch in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        top, bottom = ch["top"], ch["bottom"]
        h = max(bottom - top, 0.1)
        for row in reversed(rows[-3:]):
            overlap = min(row[1], bottom) - max(row[0], top)
            if overlap >= 0.5 * min(h, max(row[1] - row[0], 0.1)):
                row[2].append(ch)
                break
        else:
            rows.append([top, bottom, [ch]])
    lines = []
    for top, bottom, row_chars in rows:
        line = _line_from_chars(row_chars)
        if line is not None:
            lines.append(line)
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines


def _line_from_chars(chars: list[dict]) -> _Line | None:
    chars = sorted(chars, key=lambda c: c["x0"])
    parts: list[str] = []
    prev = None
    pending_space = False
    for ch in chars:
        t = ch["text"]
        if not t or t.isspace():
            pending_space = True
            continue
        if prev is not None:
            gap = ch["x0"] - prev["x1"]
            size = min(prev["size"], ch["size"]) or 10.0
            if prev["text"] == t and abs(ch["x0"] - prev["x0"]) < 0.2 * size:
                continue  # the same glyph drawn twice (fake bold)
            a, b = prev["text"][-1], t[0]
            if _is_cjk(a) or _is_cjk(b):
                if gap > 1.5 * size:
                    parts.append(" ")  # a wide gap between CJK words: two fields on one line
            elif pending_space or gap > 0.25 * size:
                parts.append(" ")
        parts.append(t)
        prev = ch
        pending_space = False
    if prev is None:
        return None
    visible = [c for c in chars if c["text"] and not c["text"].isspace()]
    return _Line(
        text="".join(parts),
        x0=min(c["x0"] for c in visible),
        x1=max(c["x1"] for c in visible),
        top=min(c["top"] for c in visible),
        bottom=max(c["bottom"] for c in visible),
        size=statistics.median(c["size"] for c in visible),
    )


def _text_of(chars: list[dict]) -> str:
    text = ""
    for line in _group_lines(chars):
        text = _join_wrapped(text, line.text) if text else line.text
    return _clean(text)


def _is_ruling(obj: dict) -> bool:
    """Drawing objects that may be table rules: lines, curves, stroked or thin rectangles.
    Filled rectangles without a stroke are backgrounds (cell shading, and the white box WPS
    paints behind every text line), not rules."""
    if obj.get("object_type") != "rect":
        return True
    return bool(obj.get("stroke")) or min(obj["width"], obj["height"]) <= 2.0


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def _nearest(points: list[float], v: float) -> int:
    i = bisect.bisect_left(points, v)
    if i == 0:
        return 0
    if i == len(points):
        return len(points) - 1
    return i if points[i] - v < v - points[i - 1] else i - 1


def _closing_edges(edges: list[dict]) -> list[dict]:
    """Horizontal rules where a table's vertical rules end with no horizontal rule there: the
    bottom (or top) of a table cut by a page break is often left open."""
    vertical = [e for e in edges if e["orientation"] == "v" and e["height"] >= 8]
    horizontal = [e for e in edges if e["orientation"] == "h"]
    out = []
    for key in ("top", "bottom"):
        groups: list[list[dict]] = []
        for e in sorted(vertical, key=lambda e: e[key]):
            if groups and e[key] - groups[-1][-1][key] <= 2:
                groups[-1].append(e)
            else:
                groups.append([e])
        for g in groups:
            if len(g) < 2:
                continue
            y = sum(e[key] for e in g) / len(g)
            x0, x1 = min(e["x0"] for e in g), max(e["x1"] for e in g)
            if x1 - x0 < 20:
                continue
            if any(abs(h["top"] - y) <= 3 and h["x0"] < x1 - 3 and h["x1"] > x0 + 3 for h in horizontal):
                continue
            out.append({"object_type": "synthetic_edge", "orientation": "h", "x0": x0, "x1": x1,
                        "top": y, "bottom": y, "width": x1 - x0, "height": 0.0})
    return out


def _pdf_tables(page) -> list:
    ruled = page.filter(_is_ruling)
    settings = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
    closing = _closing_edges(ruled.edges)
    if closing:
        settings["explicit_horizontal_lines"] = closing
    return ruled.find_tables(settings)


def _pdf_page(page) -> _Page:
    page = page.dedupe_chars()
    x_min, y_min, x_max, y_max = page.bbox
    chars = []
    for c in page.chars:
        cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        if x_min <= cx <= x_max and y_min <= cy <= y_max:
            chars.append(c)
    n_chars = sum(1 for c in chars if c["text"].strip())

    found = []  # (bbox, column xs, row ys, cell boxes) of the tables with at least 2 columns
    for t in _pdf_tables(page):
        boxes = [b for b in t.cells if b[2] - b[0] > 1 and b[3] - b[1] > 1]
        if not boxes:
            continue
        xs = _cluster([b[0] for b in boxes] + [b[2] for b in boxes], 2.0)
        ys = _cluster([b[1] for b in boxes] + [b[3] for b in boxes], 2.0)
        if len(xs) < 3 or len(ys) < 2 or len(boxes) < 2:
            continue  # a one-column box around text is a frame, not a table
        found.append((t.bbox, xs, ys, boxes))

    body_chars = []
    assigned: list[dict[tuple[int, int], list]] = [{} for _ in found]
    owners: list[dict[tuple[int, int], tuple[int, int]]] = []
    for bbox, xs, ys, boxes in found:
        owner = {}
        for b in boxes:
            c0, c1 = _nearest(xs, b[0]), _nearest(xs, b[2])
            r0, r1 = _nearest(ys, b[1]), _nearest(ys, b[3])
            for r in range(r0, max(r1, r0 + 1)):
                for c in range(c0, max(c1, c0 + 1)):
                    owner.setdefault((r, c), (r0, c0))
        owners.append(owner)
    for c in chars:
        cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        for i, (bbox, xs, ys, _boxes) in enumerate(found):
            if bbox[0] - 1 <= cx <= bbox[2] + 1 and bbox[1] - 1 <= cy <= bbox[3] + 1:
                col = min(max(bisect.bisect_right(xs, cx) - 1, 0), len(xs) - 2)
                row = min(max(bisect.bisect_right(ys, cy) - 1, 0), len(ys) - 2)
                key = owners[i].get((row, col), (row, col))  # a slot with no cell box: its own cell
                assigned[i].setdefault(key, []).append(c)
                break
        else:
            body_chars.append(c)

    blocks: list = _group_lines(body_chars)
    for i, (bbox, xs, ys, boxes) in enumerate(found):
        cells = []
        seen = set()
        for b in boxes:
            c0, c1 = _nearest(xs, b[0]), _nearest(xs, b[2])
            r0, r1 = _nearest(ys, b[1]), _nearest(ys, b[3])
            if c1 <= c0 or r1 <= r0 or (r0, c0) in seen:
                continue
            seen.add((r0, c0))
            text = _text_of(assigned[i].get((r0, c0), []))
            cells.append({"r": r0, "rowspan": r1 - r0, "x0": xs[c0], "x1": xs[c1], "text": text})
        for (r, c), cs in assigned[i].items():
            if (r, c) not in seen and (r, c) not in owners[i]:
                cells.append({"r": r, "rowspan": 1, "x0": xs[c], "x1": xs[c + 1], "text": _text_of(cs)})
        blocks.append(_PTable(x0=bbox[0], x1=bbox[2], top=bbox[1], bottom=bbox[3],
                              n_rows=len(ys) - 1, cells=cells))
    blocks.sort(key=lambda b: b.top)
    return _Page(width=float(page.width), height=float(page.height), blocks=blocks, n_chars=n_chars)


def _finish_table(pt: _PTable) -> Table:
    xs = _cluster([c["x0"] for c in pt.cells] + [c["x1"] for c in pt.cells], 3.5)
    cells, taken = [], set()
    for cell in sorted(pt.cells, key=lambda c: (c["r"], c["x0"])):
        c0, c1 = _nearest(xs, cell["x0"]), _nearest(xs, cell["x1"])
        if c1 <= c0 or (cell["r"], c0) in taken:
            continue
        taken.add((cell["r"], c0))
        cells.append({"r": cell["r"], "c": c0, "rowspan": cell["rowspan"], "colspan": c1 - c0,
                      "text": cell["text"], "header": False})
    return _make_table(cells, pt.n_rows, max(len(xs) - 1, 1))


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _drop_page_chrome(pages: list[_Page]) -> None:
    """Remove page numbers and a header/footer line repeated on most pages."""
    n = len(pages)

    def edge_lines(page: _Page):
        lines = [b for b in page.blocks if isinstance(b, _Line)]
        picked = []
        for ln in lines[:3]:
            if ln.top < 0.15 * page.height:
                picked.append(ln)
        for ln in lines[-3:]:
            if ln.bottom > 0.85 * page.height and ln not in picked:
                picked.append(ln)
        if lines and lines[0] not in picked:
            picked.append(lines[0])
        if lines and lines[-1] not in picked:
            picked.append(lines[-1])
        return picked

    counts: dict[str, int] = {}
    for page in pages:
        for key in {_key(ln.text) for ln in edge_lines(page) if ln.top < 0.15 * page.height
                    or ln.bottom > 0.85 * page.height}:
            counts[key] = counts.get(key, 0) + 1
    repeated = {k for k, c in counts.items() if n >= 2 and c >= max(2, n // 2 + 1)}
    for page in pages:
        drop = set()
        for ln in edge_lines(page):
            in_zone = ln.top < 0.15 * page.height or ln.bottom > 0.85 * page.height
            if _PAGE_NUMBER.match(ln.text) or (in_zone and (_key(ln.text) in repeated
                                                              or _ROMAN_PAGE_NUMBER.match(ln.text))):
                drop.add(id(ln))
        if drop:
            page.blocks = [b for b in page.blocks if id(b) not in drop]


def _merge_page_tables(pages: list[_Page]) -> None:
    """A table that ends a page and one that starts the next, same left and right edges: one table."""
    for i in range(len(pages) - 1):
        a_page, b_page = pages[i], pages[i + 1]
        if not a_page.blocks or not b_page.blocks:
            continue
        a, b = a_page.blocks[-1], b_page.blocks[0]
        if not (isinstance(a, _PTable) and isinstance(b, _PTable)):
            continue
        if abs(a.x0 - b.x0) > 4 or abs(a.x1 - b.x1) > 4:
            continue
        # an empty cell at the top of the continuation under a cell that reached the bottom of
        # the previous part is that cell going on (a row label spanning the page break)
        open_cells = [c for c in a.cells if c["r"] + c["rowspan"] == a.n_rows]
        for cell in b.cells:
            if cell["r"] == 0 and not cell["text"]:
                above = next((c for c in open_cells if abs(c["x0"] - cell["x0"]) <= 4
                              and abs(c["x1"] - cell["x1"]) <= 4), None)
                if above is not None:
                    above["rowspan"] += cell["rowspan"]
                    continue
            a.cells.append(dict(cell, r=cell["r"] + a.n_rows))
        a.n_rows += b.n_rows
        a.bottom = b.bottom  # no longer a page coordinate; only used while merging
        b_page.blocks[0] = a  # a third page may continue it; rendered once (identity check)


def _margins(pages: list[_Page]) -> tuple[float, float]:
    lines = [b for p in pages for b in p.blocks if isinstance(b, _Line)]
    if not lines:
        return 0.0, 0.0

    def frequent(values: list[float]) -> list[float]:
        counts: dict[int, int] = {}
        for v in values:
            counts[round(v / 2)] = counts.get(round(v / 2), 0) + 1
        common = [k * 2 for k, c in counts.items() if c >= 2]
        return common or [round(v) for v in values]

    return min(frequent([ln.x0 for ln in lines])), max(frequent([ln.x1 for ln in lines]))


def _continues(a: _Line, b: _Line, left: float, right: float, same_page: bool) -> bool:
    """Is line b the rest of the paragraph that line a leaves unfinished?"""
    size = max(a.size, 1.0)
    if abs(a.size - b.size) > 1.0:
        return False
    if a.x1 < right - 1.2 * size:  # a line that stops short of the right margin ends a paragraph
        return False
    if b.x0 > left + 0.5 * max(b.size, 1.0):  # an indented line starts one
        return False
    if _ITEM_START.match(b.text):
        return False
    end = a.text.rstrip()[-1:]
    if same_page:
        if end and end in _PARA_END_IN_PAGE:
            return False
        gap = b.top - a.bottom
        return -0.2 * size <= gap <= 1.5 * size
    return not (end and end in _SENTENCE_END)


def _assemble(pages: list[_Page]) -> tuple[str, list[dict]]:
    _drop_page_chrome(pages)
    _merge_page_tables(pages)
    left, right = _margins(pages)
    out: list[str] = []
    tables: list[dict] = []
    rendered: set[int] = set()
    prev_line: _Line | None = None
    prev_page = -1
    for pno, page in enumerate(pages):
        for block in page.blocks:
            if isinstance(block, _PTable):
                prev_line = None
                if id(block) in rendered:
                    continue
                rendered.add(id(block))
                table = _finish_table(block)
                tables.append(table.to_json())
                out.extend(_row_lines(table))
                continue
            if prev_line is not None and out and _continues(prev_line, block, left, right, pno == prev_page):
                out[-1] = _join_wrapped(out[-1], block.text)
            else:
                out.append(block.text)
            prev_line, prev_page = block, pno
    text = "\n".join(line for line in (ln.strip() for ln in out) if line)
    return text, tables


def _pdf_truncation(body: bytes) -> str | None:
    end = body.rfind(b"%%EOF")
    if end < 0:
        return "no %%EOF marker (file cut short)"
    tail = body[end + 5:]
    if len(tail) > 1024 and re.search(rb"\d+\s+\d+\s+obj\b", tail[:65536]):
        return "objects after the last %%EOF without a trailer (file cut short)"
    return None


def _parse_pdf(body: bytes) -> Extracted:
    import pdfplumber

    truncated = _pdf_truncation(body) if b"%PDF-" in body[:1024] else None
    try:
        pdf = pdfplumber.open(io.BytesIO(body))
    except Exception as exc:  # noqa: BLE001
        error = _describe(exc)
        if truncated and not error.startswith("encrypted"):
            error = "truncated: " + error.split(": ", 1)[-1]
        return Extracted(kind="pdf", error=error)
    with pdf:
        try:
            n_pages = len(pdf.pages)
        except Exception as exc:  # noqa: BLE001
            return Extracted(kind="pdf", error=("truncated: " if truncated else "") + _describe(exc))
        if truncated:
            return Extracted(kind="pdf", pages=n_pages, error=f"truncated: {truncated}")
        pages = []
        for pno, page in enumerate(pdf.pages, 1):
            try:
                pages.append(_pdf_page(page))
            except Exception as exc:  # noqa: BLE001
                kind, _, rest = _describe(exc).partition(": ")
                return Extracted(kind="pdf", pages=n_pages, error=f"{kind}: page {pno}: {rest}")
            finally:
                page.close()
    if sum(p.n_chars for p in pages) == 0:
        return Extracted(kind="pdf", pages=n_pages, scanned=True)
    text, tables = _assemble(pages)
    return Extracted(kind="pdf", text=text, tables=tables, pages=n_pages)


# ---------------------------------------------------------------------------------------------
# DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_CONTAINERS = {_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "smartTag", _W + "ins",
               _W + "moveTo"}


def _w_val(el, default: str | None = None) -> str | None:
    if el is None:
        return default
    return el.get(_W + "val", default)


def _docx_blocks(parent):
    """Paragraphs and tables of a body (or cell) in document order, through content controls."""
    for child in parent:
        tag = child.tag
        if tag == _W + "p" or tag == _W + "tbl":
            yield child
        elif tag in _CONTAINERS:
            yield from _docx_blocks(child)


def _para_text(p) -> str:
    parts: list[str] = []

    def walk(el):
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag == _MC_FALLBACK or tag == _W + "del":
                continue
            if tag == _W + "t":
                parts.append(child.text or "")
            elif tag in (_W + "tab", _W + "ptab"):
                parts.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                parts.append("\n")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")
            else:
                walk(child)

    walk(p)
    return "\n".join(_clean(x) for x in "".join(parts).split("\n") if _clean(x))


def _cell_text(tc) -> str:
    """A cell's paragraphs (and line breaks) joined as one: narrow columns of the report
    tables break 商业企业 into 商业 / 企业, which must not become two words."""
    text = ""
    for block in _docx_blocks(tc):
        if block.tag == _W + "p":
            pieces = _para_text(block).split("\n")
        else:
            pieces = _row_lines(_docx_table(block))
        for piece in pieces:
            if piece:
                text = _join_wrapped(text, piece) if text else piece
    return _clean(text)


def _docx_rows(tbl):
    for child in tbl:
        if child.tag == _W + "tr":
            yield child
        elif child.tag in _CONTAINERS:
            yield from _docx_rows(child)


def _docx_cells(tr):
    for child in tr:
        if child.tag == _W + "tc":
            yield child
        elif child.tag in _CONTAINERS:
            yield from _docx_cells(child)


def _int(value: str | None, default: int) -> int:
    try:
        return max(int(value), 0) if value is not None else default
    except ValueError:
        return default


def _docx_table(tbl) -> Table:
    cells: list[dict] = []
    above: dict[int, dict] = {}  # grid column → the cell covering it in the previous row
    n_cols = 0
    rows = list(_docx_rows(tbl))
    for r, tr in enumerate(rows):
        trpr = tr.find(_W + "trPr")
        c = _int(_w_val(trpr.find(_W + "gridBefore")) if trpr is not None else None, 0)
        header = trpr is not None and trpr.find(_W + "tblHeader") is not None and \
            _w_val(trpr.find(_W + "tblHeader"), "true") not in ("0", "false", "off")
        current: dict[int, dict] = {}
        for tc in _docx_cells(tr):
            tcpr = tc.find(_W + "tcPr")
            span = max(_int(_w_val(tcpr.find(_W + "gridSpan")) if tcpr is not None else None, 1), 1)
            vmerge = tcpr.find(_W + "vMerge") if tcpr is not None else None
            owner = above.get(c)
            if vmerge is not None and _w_val(vmerge, "continue") == "continue" and owner is not None \
                    and owner["r"] + owner["rowspan"] == r:
                owner["rowspan"] += 1
                extra = _cell_text(tc)
                if extra:
                    owner["text"] = _join_wrapped(owner["text"], extra)
                cell = owner
            else:
                cell = {"r": r, "c": c, "rowspan": 1, "colspan": span, "text": _cell_text(tc), "header": header}
                cells.append(cell)
            for k in range(c, c + span):
                current[k] = cell
            c += span
        n_cols = max(n_cols, c)
        above = current
    for cell in cells:
        cell["colspan"] = max(1, min(cell["colspan"], n_cols - cell["c"]))
    return _make_table(cells, len(rows), n_cols)


def _parse_docx(body: bytes) -> Extracted:
    from docx.oxml import parse_xml
    from docx.package import Package

    package = Package.open(io.BytesIO(body))
    part = package.main_document_part
    root = getattr(part, "element", None)
    if root is None:  # a content type python-docx does not map (.docm, .dotx, WPS variants)
        root = parse_xml(part.blob)
    body_el = root.find(_W + "body")
    if body_el is None:
        return Extracted(kind="docx", error="corrupt: no w:body in word/document.xml")
    lines: list[str] = []
    tables: list[dict] = []
    for block in _docx_blocks(body_el):
        if block.tag == _W + "p":
            text = _para_text(block)
            if text:
                lines.append(text)
        else:
            table = _docx_table(block)
            tables.append(table.to_json())
            lines.extend(_row_lines(table))
    return Extracted(kind="docx", text="\n".join(lines), tables=tables)


# ---------------------------------------------------------------------------------------------
# spreadsheets


def _fmt(value) -> str:
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return f"{value:.15g}"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return _clean(str(value))


def _sheet_table(values: list[list[str]], merges: list[tuple[int, int, int, int]]) -> Table | None:
    """A sheet's values (rows of strings) and merged ranges (0-based r0, r1, c0, c1 exclusive
    ends) → a grid, trailing empty rows and columns dropped."""
    n_rows = 0
    n_cols = 0
    for r, row in enumerate(values):
        for c, v in enumerate(row):
            if v:
                n_rows = max(n_rows, r + 1)
                n_cols = max(n_cols, c + 1)
    if not n_rows:
        return None
    covered: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for r0, r1, c0, c1 in merges:
        r1, c1 = min(r1, n_rows), min(c1, n_cols)
        if r0 >= r1 or c0 >= c1 or (r1 - r0) * (c1 - c0) > MAX_SHEET_CELLS:
            continue
        for r in range(r0, r1):
            for c in range(c0, c1):
                covered.setdefault((r, c), (r0, r1, c0, c1))
    cells = []
    for r in range(n_rows):
        row = values[r] if r < len(values) else []
        for c in range(n_cols):
            span = covered.get((r, c))
            if span is not None and (span[0], span[2]) != (r, c):
                continue
            text = row[c] if c < len(row) else ""
            rs, cs = (span[1] - span[0], span[3] - span[2]) if span else (1, 1)
            cells.append({"r": r, "c": c, "rowspan": rs, "colspan": cs, "text": text, "header": False})
    return _make_table(cells, n_rows, n_cols)


def _xlsx_merges(body: bytes) -> dict[str, list[tuple[int, int, int, int]]]:
    """Sheet name → merged ranges, read from the sheet XML (workbook.xml + its rels)."""
    from lxml import etree
    from openpyxl.utils.cell import range_boundaries

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    ns_pkg = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    out: dict[str, list[tuple[int, int, int, int]]] = {}
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        names = set(zf.namelist())
        wb_path = "xl/workbook.xml"
        if "_rels/.rels" in names:
            for rel in etree.fromstring(zf.read("_rels/.rels"), parser):
                if rel.get("Type", "").endswith("/officeDocument"):
                    wb_path = rel.get("Target", wb_path).lstrip("/")
        base = wb_path.rsplit("/", 1)[0] + "/" if "/" in wb_path else ""
        rels_path = f"{base}_rels/{wb_path.rsplit('/', 1)[-1]}.rels"
        targets = {}
        if rels_path in names:
            for rel in etree.fromstring(zf.read(rels_path), parser):
                if rel.tag == ns_pkg + "Relationship":
                    target = rel.get("Target", "")
                    targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else base + target
        if wb_path not in names:
            return out
        for sheet in etree.fromstring(zf.read(wb_path), parser).iter(ns_main + "sheet"):
            path = targets.get(sheet.get(ns_rel + "id"))
            if not path or path not in names:
                continue
            ranges = []
            with zf.open(path) as f:
                for _, el in etree.iterparse(f, events=("end",), resolve_entities=False, no_network=True):
                    if el.tag == ns_main + "mergeCell":
                        try:
                            c0, r0, c1, r1 = range_boundaries(el.get("ref", ""))
                            ranges.append((r0 - 1, r1, c0 - 1, c1))
                        except Exception:  # noqa: BLE001 - a malformed ref is skipped
                            pass
                    elif el.tag == ns_main + "row":  # the cell data: dropped as it streams by
                        el.clear()
                        while el.getprevious() is not None:
                            del el.getparent()[0]
            out[sheet.get("name", "")] = ranges
    return out


def _sheets_result(kind: str, sheets: list[tuple[str, Table]]) -> Extracted:
    lines: list[str] = []
    for name, table in sheets:
        if len(sheets) > 1 and name:
            lines.append(name)
        lines.extend(_row_lines(table))
    return Extracted(kind=kind, text="\n".join(lines), tables=[t.to_json() for _, t in sheets])


def _parse_xlsx(body: bytes) -> Extracted:
    import openpyxl

    try:
        merges = _xlsx_merges(body)
    except Exception:  # noqa: BLE001 - values without spans beat no values
        merges = {}
    wb = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    sheets = []
    try:
        for ws in wb.worksheets:
            ws.reset_dimensions()  # stored dimensions are often wrong; read what is there
            values, n_cells = [], 0
            for row in ws.iter_rows(values_only=True):
                values.append([_fmt(v) for v in row])
                n_cells += len(row)
                if n_cells > MAX_SHEET_CELLS:
                    break
            table = _sheet_table(values, merges.get(ws.title, []))
            if table is not None:
                sheets.append((ws.title, table))
    finally:
        wb.close()
    return _sheets_result("xlsx", sheets)


def _parse_xls(body: bytes) -> Extracted:
    import xlrd

    with open(os.devnull, "w") as devnull:
        try:
            book = xlrd.open_workbook(file_contents=body, formatting_info=True, logfile=devnull)
        except NotImplementedError:
            book = xlrd.open_workbook(file_contents=body, formatting_info=False, logfile=devnull)
        sheets = []
        for sh in book.sheets():
            values, n_cells = [], 0
            for r in range(sh.nrows):
                row = []
                for cell in sh.row(r):
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        try:
                            row.append(_fmt(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)))
                        except Exception:  # noqa: BLE001
                            row.append(_fmt(cell.value))
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        row.append(_fmt(bool(cell.value)))
                    elif cell.ctype == xlrd.XL_CELL_ERROR:
                        row.append(xlrd.error_text_from_code.get(cell.value, "#ERR"))
                    else:
                        row.append(_fmt(cell.value))
                values.append(row)
                n_cells += len(row)
                if n_cells > MAX_SHEET_CELLS:
                    break
            merges = [(r0, r1, c0, c1) for r0, r1, c0, c1 in (sh.merged_cells or [])]
            table = _sheet_table(values, merges)
            if table is not None:
                sheets.append((sh.name, table))
    return _sheets_result("xls", sheets)


# ---------------------------------------------------------------------------------------------
# DOC / WPS through antiword


def _antiword_table(rows: list[str]) -> Table:
    cells = []
    n_cols = 0
    for r, line in enumerate(rows):
        parts = [_clean(p) for p in line.strip()[1:-1].split("|")]
        for c, text in enumerate(parts):
            cells.append({"r": r, "c": c, "rowspan": 1, "colspan": 1, "text": text, "header": False})
        n_cols = max(n_cols, len(parts))
    return _make_table(cells, len(rows), n_cols)


def _antiword_text(raw: str) -> tuple[str, list[dict]]:
    lines: list[str] = []
    tables: list[dict] = []
    pending: list[str] = []

    def flush():
        if pending:
            table = _antiword_table(pending)
            tables.append(table.to_json())
            lines.extend(_row_lines(table))
            pending.clear()

    for line in raw.splitlines():
        stripped = line.strip()
        if len(stripped) >= 2 and stripped.startswith("|") and stripped.endswith("|"):
            pending.append(stripped)
            continue
        flush()
        if _clean(stripped):
            lines.append(_clean(stripped))
    flush()
    return "\n".join(lines), tables


def _extract_antiword(body: bytes, kind: str, timeout: float) -> Extracted:
    path = shutil.which(ANTIWORD_BIN)
    if not path:
        return Extracted(kind=kind, extractor="antiword", error="antiword not installed")
    extractor = f"antiword {_antiword_version(path)}"
    with tempfile.NamedTemporaryFile(suffix=".doc") as tmp:
        tmp.write(body)
        tmp.flush()
        try:
            proc = subprocess.run([path, "-m", "UTF-8.txt", "-w", "0", tmp.name],
                                  capture_output=True, timeout=max(timeout, 0.001), check=False)
        except subprocess.TimeoutExpired:
            return Extracted(kind=kind, extractor=extractor, error=f"timeout after {timeout:g}s")
        except OSError as exc:
            return Extracted(kind=kind, extractor=extractor, error=f"corrupt: antiword: {_short(str(exc))}")
    stderr = proc.stderr.decode("utf-8", "replace").replace(tmp.name, "file")
    if proc.returncode != 0 or not proc.stdout.strip():
        msg = _short(stderr) or f"exit code {proc.returncode}"
        low = msg.lower()
        prefix = "encrypted" if "encrypt" in low or "password" in low else "corrupt"
        if not proc.stdout.strip() and proc.returncode == 0:
            prefix = "empty" if not msg.startswith("exit") else prefix
        return Extracted(kind=kind, extractor=extractor, error=f"{prefix}: antiword: {msg}")
    text, tables = _antiword_text(proc.stdout.decode("utf-8", "replace"))
    return Extracted(kind=kind, text=text, tables=tables, extractor=extractor)


_PARSERS = {
    "pdf": _parse_pdf,
    "docx": _parse_docx,
    "xlsx": _parse_xlsx,
    "xls": _parse_xls,
}


def _main(argv: list[str] | None = None) -> int:  # pragma: no cover - a manual look at one file
    import json
    import sys

    args = argv if argv is not None else sys.argv[1:]
    for path in args:
        with open(path, "rb") as f:
            t = time.perf_counter()
            r = extract(f.read(), path)
        print(json.dumps({k: v for k, v in asdict(r).items() if k != "tables"} |
                         {"n_tables": len(r.tables), "seconds": round(time.perf_counter() - t, 3)},
                         ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(_main())
