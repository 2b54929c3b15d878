"""PDF pages without a ruled table, read through pypdfium2 (PDFium) instead of pdfplumber.

pdfplumber (on pdfminer.six) interprets a page's content in Python: 50–200 ms a page of a report.
PDFium does it in C. Where no ruled table can be on a page, nothing of pdfplumber is needed but
its characters, and PDFium gives the same ones: the text of each glyph, and the box pdfminer.six
gives it — left edge at the glyph's origin, right edge its advance further, bottom edge at the
font's descent below the baseline (PDFium's "loose" box has these), top edge one font size above
that (PDFium's loose top is the font's ascent instead, so it is not used). Those characters go
through the same steps as pdfplumber's (``pdf_layout.page_from_chars``): duplicates dropped as
``dedupe_chars`` drops them, lines grouped, page numbers and repeated headers removed, wrapped
lines joined.

``PdfiumPages.read(index, plumber_page)`` answers None — and the page is left to pdfplumber —
wherever the two could differ:

* the page may hold a ruled table: pdfplumber finds table cells only where at least three
  vertical edges (of lines, of stroked or thin rectangles, of curve segments) cross horizontal
  ones, so a page with fewer than three drawn segments rising a point or more has no table;
  every segment of every path counts here (diagonals and Bézier control points too), except the
  sides of filled rectangles thicker than 2 pt that are not stroked, which pdfplumber's ruling
  filter leaves out as well (``pdf_layout._is_ruling``);
* a rotated page, or one whose media box does not start at 0,0;
* a font that is not embedded (PDFium draws it with a system font, whose widths and descent it
  then uses), or has no descriptor stating its descent (the standard 14: pdfminer.six reads their
  metrics from Adobe's AFM files), a Type 3 font, a font written vertically (a ``-V`` CMap or
  ``/WMode 1``);
* what PDFium's text page does to the text: a text object with no width it leaves out (a run
  of spaces drawn on its own), an ``/ActualText`` it reads instead of the glyphs, a hyphen at a
  line's end it marks as U+0002, a ligature it splits (several characters in one glyph's box),
  right-to-left scripts it reorders and mirrors; a glyph it cannot map to Unicode (pdfminer.six
  writes ``(cid:N)``); a glyph rotated, skewed or mirrored.

Known difference left in: a glyph whose ink reaches past its advance (a calligraphic or italic
glyph) ends where its ink does in PDFium's box, at its advance in pdfminer.six's: one glyph of the
corpus (依 in 楷体, hzq2024 page 1), 0.19 pt. Boxes otherwise agree to 1e-3 pt (PDFium computes in
single precision). The layout's tolerances are points wide; the text of every corpus page and
built test page is the same either way (``tests/test_pdf_pdfium.py``).

The loops that ask PDFium about every character and every object run in C (``_pdfium_loops``, an
optional extension built at install) where it is built, else through ctypes (``_chars_by_ctypes``,
``_object_rows_ctypes``): the same answers (``tests/test_pdf_pdfium_loops.py``), a third of the time.
"""

from __future__ import annotations

import ctypes
import functools
import time

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import PSLiteral

from archive.software import package_version

from .pdf_layout import Page, dedupe, page_from_chars

try:  # the loops that ask PDFium about every character and object, compiled (pyproject: ext-modules)
    from . import _pdfium_loops as _loops
except ImportError:  # not built (no C compiler where it was installed): the same loops through ctypes
    _loops = None

MIN_TEXT_WIDTH = 0.02  # PDFium's text page leaves out text objects narrower than 0.01
MIN_RULE_HEIGHT = 0.9  # pdfplumber keeps vertical edges of 1 pt and more; a margin for rounding
THICK = 2.01  # pdfplumber leaves out filled rectangles thicker than 2 pt that are not stroked
MAX_FORM_DEPTH = 12
MAX_RESOURCE_DEPTH = 12


def version() -> str:
    from pypdfium2.version import PDFIUM_INFO

    return f"pypdfium2 {package_version('pypdfium2')} (PDFium {str(PDFIUM_INFO).split('@')[0]})"


class PdfiumPages:
    """One PDF opened with PDFium; ``read`` gives a page as pdfplumber's reading would, or None."""

    def __init__(self, body: bytes):
        self._doc = pdfium.PdfDocument(body)  # raises on what PDFium cannot open
        self._fonts: dict[int, bool] = {}  # font object number → read alike by the two libraries
        # CPU seconds spent deciding (boxes, fonts, the page's objects), reading the characters
        # (page and text page loaded, characters, duplicates) and making lines (tools/bench_files.py)
        self.spent = {"deciding": 0.0, "characters": 0.0, "lines": 0.0}

    def __len__(self) -> int:
        return len(self._doc)

    def close(self) -> None:
        self._doc.close()

    def read(self, index: int, plumber_page) -> Page | None:
        """Page ``index`` (from 0) from PDFium's characters; None when it is pdfplumber's to read.
        ``plumber_page``: the same page as pdfplumber opened it (its boxes and resources are read,
        never its content)."""
        spent, clock = self.spent, time.thread_time
        t0 = clock()
        if not _plain_page(plumber_page) or not _fonts_read_alike(plumber_page.page_obj.resources, self._fonts):
            spent["deciding"] += clock() - t0
            return None
        t1 = clock()
        page = self._doc[index]
        t2 = clock()
        try:
            ok = _objects_read_alike(page.raw)
            t3 = clock()
            spent["deciding"] += (t1 - t0) + (t3 - t2)
            spent["characters"] += t2 - t1  # loading the page is reading it
            if not ok:
                return None
            chars = self._chars(page, float(plumber_page.height))
            if chars is None:
                spent["deciding"] += clock() - t3
                return None
            chars = dedupe(chars)
            t4 = clock()
            spent["characters"] += t4 - t3
            result = page_from_chars(chars, plumber_page.bbox, float(plumber_page.width), float(plumber_page.height))
            spent["lines"] += clock() - t4
            return result
        finally:
            page.close()

    def _chars(self, page, height: float) -> list[dict] | None:
        """The page's characters as pdfplumber gives them (the fields the layout reads), in
        content order; None at the first one whose box might not be pdfminer.six's."""
        textpage = page.get_textpage()
        try:
            tp = ctypes.cast(textpage.raw, ctypes.c_void_p).value
            count = pdfium_c.FPDFText_CountChars(textpage.raw)
            if _loops is not None:
                return _loops.page_chars(tp, count, height, *_char_addresses())
            return _chars_by_ctypes(tp, count, height)
        finally:
            textpage.close()


def _chars_by_ctypes(tp: int, count: int, height: float) -> list[dict] | None:
    """``PdfiumPages._chars`` through ctypes, six calls a character: where ``_pdfium_loops`` is not
    built, and the reference its ``page_chars`` is tested against (which names every character's
    font, not only those ``dedupe`` compares: the same characters dropped)."""
    unicode_of, generated, map_error, matrix_of, box_of, size_of, _ = _char_calls()
    rect, m = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
    rect_at, m_at = ctypes.addressof(rect), ctypes.addressof(m)
    chars, where = [], []
    last_left = last_right = last_bottom = None
    for i in range(count):
        code = unicode_of(tp, i)
        # the spaces and line breaks PDFium puts between words and lines (it generates nothing
        # else: U+0020, U+000D, U+000A)
        if (code == 32 or code == 13 or code == 10) and generated(tp, i):
            continue
        if code <= 2 or code >= 0x110000 or 0x0590 <= code <= 0x08FF or 0xD800 <= code <= 0xDFFF \
                or 0xFB1D <= code <= 0xFEFF or map_error(tp, i):
            return None  # PDFium's mark of a hyphen it joined (2), right-to-left scripts it reorders
        if not matrix_of(tp, i, m_at) or m.b != 0 or m.c != 0 or m.a <= 0 or m.d <= 0 or not box_of(tp, i, rect_at):
            return None
        if rect.left == last_left and rect.right == last_right and rect.bottom == last_bottom:
            return None  # one glyph made several characters: a ligature PDFium split, an /ActualText
        last_left, last_right, last_bottom = rect.left, rect.right, rect.bottom
        size = size_of(tp, i) * m.d
        bottom = height - rect.bottom
        chars.append({"text": chr(code), "x0": rect.left, "x1": rect.right, "top": bottom - size,
                      "bottom": bottom, "size": size, "fontname": None})
        where.append(i)
    _name_fonts(tp, chars, where)
    return chars


def _name_fonts(tp: int, chars: list[dict], where: list[int]) -> None:
    """The font's name on each character that may be another drawn twice (one of several of its
    text and size): what ``dedupe`` tells duplicates by, besides their place."""
    seen: dict[tuple, int] = {}
    for ch in chars:
        key = (ch["text"], ch["size"])
        seen[key] = seen.get(key, 0) + 1
    name, flags = ctypes.create_string_buffer(256), ctypes.c_int()
    font_info = _char_calls()[-1]
    for ch, i in zip(chars, where):
        if seen[(ch["text"], ch["size"])] > 1:
            name.value = b""  # empty where PDFium has no font for it, as page_chars leaves it
            font_info(tp, i, ctypes.addressof(name), len(name), ctypes.addressof(flags))
            ch["fontname"] = name.value


def _address(function) -> int:
    return ctypes.cast(function, ctypes.c_void_p).value


def _plain(function, restype, *argtypes):
    """A PDFium function as a C prototype of plain types (addresses as integers)."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(_address(function))


def _char_functions() -> tuple:
    """The PDFium functions asked of every character — in the order ``_pdfium_loops.page_chars``
    takes them — with their C result and argument types (addresses as plain integers)."""
    void, num = ctypes.c_void_p, ctypes.c_int
    return ((pdfium_c.FPDFText_GetUnicode, ctypes.c_uint, void, num),
            (pdfium_c.FPDFText_IsGenerated, num, void, num),
            (pdfium_c.FPDFText_HasUnicodeMapError, num, void, num),
            (pdfium_c.FPDFText_GetMatrix, num, void, num, void),
            (pdfium_c.FPDFText_GetLooseCharBox, num, void, num, void),
            (pdfium_c.FPDFText_GetFontSize, ctypes.c_double, void, num),
            (pdfium_c.FPDFText_GetFontInfo, ctypes.c_ulong, void, num, void, ctypes.c_ulong, void))


def _object_functions() -> tuple:
    """The PDFium functions asked of every object of a page or form, in the order
    ``_pdfium_loops.objects`` takes them (a page's getter, then a form's), with their C types."""
    void, num = ctypes.c_void_p, ctypes.c_int
    return ((pdfium_c.FPDFPage_GetObject, void, void, num),
            (pdfium_c.FPDFFormObj_GetObject, void, void, ctypes.c_ulong),
            (pdfium_c.FPDFPageObj_GetType, num, void),
            (pdfium_c.FPDFPageObj_GetBounds, num, void, void, void, void, void),
            (pdfium_c.FPDFPageObj_CountMarks, num, void))


@functools.cache
def _char_calls() -> tuple:
    """``_char_functions`` as plain C prototypes, for the ctypes loop: pypdfium2's bindings check
    each argument's pointer type on every call, which cost a third of a page's time."""
    return tuple(_plain(f, *types) for f, *types in _char_functions())


@functools.cache
def _char_addresses() -> tuple[int, ...]:
    return tuple(_address(f) for f, *_ in _char_functions())


@functools.cache
def _object_calls() -> tuple:
    return tuple(_plain(f, *types) for f, *types in _object_functions())


@functools.cache
def _object_addresses() -> tuple[int, ...]:
    return tuple(_address(f) for f, *_ in _object_functions())


def _plain_page(plumber_page) -> bool:
    """Unrotated, its media box (which pdfplumber reads, whatever the crop box) starting at 0,0:
    PDFium's coordinates are then pdfplumber's, turned upside down."""
    box = tuple(float(v) for v in plumber_page.mediabox)
    return (not plumber_page.rotation and box[:2] == (0.0, 0.0)
            and tuple(float(v) for v in plumber_page.bbox) == box)


def _fonts_read_alike(resources, known: dict[int, bool], depth: int = 0, seen: set | None = None) -> bool:
    """No vertical-writing and no Type 3 font among the page's fonts (those of its forms too).
    ``known``: the answer for each font object already looked at (pages share their fonts)."""
    seen = set() if seen is None else seen
    resources = resolve1(resources)
    if not isinstance(resources, dict) or depth > MAX_RESOURCE_DEPTH:
        return depth <= MAX_RESOURCE_DEPTH
    fonts = resolve1(resources.get("Font"))
    for spec in (fonts.values() if isinstance(fonts, dict) else ()):
        key = getattr(spec, "objid", None)
        ok = known.get(key) if key is not None else None
        if ok is None:
            ok = _font_read_alike(resolve1(spec))
            if key is not None:
                known[key] = ok
        if not ok:
            return False
    xobjects = resolve1(resources.get("XObject"))
    for ref in (xobjects.values() if isinstance(xobjects, dict) else ()):
        key = getattr(ref, "objid", None)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        xobject = resolve1(ref)
        if isinstance(xobject, PDFStream) and _name(xobject.get("Subtype")) == "Form":
            if not _fonts_read_alike(xobject.get("Resources"), known, depth + 1, seen):
                return False
    return True


def _font_read_alike(font) -> bool:
    """Whether the two libraries give this font's glyphs the same boxes: an embedded font with a
    font descriptor stating its descent; not Type 3, not written vertically (a ``-V`` CMap, or an
    embedded CMap of writing mode 1). The standard 14 fonts have no descriptor: pdfminer.six takes
    their metrics from Adobe's AFM files, PDFium from its own fonts. A font that is not embedded
    PDFium replaces with one of the system's, whose widths and descent it then uses."""
    if not isinstance(font, dict):
        return False
    if _name(font.get("Subtype")) == "Type3":
        return False
    encoding = resolve1(font.get("Encoding"))
    if _name(encoding).endswith("-V"):
        return False
    if isinstance(encoding, PDFStream) and resolve1(encoding.get("WMode")) == 1:
        return False
    descriptor = resolve1(font.get("FontDescriptor"))
    if descriptor is None and _name(font.get("Subtype")) == "Type0":
        descendants = resolve1(font.get("DescendantFonts"))
        if isinstance(descendants, list) and descendants:
            descendant = resolve1(descendants[0])
            descriptor = resolve1(descendant.get("FontDescriptor")) if isinstance(descendant, dict) else None
    if not isinstance(descriptor, dict) or not any(k in descriptor for k in ("FontFile", "FontFile2", "FontFile3")):
        return False
    descent = resolve1(descriptor.get("Descent"))
    return isinstance(descent, (int, float)) and descent != 0


def _name(value) -> str:
    value = resolve1(value)
    if isinstance(value, PSLiteral):
        value = value.name
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return value if isinstance(value, str) else ""


def _objects_read_alike(page_handle) -> bool:
    """Whether PDFium's characters of this page are pdfplumber's, as far as the page's objects
    tell: no ruled table can be on it (fewer than three drawn segments rise a point or more —
    see the module's docstring for what counts), and no text object that PDFium's text page
    treats otherwise than pdfminer.six: one with no width (PDFium leaves it out: a run of spaces
    drawn on its own), or one marked with an ``/ActualText`` (PDFium reads that text instead of
    the glyphs). Forms' objects included."""
    get_matrix = pdfium_c.FPDFPageObj_GetMatrix
    path_kind, form_kind, text_kind = pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM, pdfium_c.FPDF_PAGEOBJ_TEXT
    m = pdfium_c.FS_MATRIX()
    rising = 0

    def visit(rows, outer, depth: int) -> bool:
        """False as soon as an object rules the page out."""
        nonlocal rising
        for obj, kind, bounds_ok, left, _bottom, right, _top, marks in rows:
            if kind == text_kind:
                if not bounds_ok or right - left < MIN_TEXT_WIDTH:
                    return False
                if marks and _has_actual_text(ctypes.cast(obj, pdfium_c.FPDF_PAGEOBJECT)):
                    return False
                continue
            if kind != path_kind and kind != form_kind:
                continue
            handle = ctypes.cast(obj, pdfium_c.FPDF_PAGEOBJECT)
            matrix = _multiply((m.a, m.b, m.c, m.d, m.e, m.f) if get_matrix(handle, m) else _IDENTITY, outer)
            if kind == path_kind:
                rising += _rising_segments(handle, matrix)
                if rising >= 3:
                    return False
            elif depth >= MAX_FORM_DEPTH:
                return False  # forms nested deeper than any real document: assume the worst
            elif not visit(_object_rows(obj, pdfium_c.FPDFFormObj_CountObjects(handle), True), matrix, depth + 1):
                return False
        return True

    page = ctypes.cast(page_handle, ctypes.c_void_p).value
    return visit(_object_rows(page, pdfium_c.FPDFPage_CountObjects(page_handle), False), _IDENTITY, 0)


def _object_rows(parent: int, count: int, in_form: bool):
    """The objects 0..count-1 of a page, or of a form object (``in_form``), as tuples (handle,
    type, bounds_ok, left, bottom, right, top, marks), bounds and marks for text objects only:
    gathered in C by ``_pdfium_loops`` where it is built — which leaves out the text objects
    ``visit`` passes over (as wide as MIN_TEXT_WIDTH, no marks) — else through ctypes, lazily."""
    if _loops is not None:
        page_object, form_object, get_type, get_bounds, count_marks = _object_addresses()
        return _loops.objects(parent, count, in_form, form_object if in_form else page_object, get_type,
                              get_bounds, count_marks, pdfium_c.FPDF_PAGEOBJ_TEXT, MIN_TEXT_WIDTH)
    return _object_rows_ctypes(parent, count, in_form)


def _object_rows_ctypes(parent: int, count: int, in_form: bool):
    page_object, form_object, get_type, get_bounds, count_marks = _object_calls()
    get_object = form_object if in_form else page_object
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    box = [ctypes.addressof(v) for v in (left, bottom, right, top)]
    for i in range(count):
        obj = get_object(parent, i) or 0
        kind = get_type(obj) if obj else 0
        if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
            ok = get_bounds(obj, *box)
            yield obj, kind, ok, left.value, bottom.value, right.value, top.value, count_marks(obj)
        else:
            yield obj, kind, 0, 0.0, 0.0, 0.0, 0.0, 0


def _has_actual_text(obj) -> bool:
    for i in range(pdfium_c.FPDFPageObj_CountMarks(obj)):
        mark = pdfium_c.FPDFPageObj_GetMark(obj, i)
        if mark and pdfium_c.FPDFPageObjMark_GetParamValueType(mark, b"ActualText") != pdfium_c.FPDF_OBJECT_UNKNOWN:
            return True
    return False


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _multiply(a, b):
    """The matrix applying ``a`` then ``b`` (PDF order: row vector times a times b)."""
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])


def _rising_segments(path, matrix) -> int:
    """Segments of a path (in page space) rising MIN_RULE_HEIGHT or more, subpath by subpath;
    the sides of an unstroked filled rectangle thicker than THICK do not count."""
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(path, fill, stroke):
        stroke.value = 1  # unknown: counted as a rule
    x, y = ctypes.c_float(), ctypes.c_float()
    a, b, c, d, e, f = matrix
    subpaths: list[list[tuple[float, float]]] = []
    for i in range(pdfium_c.FPDFPath_CountSegments(path)):
        segment = pdfium_c.FPDFPath_GetPathSegment(path, i)
        if not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            return 3
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        if pdfium_c.FPDFPathSegment_GetType(segment) == pdfium_c.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append([point])
        else:
            subpaths[-1].append(point)
        if pdfium_c.FPDFPathSegment_GetClose(segment):
            subpaths[-1].append(subpaths[-1][0])
    count = 0
    for points in subpaths:
        if not stroke.value and _thick_rectangle(points):
            continue
        count += sum(1 for p, q in zip(points, points[1:]) if abs(q[1] - p[1]) >= MIN_RULE_HEIGHT)
    return count


def _thick_rectangle(points: list[tuple[float, float]]) -> bool:
    """A closed axis-aligned rectangle whose sides are all longer than THICK, by pdfminer.six's
    rule for its rectangles (four corners, each side sharing x or y exactly, back to the start)."""
    if len(points) == 6 and points[5] == points[4] == points[0]:
        points = points[:5]  # a last line back to the start before the close, as pdfminer.six drops it
    if len(points) != 5 or points[4] != points[0]:
        return False
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points[:4]
    square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
    return square and min(abs(x2 - x0), abs(y2 - y0)) > THICK
