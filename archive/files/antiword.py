"""DOC and WPS → text and tables through antiword (Debian package ``antiword``).

Why antiword: a small C program packaged by Debian, it reads the Word 97–2003 binary format that
WPS Office also writes for ``.wps``, outputs UTF-8 (Chinese included) and renders tables as
``|cell|cell|`` rows; the alternatives are LibreOffice (hundreds of MB, slow to start) or
pure-Python OLE readers that only give the raw piece-table text. It runs as a subprocess with the
timeout; without the binary the result says ``missing-tool``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile

from archive.tables import Table

from .errors import CORRUPT, EMPTY, ENCRYPTED, MISSING_TOOL, TIMEOUT, short
from . import kinds
from .kinds import antiword_version
from .model import Extracted
from .text import clean


def _antiword_table(rows: list[str]) -> Table:
    cells = []
    n_cols = 0
    for r, line in enumerate(rows):
        parts = [clean(p) for p in line.strip()[1:-1].split("|")]
        for c, text in enumerate(parts):
            cells.append({"r": r, "c": c, "rowspan": 1, "colspan": 1, "text": text, "header": False})
        n_cols = max(n_cols, len(parts))
    return Table.from_cells(cells, len(rows), n_cols)


def _antiword_text(raw: str) -> tuple[str, list[dict]]:
    lines: list[str] = []
    tables: list[dict] = []
    pending: list[str] = []

    def flush():
        if pending:
            table = _antiword_table(pending)
            tables.append(table.to_json())
            lines.extend(table.text_lines())
            pending.clear()

    for line in raw.splitlines():
        stripped = line.strip()
        if len(stripped) >= 2 and stripped.startswith("|") and stripped.endswith("|"):
            pending.append(stripped)
            continue
        flush()
        if clean(stripped):
            lines.append(clean(stripped))
    flush()
    return "\n".join(lines), tables


def extract(body: bytes, kind: str, timeout: float) -> Extracted:
    path = shutil.which(kinds.ANTIWORD_BIN)
    if not path:
        return Extracted.failed(kind, MISSING_TOOL, "antiword not installed", extractor="antiword")
    extractor = f"antiword {antiword_version(path)}"
    with tempfile.NamedTemporaryFile(suffix=".doc") as tmp:
        tmp.write(body)
        tmp.flush()
        try:
            proc = subprocess.run([path, "-m", "UTF-8.txt", "-w", "0", tmp.name],
                                  capture_output=True, timeout=max(timeout, 0.001), check=False)
        except subprocess.TimeoutExpired:
            return Extracted.failed(kind, TIMEOUT, f"after {timeout:g}s", extractor=extractor)
        except OSError as exc:
            return Extracted.failed(kind, CORRUPT, f"antiword: {short(str(exc))}", extractor=extractor)
    stderr = proc.stderr.decode("utf-8", "replace").replace(tmp.name, "file")
    if proc.returncode != 0 or not proc.stdout.strip():
        msg = short(stderr) or f"exit code {proc.returncode}"
        low = msg.lower()
        error_kind = ENCRYPTED if "encrypt" in low or "password" in low else CORRUPT
        if not proc.stdout.strip() and proc.returncode == 0 and not msg.startswith("exit"):
            error_kind = EMPTY
        return Extracted.failed(kind, error_kind, f"antiword: {msg}", extractor=extractor)
    text, tables = _antiword_text(proc.stdout.decode("utf-8", "replace"))
    return Extracted(kind=kind, text=text, tables=tables, extractor=extractor)

