"""PDF pages without a ruled table are read through PDFium, with the text pdfplumber gives them.

Every test compares ``pdf.parse`` with ``pdf.parse(pdfium=False)`` (pdfplumber reading every page,
as the archive did before): same text, same tables, same page count — on the corpus's report PDFs
and on pages built here with fonts borrowed from them (``tests.pdf_kit``), both where PDFium
reads and where the page is left to pdfplumber on purpose.
"""

from __future__ import annotations

import io

import pytest

from archive.files import pdf
from archive.files import pdf_pdfium
from archive.files.pdf_layout import dedupe
from tests.file_kit import PAGES, TABLE3
from tests.pdf_kit import Borrowed, build
from tests.paths import corpus_file

SONG = ("govnianbao/szfgs2024.pdf", "QVBYYM+FZFSK--GBK1-0")  # an embedded CJK subset (仿宋)
TIMES = ("govnianbao/szfgs2024.pdf", "AUWCNV+TimesNewRomanPSMT")  # -.0123456789@acghkmowz
LINE1 = "本年度主动公开政府信息工作"
LINE2 = "全年开展群众咨询答复"


def same_either_way(body: bytes):
    """The file read now and read by pdfplumber alone: the same; the new reading returned."""
    new, old = pdf.parse(body), pdf.parse(body, pdfium=False)
    assert (new.text, new.tables, new.pages, new.scanned, new.error) == \
        (old.text, old.tables, old.pages, old.scanned, old.error)
    return new


def pdfium_pages(extracted) -> int:
    """How many pages PDFium read, as the extractor says."""
    if "pypdfium2" not in extracted.extractor:
        return 0
    return int(extracted.extractor.split("pypdfium2")[1].split(" on ")[1].split()[0])


@pytest.fixture(autouse=True, params=["compiled", "ctypes"])
def loops(request, monkeypatch):
    """Every test twice: PDFium's answers gathered by the compiled loops, and through ctypes (where
    the extension is not built)."""
    if request.param == "ctypes":
        monkeypatch.setattr(pdf_pdfium, "_loops", None)
    elif pdf_pdfium._loops is None:
        pytest.skip("archive.files._pdfium_loops is not built (no C compiler when the project was installed)")
    return request.param


@pytest.fixture(scope="module")
def fonts():
    return {"F1": Borrowed.load(*SONG, first=100), "F2": Borrowed.load(*TIMES, first=120)}


def text(font: Borrowed, x: float, y: float, s: str, size: float = 12, ops: bytes = b"") -> bytes:
    name = b"F1" if len(font.cids) > 100 else b"F2"
    return b"BT /%s %g Tf %s %g %g Td %s Tj ET" % (name, size, ops, x, y, font.encode(s))


# ---------------------------------------------------------------------------------------------
# the corpus


@pytest.mark.parametrize("rel", sorted(TABLE3))
def test_report_pdfs_read_the_same_with_pdfium_on_their_pages_without_tables(rel):
    r = same_either_way(corpus_file(rel))
    # 表二 on page 2 or 3, 表三 and 表四 on the next two: the rest has no ruled table
    assert r.pages == PAGES[rel] and pdfium_pages(r) == PAGES[rel] - 3
    assert r.extractor.startswith("pdfplumber 0.11") and "pypdfium2" in r.extractor


@pytest.mark.parametrize("rel", sorted(TABLE3))
def test_pdfium_characters_are_pdfplumbers(rel):
    """Page by page where PDFium reads: the same characters (after duplicates are dropped), with
    the same boxes — to 1e-3 pt but for right edges, where PDFium takes a glyph's ink when it
    reaches past its advance (依 in 楷体 of hzq2024, 0.19 pt)."""
    import pdfplumber

    body = corpus_file(rel)
    with pdfplumber.open(io.BytesIO(body)) as doc:
        quick = pdf_pdfium.PdfiumPages(body)
        read = 0
        for index, page in enumerate(doc.pages):
            if quick.read(index, page) is None:
                continue
            read += 1
            theirs = page.dedupe_chars().chars
            handle = quick._doc[index]
            ours = dedupe(quick._chars(handle, float(page.height)))
            handle.close()
            assert [c["text"] for c in ours] == [c["text"] for c in theirs]
            for a, b in zip(ours, theirs):
                assert all(abs(a[k] - b[k]) < 1e-3 for k in ("x0", "top", "bottom", "size")), (a, b)
                assert abs(a["x1"] - b["x1"]) < 0.2, (a, b)
        quick.close()
    assert read == PAGES[rel] - 3


def test_dedupe_drops_what_pdfplumber_drops():
    import pdfplumber
    from pdfplumber.utils import dedupe_chars

    with pdfplumber.open(io.BytesIO(corpus_file("govnianbao/szfgs2024.pdf"))) as doc:
        chars = [dict(c) for c in doc.pages[1].chars]
    # drawn twice: the same glyph 0.4 pt off, 0.9 pt off, 1.5 pt off (kept), a chain of three
    # 0.8 pt apart (one kept by chaining), the same place in another font (kept)
    extra = []
    for i, (dx, dy) in enumerate([(0.4, 0), (0.9, 0.3), (1.5, 0), (0.8, 0), (1.6, 0), (0, 0.7)]):
        c = dict(chars[10 + i])
        extra.append(dict(c, x0=c["x0"] + dx, x1=c["x1"] + dx, top=c["top"] + dy, bottom=c["bottom"] + dy,
                          doctop=c["doctop"] + dy))
    extra.append(dict(chars[30], fontname="Other"))
    chars = chars + extra
    for c in chars:
        c.setdefault("upright", True)
    assert dedupe(chars) == dedupe_chars(chars)
    assert len(dedupe(chars)) < len(chars)


# ---------------------------------------------------------------------------------------------
# pages built here: where PDFium reads


READ_BY_PDFIUM = {
    "two lines": lambda f: text(f["F1"], 50, 700, LINE1) + b"\n" + text(f["F1"], 50, 680, LINE2),
    "CJK and Latin on one line": lambda f: text(f["F1"], 50, 700, LINE1) + text(f["F2"], 212, 700, "2024"),
    "scaled by Tm": lambda f: b"BT /F1 1 Tf 12 0 0 12 50 700 Tm " + f["F1"].encode(LINE1) + b" Tj ET",
    "scaled by cm": b"q 2 0 0 2 0 0 cm ".__add__,
    "horizontal scaling Tz": lambda f: text(f["F1"], 50, 700, LINE1, ops=b"80 Tz") + text(f["F1"], 50, 680, LINE2),
    "rise Ts": lambda f: text(f["F1"], 50, 700, LINE1) + text(f["F2"], 206, 700, "m") + text(f["F2"], 216, 700, "2", ops=b"4 Ts"),
    "character spacing Tc": lambda f: text(f["F1"], 50, 700, LINE1, ops=b"3 Tc") + text(f["F1"], 50, 680, LINE2),
    "kerning in TJ": lambda f: b"BT /F1 12 Tf 50 700 Td [" + f["F1"].encode("本年度") + b" -300 "
                               + f["F1"].encode("主动公开") + b"] TJ ET",
    "invisible text": lambda f: text(f["F1"], 50, 700, LINE1, ops=b"3 Tr") + text(f["F1"], 50, 680, LINE2),
    "fake bold": lambda f: text(f["F1"], 50, 700, LINE1) + text(f["F1"], 50.4, 700, LINE1) + text(f["F1"], 50, 680, LINE2),
    "white boxes behind the lines": lambda f: b"1 1 1 rg 40 690 300 20 re f 40 670 300 20 re f 0 g "
                                              + text(f["F1"], 50, 700, LINE1) + text(f["F1"], 50, 680, LINE2),
    "two vertical rules": lambda f: b"60 600 m 60 720 l S 300 600 m 300 720 l S " + text(f["F1"], 70, 700, LINE1),
    "an underline": lambda f: b"50 697 m 206 697 l S " + text(f["F1"], 50, 700, LINE1),
    "page numbers and a repeated header": lambda f: text(f["F1"], 50, 770, "公开") + text(f["F1"], 50, 700, LINE1)
                                                   + text(f["F2"], 190, 40, "- 2 -".replace(" ", "")),
}


def _content(name: str, f) -> bytes:
    if name == "scaled by cm":
        return b"q 2 0 0 2 0 0 cm " + text(f["F1"], 25, 350, LINE1, size=6) + b" Q"
    return READ_BY_PDFIUM[name](f)


@pytest.mark.parametrize("name", sorted(READ_BY_PDFIUM))
def test_built_page_read_by_pdfium_as_by_pdfplumber(fonts, name):
    r = same_either_way(build(_content(name, fonts), fonts))
    assert pdfium_pages(r) == 1, r.extractor
    assert r.text


def test_text_in_a_form_is_read_by_pdfium(fonts):
    form = text(fonts["F1"], 50, 700, LINE1)
    r = same_either_way(build(b"q 1 0 0 1 0 -20 cm /X1 Do Q " + text(fonts["F1"], 50, 700, LINE2), fonts,
                              forms={"X1": form}))
    assert pdfium_pages(r) == 1 and LINE1 in r.text and LINE2 in r.text


# ---------------------------------------------------------------------------------------------
# pages built here: left to pdfplumber, where the two readers could differ


GRID = b" ".join([b"50 %d m 350 %d l S" % (y, y) for y in (720, 690, 660)]
                 + [b"%d 720 m %d 660 l S" % (x, x) for x in (50, 200, 350)])
# name → (content, the check that leaves the page to pdfplumber: fonts, objects or characters)
LEFT_TO_PDFPLUMBER = {
    "a ruled table": (lambda f: GRID + b" " + text(f["F1"], 60, 700, "本年度") + text(f["F1"], 210, 700, "工作"), "objects"),
    "three vertical rules": (lambda f: b"60 600 m 60 720 l S 180 600 m 180 720 l S 300 600 m 300 720 l S "
                                       + text(f["F1"], 70, 700, LINE1), "objects"),
    "thin rectangles as rules": (lambda f: b"60 600 0.5 120 re f 180 600 0.5 120 re f 300 600 0.5 120 re f "
                                           + text(f["F1"], 70, 700, LINE1), "objects"),
    "a drawn seal": (lambda f: b"1 0 0 rg 100 600 m 100 627 122 650 150 650 c 177 650 200 627 200 600 c "
                               b"200 572 177 550 150 550 c 122 550 100 572 100 600 c f 0 g "
                               + text(f["F1"], 50, 700, LINE1), "objects"),
    "an /ActualText": (lambda f: b"/Span <</ActualText <FEFF0031>>> BDC " + text(f["F2"], 50, 700, "2")
                                 + b" EMC " + text(f["F1"], 50, 680, LINE1), "objects"),
    "a glyph with no width": (lambda f: text(f["F1"], 50, 700, LINE1) + text(f["F2"], 50, 680, "0", ops=b"0 Tz")
                                        + text(f["F1"], 60, 680, LINE2), "objects"),
    "rotated text": (lambda f: b"q 0 1 -1 0 300 100 cm " + text(f["F1"], 0, 0, LINE1) + b" Q", "characters"),
    "a hyphen PDFium joins": (lambda f: text(f["F2"], 50, 700, "how-") + text(f["F2"], 50, 686, "wz"), "characters"),
    "a standard font": (lambda f: b"BT /F3 12 Tf 50 700 Td (annual report) Tj ET " + text(f["F1"], 50, 680, LINE1),
                        "fonts"),
}
COURIER = b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>"


@pytest.mark.parametrize("name", sorted(LEFT_TO_PDFPLUMBER))
def test_built_page_left_to_pdfplumber(fonts, name):
    import pdfplumber

    content, why = LEFT_TO_PDFPLUMBER[name]
    page_fonts = {**fonts, "F3": COURIER} if why == "fonts" else fonts
    body = build(content(fonts), page_fonts)
    r = same_either_way(body)
    assert pdfium_pages(r) == 0, r.extractor
    assert r.text
    # and it is the check meant for it that says so
    with pdfplumber.open(io.BytesIO(body)) as doc:
        page = doc.pages[0]
        quick = pdf_pdfium.PdfiumPages(body)
        handle = quick._doc[0]
        checks = {"fonts": pdf_pdfium._fonts_read_alike(page.page_obj.resources, {}),
                  "objects": pdf_pdfium._objects_read_alike(handle.raw),
                  "characters": quick._chars(handle, float(page.height)) is not None}
        handle.close()
        quick.close()
    assert [k for k, ok in checks.items() if not ok] == [why]


@pytest.mark.parametrize("extra", [b"/Rotate 90", b"/MediaBox [10 10 410 810]"])
def test_rotated_or_shifted_page_left_to_pdfplumber(fonts, extra):
    r = same_either_way(build(text(fonts["F1"], 50, 700, LINE1), fonts, page_extra=extra))
    assert pdfium_pages(r) == 0


def test_a_crop_box_changes_nothing(fonts):
    # pdfplumber reads the media box whatever the crop box; so does PDFium's text page
    r = same_either_way(build(text(fonts["F1"], 50, 700, LINE1) + text(fonts["F1"], 50, 20, LINE2), fonts,
                              page_extra=b"/CropBox [0 100 400 800]"))
    assert pdfium_pages(r) == 1 and LINE2 in r.text


def test_vertical_writing_left_to_pdfplumber(fonts):
    vertical = Borrowed.load(*SONG, first=100)
    head, stream = vertical.objects[vertical.font]
    vertical.objects[vertical.font] = (head.replace(b"/Identity-H", b"/Identity-V"), stream)
    r = same_either_way(build(text(vertical, 200, 700, "本年度"), {"F1": vertical}))
    assert pdfium_pages(r) == 0


# ---------------------------------------------------------------------------------------------
# PDFium failing: pdfplumber reads, nothing else changes


def test_without_pdfium_pdfplumber_reads_every_page(monkeypatch):
    body = corpus_file("kirogovcompare/hzq2023_working.pdf")
    before = pdf.parse(body)

    def cannot_open(body):
        raise RuntimeError("no PDFium here")

    monkeypatch.setattr(pdf_pdfium, "PdfiumPages", cannot_open)
    r = pdf.parse(body)
    assert (r.text, r.tables) == (before.text, before.tables) and pdfium_pages(r) == 0
    assert r.extractor == pdf.extractor_name("pdf")


def test_a_page_pdfium_fails_on_is_read_by_pdfplumber(monkeypatch):
    body = corpus_file("kirogovcompare/hzq2024_working.pdf")
    before = pdf.parse(body)
    read = pdf_pdfium.PdfiumPages.read

    def fails_on_the_first(self, index, page):
        if index == 0:
            raise ValueError("broken page")
        return read(self, index, page)

    monkeypatch.setattr(pdf_pdfium.PdfiumPages, "read", fails_on_the_first)
    r = pdf.parse(body)
    assert (r.text, r.tables) == (before.text, before.tables) and pdfium_pages(r) == pdfium_pages(before) - 1
