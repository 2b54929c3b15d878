"""One PDF page → its text lines and ruled tables, in reading order (pdfplumber's characters and
drawing objects).

The ruling is taken from stroked lines and thin rectangles only (WPS exports paint a white filled
rectangle behind every text line, which pdfplumber would otherwise take for one-column tables); a
table left open at a page break is closed where its vertical rules end. Merged cells get rowspan
and colspan from the cell boxes.
"""

from __future__ import annotations

import bisect
import statistics
from dataclasses import dataclass
from operator import itemgetter

from archive.tables import Table

from .text import clean, is_cjk, join_wrapped


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class PTable:
    x0: float
    x1: float
    top: float
    bottom: float
    n_rows: int
    cells: list[dict]  # {"r","rowspan","x0","x1","text"}: columns are found when the table is final


@dataclass
class Page:
    width: float
    height: float
    blocks: list  # Line | PTable, top to bottom
    n_chars: int


def group_lines(chars: list[dict]) -> list[Line]:
    """Characters → visual lines (vertical overlap), each read left to right."""
    rows: list[list] = []  # [top, bottom, [chars]]
    # (min and max spelt out as comparisons: this loop runs for every character of every page)
    for ch in sorted(chars, key=_TOP_X0):
        top, bottom = ch["top"], ch["bottom"]
        h = bottom - top
        if 0.1 > h:
            h = 0.1
        for row in reversed(rows[-3:]):
            row_top, row_bottom = row[0], row[1]
            overlap = (bottom if bottom < row_bottom else row_bottom) - (top if top > row_top else row_top)
            row_h = row_bottom - row_top
            if 0.1 > row_h:
                row_h = 0.1
            if overlap >= 0.5 * (row_h if row_h < h else h):
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


_TOP_X0 = itemgetter("top", "x0")
_X0 = itemgetter("x0")


def _line_from_chars(chars: list[dict]) -> Line | None:
    chars = sorted(chars, key=_X0)
    parts: list[str] = []
    sizes: list[float] = []
    prev = None
    pending_space = False
    # the visible characters' extent, kept as min() and max() would (runs for every character)
    x0 = x1 = top = bottom = 0.0
    for ch in chars:
        t = ch["text"]
        if not t or t.isspace():
            pending_space = True
            continue
        c_x0, c_x1, c_top, c_bottom, c_size = ch["x0"], ch["x1"], ch["top"], ch["bottom"], ch["size"]
        sizes.append(c_size)
        if prev is None:
            x0, x1, top, bottom = c_x0, c_x1, c_top, c_bottom
        else:
            if c_x0 < x0:
                x0 = c_x0
            if c_x1 > x1:
                x1 = c_x1
            if c_top < top:
                top = c_top
            if c_bottom > bottom:
                bottom = c_bottom
            gap = c_x0 - prev["x1"]
            size = min(prev["size"], c_size) or 10.0
            if prev["text"] == t and abs(c_x0 - prev["x0"]) < 0.2 * size:
                continue  # the same glyph drawn twice (fake bold)
            a, b = prev["text"][-1], t[0]
            if is_cjk(a) or is_cjk(b):
                if gap > 1.5 * size:
                    parts.append(" ")  # a wide gap between CJK words: two fields on one line
            elif pending_space or gap > 0.25 * size:
                parts.append(" ")
        parts.append(t)
        prev = ch
        pending_space = False
    if prev is None:
        return None
    return Line(text="".join(parts), x0=x0, x1=x1, top=top, bottom=bottom, size=statistics.median(sizes))


def _text_of(chars: list[dict]) -> str:
    text = ""
    for line in group_lines(chars):
        text = join_wrapped(text, line.text) if text else line.text
    return clean(text)


def _is_ruling(obj: dict) -> bool:
    """Drawing objects that may be table rules: lines, curves, stroked or thin rectangles.
    Filled rectangles without a stroke are backgrounds (cell shading, and the white box WPS
    paints behind every text line), not rules."""
    if obj.get("object_type") != "rect":
        return True
    return bool(obj.get("stroke")) or min(obj["width"], obj["height"]) <= 2.0


def cluster(values: list[float], tol: float) -> list[float]:
    """Group sorted values no more than ``tol`` apart; the mean of each group."""
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


class _Grid:
    """A ruled table found on a page: its column and row rules, cell boxes, and the characters
    that fall into each cell (keyed by the cell's top-left slot)."""

    def __init__(self, bbox, xs: list[float], ys: list[float], boxes: list):
        self.bbox, self.xs, self.ys, self.boxes = bbox, xs, ys, boxes
        self.chars: dict[tuple[int, int], list] = {}
        self.owner: dict[tuple[int, int], tuple[int, int]] = {}  # slot → the cell box covering it
        for b in boxes:
            (r0, c0), (r1, c1) = self._slot(b)
            for r in range(r0, max(r1, r0 + 1)):
                for c in range(c0, max(c1, c0 + 1)):
                    self.owner.setdefault((r, c), (r0, c0))

    @classmethod
    def of(cls, table) -> "_Grid | None":
        boxes = [b for b in table.cells if b[2] - b[0] > 1 and b[3] - b[1] > 1]
        if not boxes:
            return None
        xs = cluster([b[0] for b in boxes] + [b[2] for b in boxes], 2.0)
        ys = cluster([b[1] for b in boxes] + [b[3] for b in boxes], 2.0)
        if len(xs) < 3 or len(ys) < 2 or len(boxes) < 2:
            return None  # a one-column box around text is a frame, not a table
        return cls(table.bbox, xs, ys, boxes)

    def _slot(self, b) -> tuple[tuple[int, int], tuple[int, int]]:
        return ((_nearest(self.ys, b[1]), _nearest(self.xs, b[0])), (_nearest(self.ys, b[3]), _nearest(self.xs, b[2])))

    def take(self, ch: dict, cx: float, cy: float) -> bool:
        """Put a character into its cell if it lies inside this table."""
        x0, top, x1, bottom = self.bbox
        if not (x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1):
            return False
        col = min(max(bisect.bisect_right(self.xs, cx) - 1, 0), len(self.xs) - 2)
        row = min(max(bisect.bisect_right(self.ys, cy) - 1, 0), len(self.ys) - 2)
        key = self.owner.get((row, col), (row, col))  # a slot with no cell box: its own cell
        self.chars.setdefault(key, []).append(ch)
        return True

    def block(self) -> PTable:
        cells, seen = [], set()
        for b in self.boxes:
            (r0, c0), (r1, c1) = self._slot(b)
            if c1 <= c0 or r1 <= r0 or (r0, c0) in seen:
                continue
            seen.add((r0, c0))
            cells.append({"r": r0, "rowspan": r1 - r0, "x0": self.xs[c0], "x1": self.xs[c1],
                          "text": _text_of(self.chars.get((r0, c0), []))})
        for (r, c), chars in self.chars.items():
            if (r, c) not in seen and (r, c) not in self.owner:
                cells.append({"r": r, "rowspan": 1, "x0": self.xs[c], "x1": self.xs[c + 1], "text": _text_of(chars)})
        x0, top, x1, bottom = self.bbox
        return PTable(x0=x0, x1=x1, top=top, bottom=bottom, n_rows=len(self.ys) - 1, cells=cells)


def read_page(page) -> Page:
    """A pdfplumber page → its lines and ruled tables."""
    page = page.dedupe_chars()
    grids = [g for g in (_Grid.of(t) for t in _pdf_tables(page)) if g is not None]
    return page_from_chars(page.chars, page.bbox, float(page.width), float(page.height), grids)


def page_from_chars(chars: list[dict], bbox, width: float, height: float, grids: list | None = None) -> Page:
    """A page's characters (as pdfplumber gives them, duplicates dropped) → its lines, and its
    ruled tables' cells filled from the characters inside them. Characters whose centre lies off
    the page are no text of it."""
    x_min, y_min, x_max, y_max = bbox
    grids = grids or []
    body_chars, n_chars = [], 0
    for c in chars:
        cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        if not (x_min <= cx <= x_max and y_min <= cy <= y_max):
            continue
        n_chars += bool(c["text"].strip())
        if not grids or not any(g.take(c, cx, cy) for g in grids):
            body_chars.append(c)
    blocks: list = group_lines(body_chars) + [g.block() for g in grids]
    blocks.sort(key=lambda b: b.top)
    return Page(width=width, height=height, blocks=blocks, n_chars=n_chars)


def dedupe(chars: list[dict], tolerance: float = 1.0) -> list[dict]:
    """Characters drawn twice dropped, by the rule of pdfplumber's ``dedupe_chars`` (which reads
    pdfplumber's own characters): among characters of one text, font and size, those whose tops
    chain within ``tolerance`` and then whose left edges do are one; the first by position (top,
    left, then order) stays. The order is kept."""
    groups: dict[tuple, list[int]] = {}
    for i, c in enumerate(chars):
        groups.setdefault((c["text"], c["fontname"], c["size"]), []).append(i)
    dropped: set[int] = set()
    for members in groups.values():
        if len(members) < 2:
            continue
        for row in _chained(members, "top", chars, tolerance):
            for cluster in _chained(row, "x0", chars, tolerance):
                first = min(cluster, key=lambda i: (chars[i]["top"], chars[i]["x0"], i))
                dropped.update(i for i in cluster if i != first)
    return [c for i, c in enumerate(chars) if i not in dropped] if dropped else list(chars)


def _chained(members: list[int], field: str, chars: list[dict], tolerance: float) -> list[list[int]]:
    """The runs of ``members`` (sorted by ``field``) in which each value is within ``tolerance`` of
    the one before: only runs of two or more (a lone member stays whatever happens)."""
    ordered = sorted(members, key=lambda i: chars[i][field])
    runs, run = [], [ordered[0]]
    for prev, i in zip(ordered, ordered[1:]):
        if chars[i][field] > chars[prev][field] + tolerance:
            if len(run) > 1:
                runs.append(run)
            run = [i]
        else:
            run.append(i)
    if len(run) > 1:
        runs.append(run)
    return runs


def finish_table(pt: PTable) -> Table:
    xs = cluster([c["x0"] for c in pt.cells] + [c["x1"] for c in pt.cells], 3.5)
    cells, taken = [], set()
    for cell in sorted(pt.cells, key=lambda c: (c["r"], c["x0"])):
        c0, c1 = _nearest(xs, cell["x0"]), _nearest(xs, cell["x1"])
        if c1 <= c0 or (cell["r"], c0) in taken:
            continue
        taken.add((cell["r"], c0))
        cells.append({"r": cell["r"], "c": c0, "rowspan": cell["rowspan"], "colspan": c1 - c0,
                      "text": cell["text"], "header": False})
    return Table.from_cells(cells, pt.n_rows, max(len(xs) - 1, 1))


