"""PDF → text and ruled tables (pdfplumber, on pdfminer.six, where a page may hold a ruled table;
PDFium through pypdfium2 where none can be and PDFium gives the same characters: ``pdf_pdfium``).

Ruled tables become grids (``archive.files.pdf_layout``); a table continued on the next page is
joined into one; in the text each table row is one line at the table's place. Page numbers and
headers/footers repeated on most pages are dropped; lines wrapped inside a paragraph, and a
sentence cut by a page break, are joined again. No space is put between CJK characters (nor
between CJK and Latin), so ``2024 年`` reads ``2024年`` as in the HTML version of a report. A PDF
without any text layer is ``scanned=True`` (no OCR).
"""

from __future__ import annotations

import io
import re

from .errors import ENCRYPTED, TRUNCATED, describe
from .kinds import extractor_name
from .model import Extracted
from .pdf_layout import Line, Page, PTable, finish_table, read_page
from .text import join_wrapped

_SENTENCE_END = "。；：！？.!?;:"
_PARA_END_IN_PAGE = "。！？.!?"
PAGE_NUMBER = re.compile(
    r"^[\s\-—–－_~·•.]*(?:"
    r"(?:共\s*\d+\s*页\s*[,，]?\s*)?第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?"
    r"|\d+\s*/\s*\d+"
    r"|(?:page\s*)?\d+(?:\s*of\s*\d+)?"
    r")[\s\-—–－_~·•.]*$",
    re.IGNORECASE,
)
_ROMANPAGE_NUMBER = re.compile(r"^[\s\-—–－_~·•.]*[ivxlcdm]{1,6}[\s\-—–－_~·•.]*$", re.IGNORECASE)
_ITEM_START = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百\d]+[）)]|\d+[、.．](?!\d)"
    r"|第[一二三四五六七八九十百\d]+[章节条部分]|[①②③④⑤⑥⑦⑧⑨⑩])"
)


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _drop_page_chrome(pages: list[Page]) -> None:
    """Remove page numbers and a header/footer line repeated on most pages."""
    n = len(pages)

    def edge_lines(page: Page):
        lines = [b for b in page.blocks if isinstance(b, Line)]
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
            if PAGE_NUMBER.match(ln.text) or (in_zone and (_key(ln.text) in repeated
                                                              or _ROMANPAGE_NUMBER.match(ln.text))):
                drop.add(id(ln))
        if drop:
            page.blocks = [b for b in page.blocks if id(b) not in drop]


def _merge_page_tables(pages: list[Page]) -> None:
    """A table that ends a page and one that starts the next, same left and right edges: one table."""
    for i in range(len(pages) - 1):
        a_page, b_page = pages[i], pages[i + 1]
        if not a_page.blocks or not b_page.blocks:
            continue
        a, b = a_page.blocks[-1], b_page.blocks[0]
        if not (isinstance(a, PTable) and isinstance(b, PTable)):
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


def _margins(pages: list[Page]) -> tuple[float, float]:
    lines = [b for p in pages for b in p.blocks if isinstance(b, Line)]
    if not lines:
        return 0.0, 0.0

    def frequent(values: list[float]) -> list[float]:
        counts: dict[int, int] = {}
        for v in values:
            counts[round(v / 2)] = counts.get(round(v / 2), 0) + 1
        common = [k * 2 for k, c in counts.items() if c >= 2]
        return common or [round(v) for v in values]

    return min(frequent([ln.x0 for ln in lines])), max(frequent([ln.x1 for ln in lines]))


def _continues(a: Line, b: Line, left: float, right: float, same_page: bool) -> bool:
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


def _assemble(pages: list[Page]) -> tuple[str, list[dict]]:
    _drop_page_chrome(pages)
    _merge_page_tables(pages)
    left, right = _margins(pages)
    out: list[str] = []
    tables: list[dict] = []
    rendered: set[int] = set()
    prev_line: Line | None = None
    prev_page = -1
    for pno, page in enumerate(pages):
        for block in page.blocks:
            if isinstance(block, PTable):
                prev_line = None
                if id(block) in rendered:
                    continue
                rendered.add(id(block))
                table = finish_table(block)
                tables.append(table.to_json())
                out.extend(table.text_lines())
                continue
            if prev_line is not None and out and _continues(prev_line, block, left, right, pno == prev_page):
                out[-1] = join_wrapped(out[-1], block.text)
            else:
                out.append(block.text)
            prev_line, prev_page = block, pno
    text = "\n".join(line for line in (ln.strip() for ln in out) if line)
    return text, tables


def _truncation(body: bytes) -> str | None:
    end = body.rfind(b"%%EOF")
    if end < 0:
        return "no %%EOF marker (file cut short)"
    tail = body[end + 5:]
    if len(tail) > 1024 and re.search(rb"\d+\s+\d+\s+obj\b", tail[:65536]):
        return "objects after the last %%EOF without a trailer (file cut short)"
    return None


def parse(body: bytes, *, pdfium: bool = True) -> Extracted:
    """Text and ruled tables of a PDF: pdfplumber reads each page that may hold a ruled table,
    PDFium the others (the same characters, so the same text; ``pdf_pdfium``). ``pdfium=False``:
    pdfplumber reads every page. pdfplumber opens the file either way: what it cannot open
    (encrypted, corrupt) fails as it always did."""
    import pdfplumber

    truncated = _truncation(body) if b"%PDF-" in body[:1024] else None
    try:
        pdf = pdfplumber.open(io.BytesIO(body))
    except Exception as exc:  # noqa: BLE001
        kind, detail = describe(exc)
        return Extracted.failed("pdf", TRUNCATED if truncated and kind != ENCRYPTED else kind, detail)
    with pdf:
        try:
            n_pages = len(pdf.pages)
        except Exception as exc:  # noqa: BLE001
            kind, detail = describe(exc)
            return Extracted.failed("pdf", TRUNCATED if truncated else kind, detail)
        if truncated:
            return Extracted.failed("pdf", TRUNCATED, truncated, pages=n_pages)
        quick = _open_pdfium(body, n_pages) if pdfium else None
        pages, by_plumber = [], 0
        try:
            for pno, page in enumerate(pdf.pages, 1):
                try:
                    read = _read_quickly(quick, pno - 1, page)
                    if read is None:
                        read = read_page(page)
                        by_plumber += 1
                    pages.append(read)
                except Exception as exc:  # noqa: BLE001
                    kind, detail = describe(exc)
                    return Extracted.failed("pdf", kind, f"page {pno}: {detail}", pages=n_pages)
                finally:
                    page.close()
        finally:
            if quick is not None:
                quick.close()
    extractor = _extractor(by_plumber, len(pages) - by_plumber)
    if sum(p.n_chars for p in pages) == 0:
        return Extracted(kind="pdf", pages=n_pages, scanned=True, extractor=extractor)
    text, tables = _assemble(pages)
    return Extracted(kind="pdf", text=text, tables=tables, pages=n_pages, extractor=extractor)


def _open_pdfium(body: bytes, n_pages: int):
    """The file opened with PDFium, or None (then pdfplumber reads every page)."""
    try:
        from .pdf_pdfium import PdfiumPages

        quick = PdfiumPages(body)
    except Exception:  # noqa: BLE001 - PDFium cannot open it, or pypdfium2 is missing
        return None
    if len(quick) != n_pages:  # the two read the page tree differently: trust pdfplumber's
        quick.close()
        return None
    return quick


def _read_quickly(quick, index: int, page) -> Page | None:
    """Page ``index`` through PDFium, or None when pdfplumber is to read it (it may hold a ruled
    table, or PDFium failed on it: pdfplumber then says what is wrong with it, as before)."""
    if quick is None:
        return None
    try:
        return quick.read(index, page)
    except Exception:  # noqa: BLE001
        return None


def _extractor(by_plumber: int, by_pdfium: int) -> str:
    """Which library read how many pages."""
    from .pdf_pdfium import version

    if not by_pdfium:
        return extractor_name("pdf")
    if not by_plumber:
        return f"{version()} on {by_pdfium} page{'s' * (by_pdfium != 1)} (no ruled table on them)"
    return (f"{extractor_name('pdf')} on {by_plumber} page{'s' * (by_plumber != 1)}, {version()} on {by_pdfium} "
            f"page{'s' * (by_pdfium != 1)} (no ruled table on them)")
