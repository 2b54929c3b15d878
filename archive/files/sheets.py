"""Spreadsheets → one grid per sheet. XLSX: openpyxl (``read_only=True, data_only=True``), merged
ranges read from the sheet XML (the read-only reader does not expose them). XLS: xlrd
(``formatting_info=True`` for merges)."""

from __future__ import annotations

import io
import math
import os
import zipfile

from archive.tables import Table

from .model import Extracted
from .text import clean

MAX_SHEET_CELLS = 500_000  # a spreadsheet's rows are read until a sheet holds this many cells


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
    return clean(str(value))


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
    return Table.from_cells(cells, n_rows, n_cols)


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
        lines.extend(table.text_lines())
    return Extracted(kind=kind, text="\n".join(lines), tables=[t.to_json() for _, t in sheets])


def parse_xlsx(body: bytes) -> Extracted:
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


def parse_xls(body: bytes) -> Extracted:
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

