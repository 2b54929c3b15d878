"""The cleaned text and tables assembled from the article's blocks.

Tables are re-read from the HTML (``archive.tables``): one text line per row, and a grid. A
document-information grid above the body (索引号 | … | 发文字号 | …) is metadata, not text; a layout
table (a whole body, or paragraphs, inside its cells) is walked as text, with any data tables it
holds kept as tables.
"""

from __future__ import annotations

from archive.tables import parse_table
from archive.vocab import DOCINFO_LABELS

from .blocks import is_data_table, source_table, walk_blocks
from .text import squash, squash_ws


class Body:
    """Lines, tables and document information, in the order the blocks come."""

    def __init__(self, html_tables: list, removed: list[dict]):
        self.lines: list[str] = []
        self.tables: list[dict] = []
        self.docinfo: dict = {}
        self.removed = removed
        self._html_tables, self._used = html_tables, set()
        self._cells: dict[int, set[str]] = {}  # the HTML tables' cell texts, computed once
        # lines of layout tables walked here: trafilatura gives some of them again after its table
        self._walked: dict[str, int] = {}

    def add(self, items: list) -> "Body":
        for kind, value in items:
            if kind == "line":
                key = squash(value)
                if self._walked.get(key):
                    self._walked[key] -= 1  # already taken from the layout table it stands in
                    continue
                self.lines.append(value)
            elif value.getroottree().getroot().tag == "doc":
                self._add_trafilatura_table(value)
            else:
                self.add_table(value)
        return self

    def _add_trafilatura_table(self, table) -> None:
        """A table as trafilatura saw it: re-read the HTML table it came from (best cell overlap)."""
        src = source_table(table, self._html_tables, self._used, self._cells)
        if src is not None:
            self.add_table(src)
            return
        for row in table.iter("row"):  # no source found: keep trafilatura's rows rather than lose them
            cells = [squash_ws("".join(c.itertext())) for c in row.iter("cell")]
            if any(cells):
                self.lines.append(" | ".join(cells))

    def add_table(self, src) -> None:
        if len(self.lines) <= 3 and not self.tables:
            info = docinfo_grid(src)
            if info is not None:  # metadata grid above the body: metadata, not text
                self.docinfo.update(info)
                self.removed.append({"line": " | ".join(f"{k}: {v}" for k, v in info.items())[:200],
                                     "reason": "document-information table (metadata)"})
                return
        if not is_data_table(src):  # a layout table: its content is text (and maybe data tables)
            for kind, value in walk_blocks(src):
                if kind == "line":
                    self.lines.append(value)
                    key = squash(value)
                    self._walked[key] = self._walked.get(key, 0) + 1
                else:
                    self.add_table(value)
            return
        table = parse_table(src)
        self.tables.append(table.to_json())
        self.lines.extend(table.text_lines())


def docinfo_grid(table_el) -> dict | None:
    """A document-information grid (索引号 | … | 发文字号 | …) → {label: value}, else None.

    Two layouts occur: label/value pairs along a row, and a row of labels over a row of values."""
    def label(cell: str) -> str:
        return cell.rstrip(":：")

    rows = [[squash_ws(td.text_content()) for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")]
            for tr in table_el.iter("tr")]
    cells = [c for row in rows for c in row]
    if len(cells) > 40 or sum(1 for c in cells if label(c) in DOCINFO_LABELS) < 2:
        return None
    info: dict = {}
    header: list[str] | None = None
    for row in rows:
        if row and all(label(c) in DOCINFO_LABELS for c in row):
            header = [label(c) for c in row]  # values are in the next row
        elif header and len(row) == len(header):
            info.update({k: v for k, v in zip(header, row) if v})
            header = None
        else:
            info.update({label(k): v for k, v in zip(row[::2], row[1::2]) if label(k) in DOCINFO_LABELS})
    return info
