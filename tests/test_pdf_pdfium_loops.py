"""The compiled loops of ``archive.files._pdfium_loops`` gather what the ctypes loops of
``archive.files.pdf_pdfium`` do (the rest of ``pdf_pdfium`` is tested both ways in
``test_pdf_pdfium.py``)."""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from archive.files import pdf_pdfium
from archive.files.pdf_layout import dedupe
from tests.file_kit import TABLE3
from tests.paths import corpus_file

_pdfium_loops = pdf_pdfium._loops
pytestmark = pytest.mark.skipif(_pdfium_loops is None, reason="archive.files._pdfium_loops is not built "
                                "(no C compiler when the project was installed)")


@pytest.mark.parametrize("rel", sorted(TABLE3))
def test_the_compiled_loops_answer_as_ctypes_does(rel):
    """Every character and every object of every page (those with tables too): what the compiled
    loops gather is what the ctypes calls do, field by field, font names included; the pages whose
    characters are read give the same characters."""
    doc = pdfium.PdfDocument(corpus_file(rel))
    chars = objects = read = passed_over = 0
    for index in range(len(doc)):
        page = doc[index]
        handle = ctypes.cast(page.raw, ctypes.c_void_p).value
        count = pdfium_c.FPDFPage_CountObjects(page.raw)
        compiled = pdf_pdfium._object_rows(handle, count, False)
        by_ctypes = list(pdf_pdfium._object_rows_ctypes(handle, count, False))
        # the compiled loop leaves out the text objects visit passes over
        assert compiled == [row for row in by_ctypes if not (
            row[1] == pdfium_c.FPDF_PAGEOBJ_TEXT and row[2] and not row[7] and row[5] - row[3] >= pdf_pdfium.MIN_TEXT_WIDTH)]
        objects += len(by_ctypes)
        passed_over += len(by_ctypes) - len(compiled)
        textpage = page.get_textpage()
        tp = ctypes.cast(textpage.raw, ctypes.c_void_p).value
        n = pdfium_c.FPDFText_CountChars(textpage.raw)
        height = page.get_height()
        compiled = _pdfium_loops.page_chars(tp, n, height, *pdf_pdfium._char_addresses())
        by_ctypes = pdf_pdfium._chars_by_ctypes(tp, n, height)
        assert (compiled is None) == (by_ctypes is None)
        if compiled is not None:
            # ctypes names a character's font only where dedupe compares it (one of several of
            # its text and size); the compiled loop names every one
            assert [{**c, "fontname": None} for c in compiled] == [{**c, "fontname": None} for c in by_ctypes]
            assert all(b["fontname"] in (None, c["fontname"]) for c, b in zip(compiled, by_ctypes))
            assert any(b["fontname"] for b in by_ctypes) and all(c["fontname"] for c in compiled)
            kept = [{**c, "fontname": None} for c in dedupe(compiled)]
            assert kept == [{**c, "fontname": None} for c in dedupe(by_ctypes)]
            read += 1
        chars += n
        textpage.close()
        page.close()
    doc.close()
    assert chars > 1000 and objects > 1000 and read >= 2 and passed_over > 1000


def test_bad_addresses_are_refused():
    with pytest.raises(ValueError):
        _pdfium_loops.page_chars(0, 3, 800.0, *pdf_pdfium._char_addresses())
    with pytest.raises(ValueError):
        page_object, _form_object, *per_object = pdf_pdfium._object_addresses()
        _pdfium_loops.objects(0, 3, False, page_object, *per_object, 1, 0.02)
    with pytest.raises(TypeError):
        _pdfium_loops.page_chars("page", 3, 800.0)
