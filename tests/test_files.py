"""Attachments → text and tables (archive.files): real report PDFs and the official DOCX template
from the shared corpus, plus files built here (scanned, encrypted, truncated, zip bomb, XLSX…).

The expected values were read off the PDFs themselves (pdfplumber's raw page text and table
cells), not produced by archive.files.
"""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
import time
import zipfile
import zlib
from hashlib import md5

import pytest

from archive import files
from archive.files import child, pdf
from archive.files import extract, sniff
from tests.file_kit import HEADINGS, PAGE_NUMBER_LINE, PAGES, REPORT_TITLE, TABLE3, TABLE4, table3_rows_in_order
from tests.paths import corpus_file
from tests.pdf_kit import write_pdf

# ---------------------------------------------------------------------------------------------
# the real reports


@pytest.fixture(scope="module")
def reports():
    cache = {}

    def get(rel):
        if rel not in cache:
            cache[rel] = extract(corpus_file(rel), rel.rsplit("/", 1)[-1])
        return cache[rel]

    return get


@pytest.mark.parametrize("rel", sorted(TABLE3))
def test_report_pdf_text(reports, rel):
    r = reports(rel)
    assert r.error is None, r.error
    assert r.kind == "pdf" and not r.scanned
    assert r.pages == PAGES[rel]
    assert r.extractor.startswith("pdfplumber 0.11")
    lines = r.text.splitlines()
    assert lines[:2] == REPORT_TITLE[rel]
    positions = [lines.index(h) for h in HEADINGS]  # each heading is a line of its own…
    assert positions == sorted(positions)  # …in order
    assert not [ln for ln in lines if PAGE_NUMBER_LINE.match(ln)]
    # a paragraph cut by a page break comes out whole (szfgs p1→p2, hzq p1→p2)
    if rel.startswith("govnianbao"):
        assert "“建设‘四最’一流营商环境高质量推进产业发展”" in r.text
    else:
        assert "严格执行“分级审核、先审后发”程序" in r.text


@pytest.mark.parametrize("rel", sorted(TABLE3))
def test_report_table3_numbers_in_order(reports, rel):
    r = reports(rel)
    assert table3_rows_in_order(r.text, TABLE3[rel]) == []
    # the table rows are in the text once, as table lines, not again as plain lines
    assert sum("本年新收政府信息公开申请数量" in ln for ln in r.text.splitlines()) == 1
    # …and between heading 三 and heading 四
    lines = r.text.splitlines()
    first = next(i for i, ln in enumerate(lines) if "本年新收政府信息公开申请数量" in ln)
    assert lines.index(HEADINGS[2]) < first < lines.index(HEADINGS[3])


@pytest.mark.parametrize("rel", sorted(TABLE3))
def test_report_tables_are_grids(reports, rel):
    r = reports(rel)
    # 二 and 三 each one table though printed across two pages, 四; no text frame taken for a table
    shapes = [(t["n_rows"], t["n_cols"]) for t in r.tables]
    assert shapes == [(14, 4), (28 if rel.startswith("govnianbao") else 26, 10), (4, 15)]
    t3 = r.tables[1]
    assert t3["n_cols"] == 10
    col0 = [row[0] for row in t3["grid"]]
    assert col0[3] == "一、本年新收政府信息公开申请数量"
    assert col0[5] == "三、本年度办理结果" and col0[-1] == "四、结转下年度继续办理"
    first = t3["cells"][0]
    assert first["r"] == 0 and first["c"] == 0 and first["rowspan"] == 3 and first["colspan"] == 3
    assert first["text"] == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    header = {c["text"]: c for c in t3["cells"] if c["r"] <= 2}
    assert header["申请人情况"]["colspan"] == 7
    assert header["法人或其他组织"]["colspan"] == 5
    assert header["自然人"]["rowspan"] == 2 and header["总计"]["rowspan"] == 2
    assert t3["grid"][3][3:] == TABLE3[rel][0][1]
    t4 = r.tables[2]
    assert (t4["n_rows"], t4["n_cols"]) == (4, 15)
    assert t4["grid"][0][:5] == ["行政复议"] * 5 and t4["grid"][0][-1] == "行政诉讼"
    assert t4["grid"][3] == TABLE4[rel]


def test_pdf_under_a_wrong_name_is_still_a_pdf():
    body = corpus_file("kirogovcompare/hzq2024_working.pdf")
    assert sniff(body, "report.doc", "application/msword") == "pdf"
    r = extract(body, "附件1.doc", "application/msword")
    assert r.kind == "pdf" and r.error is None and r.pages == 5
    assert "一、总体情况" in r.text.splitlines()


def test_truncated_pdf():
    body = corpus_file("govnianbao/szfgs2024.pdf")
    r = extract(body[: len(body) // 2], "szfgs2024.pdf")
    assert r.kind == "pdf" and r.error_kind == "truncated", r.error
    assert r.text == "" and r.tables == []


# ---------------------------------------------------------------------------------------------
# the official DOCX template


def test_docx_template():
    r = extract(corpus_file("govnianbao/政务公开年报模版.docx"), "政务公开年报模版.docx")
    assert r.error is None and r.kind == "docx" and r.pages is None
    assert r.extractor.startswith("python-docx 1.")
    lines = r.text.splitlines()
    assert lines[0] == "政府信息公开工作年度报告格式模板"
    positions = [lines.index(h) for h in HEADINGS]
    assert positions == sorted(positions)
    # tables stand where they are in the document: 二's table between headings 二 and 三 …
    assert positions[1] < lines.index("信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数") < positions[2]
    # a blank template row keeps its empty cells (one rule for every table: a value keeps its column)
    row = next(i for i, line in enumerate(lines) if line.split(" | ")[0] == "一、本年新收政府信息公开申请数量")
    assert lines[row] == "一、本年新收政府信息公开申请数量" + " | " * 7
    assert positions[2] < row < positions[3]
    assert positions[3] < lines.index("行政复议 | 行政诉讼") < positions[4]

    assert len(r.tables) == 3
    t2, t3, t4 = r.tables
    assert (t2["n_rows"], t2["n_cols"]) == (14, 4)
    assert [row[0] for row in t2["grid"]] == [
        "第二十条第（一）项", "信息内容", "规章", "行政规范性文件",
        "第二十条第（五）项", "信息内容", "行政许可",
        "第二十条第（六）项", "信息内容", "行政处罚", "行政强制",
        "第二十条第（八）项", "信息内容", "行政事业性收费",
    ]
    assert t2["grid"][0] == ["第二十条第（一）项"] * 4  # gridSpan 4
    assert t2["grid"][5] == ["信息内容"] + ["本年处理决定数量"] * 3  # gridSpan 3

    assert (t3["n_rows"], t3["n_cols"]) == (28, 10)
    col0 = [row[0] for row in t3["grid"]]
    assert col0[3:5] == ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量"]
    assert col0[5:27] == ["三、本年度办理结果"] * 22  # vMerge over 22 rows
    assert col0[27] == "四、结转下年度继续办理"
    assert [row[2] for row in t3["grid"][7:15]] == [
        "1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
        "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项",
    ]
    spans = {c["text"]: (c["r"], c["c"], c["rowspan"], c["colspan"]) for c in t3["cells"] if c["text"]}
    assert spans["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"] == (0, 0, 3, 3)
    assert spans["申请人情况"] == (0, 3, 1, 7)
    assert spans["自然人"] == (1, 3, 2, 1)
    assert spans["法人或其他组织"] == (1, 4, 1, 5)
    assert spans["商业企业"] == (2, 4, 1, 1)  # two lines in the cell, one word
    assert spans["三、本年度办理结果"] == (5, 0, 22, 1)
    assert spans["（三）不予公开"] == (7, 1, 8, 1)
    assert spans["（四）无法提供"] == (15, 1, 3, 1)
    assert spans["（五）不予处理"] == (18, 1, 5, 1)
    assert spans["（六）其他处理"] == (23, 1, 3, 1)
    assert spans["（七）总计"] == (26, 1, 1, 2)

    assert (t4["n_rows"], t4["n_cols"]) == (4, 15)
    spans4 = {(c["r"], c["c"]): (c["text"], c["rowspan"], c["colspan"]) for c in t4["cells"]}
    assert spans4[(0, 0)] == ("行政复议", 1, 5)
    assert spans4[(0, 5)] == ("行政诉讼", 1, 10)
    assert spans4[(1, 0)] == ("结果维持", 2, 1)
    assert spans4[(1, 5)] == ("未经复议直接起诉", 1, 5)


def test_docx_built_here_paragraphs_and_tables_in_order():
    import docx

    d = docx.Document()
    d.add_paragraph("一、总体情况")
    d.add_paragraph("第一段。")
    t = d.add_table(rows=3, cols=3)
    t.cell(0, 0).merge(t.cell(0, 1)).text = "信息内容"
    t.cell(0, 2).text = "数量"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "合并"
    t.cell(1, 1).text, t.cell(1, 2).text = "甲", "1"
    t.cell(2, 1).text, t.cell(2, 2).text = "乙", "2"
    d.add_paragraph("二、其他")
    buf = io.BytesIO()
    d.save(buf)
    r = extract(buf.getvalue(), "x.docx")
    assert r.error is None
    assert r.text.splitlines() == ["一、总体情况", "第一段。", "信息内容 | 数量", "合并 | 甲 | 1", "乙 | 2", "二、其他"]
    assert r.tables[0]["grid"] == [["信息内容", "信息内容", "数量"], ["合并", "甲", "1"], ["合并", "乙", "2"]]


# ---------------------------------------------------------------------------------------------
# PDFs written here


def build_pdf(pages: list[bytes], *, image: bool = False, encrypt: bytes | None = None,
              width: int = 400, height: int = 800) -> bytes:
    """A small valid PDF: one content stream per page, Courier, an optional image XObject, an
    optional RC4-40 (R2) standard security handler with user password ``encrypt`` (b"" for a
    file anyone may open, with restricted permissions, as many government PDFs are)."""
    objects: dict[int, tuple[bytes, bytes | None]] = {
        1: (b"<< /Type /Catalog /Pages 2 0 R >>", None),
        3: (b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>", None),
    }
    kids = []
    next_id = 5
    for content in pages:
        page_id, content_id = next_id, next_id + 1
        next_id += 2
        kids.append(b"%d 0 R" % page_id)
        xobj = b" /XObject << /Im1 4 0 R >>" if image else b""
        page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                b"/Resources << /Font << /F1 3 0 R >>%s >> >>" % (width, height, content_id, xobj))
        objects[page_id] = (page, None)
        objects[content_id] = (b"<< >>", content)
    objects[2] = (b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(pages)), None)
    if image:
        image_dict = (b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
                      b"/BitsPerComponent 8 >>")
        objects[4] = (image_dict, bytes([0, 255, 255, 0]))
    file_id = md5(b"archive-files-test").digest()
    trailer_extra, key = b"", None
    if encrypt is not None:
        pad = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
        padded = (encrypt + pad)[:32]
        owner_padded = (b"owner-password" + pad)[:32]
        owner = rc4(md5(owner_padded).digest()[:5], padded)
        perms = -44  # printing allowed, copying and changing not
        key = md5(padded + owner + perms.to_bytes(4, "little", signed=True) + file_id).digest()[:5]
        user = rc4(key, pad)
        objects[next_id] = (b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>"
                            % (owner.hex().encode(), user.hex().encode(), perms), None)
        trailer_extra = b" /Encrypt %d 0 R" % next_id
    seal = None if key is None else (
        lambda num, stream: rc4(md5(key + num.to_bytes(3, "little") + b"\x00\x00").digest()[:10], stream))
    return write_pdf(objects, version=b"1.4", seal=seal,
                     trailer=b" /ID [<%s> <%s>]%s" % (file_id.hex().encode(), file_id.hex().encode(), trailer_extra))


def rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def text_ops(lines: list[tuple[float, float, str]], size: int = 10) -> bytes:
    ops = []
    for x, y, s in lines:
        ops.append(b"BT /F1 %d Tf %.1f %.1f Td (%s) Tj ET" % (size, x, y, s.encode("latin-1")))
    return b"\n".join(ops)


def test_built_pdf_reads_back():
    r = extract(build_pdf([text_ops([(50, 700, "Hello annual report")])]), "a.pdf")
    assert r.error is None and r.text == "Hello annual report" and r.pages == 1


def test_scanned_pdf_without_text_layer():
    image_only = b"q 300 0 0 300 50 250 cm /Im1 Do Q"
    r = extract(build_pdf([image_only, image_only, image_only], image=True), "scan.pdf")
    assert r.error is None
    assert r.scanned is True and r.pages == 3 and r.text == "" and r.kind == "pdf"
    blank = extract(build_pdf([b"", b""]), "blank.pdf")
    assert blank.scanned is True and blank.pages == 2


def test_encrypted_pdf():
    body = build_pdf([text_ops([(50, 700, "secret")])], encrypt=b"s3cret")
    r = extract(body, "locked.pdf")
    assert r.kind == "pdf" and r.error_kind == "encrypted", r.error
    assert r.text == ""


def test_pdf_encrypted_only_to_restrict_copying_is_read():
    body = build_pdf([text_ops([(50, 700, "open to all")])], encrypt=b"")
    assert b"/Encrypt" in body and b"open to all" not in body
    r = extract(body, "restricted.pdf")
    assert r.error is None and r.text == "open to all"


def test_page_chrome_removed_and_paragraphs_rejoined():
    # Courier 10pt: 6pt a character, so 50 characters from x=50 reach the right margin at 350.
    full = "x" * 44 + " words"  # 50 characters
    assert len(full) == 50
    header = (50, 770, "ACME County Government Open Information Report")
    p1 = text_ops([
        header,
        (62, 700, "Para one starts indented and runs long enough".ljust(48, "a")),
        (50, 686, full),
        (50, 672, "the last line of page one, which continues over th"),  # 50 characters, no stop
        (185, 40, "- 1 -"),
    ])
    p2 = text_ops([
        header,
        (50, 700, "page break and ends here."),
        (62, 686, "Second paragraph, short."),
        (190, 40, "2/3"),
    ])
    p3 = text_ops([
        header,
        (62, 700, "Third page."),
        (170, 40, "Page 3 of 3"),
    ])
    r = extract(build_pdf([p1, p2, p3]), "chrome.pdf")
    assert r.error is None, r.error
    lines = r.text.splitlines()
    assert not any("ACME" in ln for ln in lines)  # the header on every page
    assert not any(re.fullmatch(r"[-\s\d/]+|Page 3 of 3", ln) for ln in lines)  # page numbers
    assert lines == [
        "Para one starts indented and runs long enough".ljust(48, "a")
        + " " + full + " the last line of page one, which continues over th page break and ends here.",
        "Second paragraph, short.",
        "Third page.",
    ]


@pytest.mark.parametrize("line", ["- 3 -", "— 12 —", "3", "第 3 页", "第3页 共5页", "共 5 页 第 3 页", "3/5", "3 / 5",
                                  "Page 3 of 5", "·3·"])
def test_page_number_lines(line):
    assert pdf.PAGE_NUMBER.match(line)


@pytest.mark.parametrize("line", ["2024年", "一、总体情况", "（三）", "3119件", "第二十条第（一）项", "1.属于国家秘密"])
def test_not_page_number_lines(line):
    assert not pdf.PAGE_NUMBER.match(line)


def test_sentence_end_stops_the_page_join():
    full = "y" * 49 + "."
    p1 = text_ops([(62, 700, "z" * 48), (50, 686, full), (185, 40, "- 1 -")])
    p2 = text_ops([(50, 700, "Not a continuation."), (185, 40, "- 2 -")])
    r = extract(build_pdf([p1, p2]), "x.pdf")
    assert r.text.splitlines() == ["z" * 48 + " " + full, "Not a continuation."]


def test_ruled_table_in_a_built_pdf():
    # a 3×3 grid with a merged top row; rules drawn as lines; text at its place among paragraphs
    rules = b"0.5 w " + b" ".join(
        [b"50 %d m 350 %d l S" % (y, y) for y in (600, 580, 560, 540)]
        + [b"50 600 m 50 540 l S", b"350 600 m 350 540 l S", b"150 580 m 150 540 l S", b"250 580 m 250 540 l S"])
    body = text_ops([(62, 650, "Before the table."), (60, 586, "Merged head"), (60, 566, "a1"), (160, 566, "b1"),
                     (260, 566, "7"), (60, 546, "a2"), (160, 546, "b2"), (260, 546, "8"), (62, 500, "After.")])
    r = extract(build_pdf([rules + b"\n" + body]), "t.pdf")
    assert r.error is None
    assert r.text.splitlines() == ["Before the table.", "Merged head", "a1 | b1 | 7", "a2 | b2 | 8", "After."]
    (t,) = r.tables
    assert (t["n_rows"], t["n_cols"]) == (3, 3)
    assert t["cells"][0] == {"r": 0, "c": 0, "rowspan": 1, "colspan": 3, "text": "Merged head", "header": False}
    assert t["grid"][2] == ["a2", "b2", "8"]


# ---------------------------------------------------------------------------------------------
# bad input


def test_empty_body():
    for body in (b"", b"   \n"):
        r = extract(body, "empty.pdf")
        assert r.error_kind == "empty" and r.text == "" and r.kind == "pdf"
    assert extract(b"", None).kind == "unknown"


def test_random_bytes_named_pdf():
    body = bytes(random_bytes(20_000))
    r = extract(body, "report.pdf", "application/pdf")
    assert r.kind == "pdf"
    assert r.error_kind == "corrupt" and r.error_detail.startswith("PDFSyntaxError"), r.error
    assert r.text == ""


def random_bytes(n: int) -> bytes:
    import random

    rnd = random.Random(1234)
    data = bytes(rnd.getrandbits(8) for _ in range(n))
    return data.replace(b"%PDF", b"%PDG").replace(b"PK", b"PJ")


def test_too_large():
    r = extract(b"%PDF-1.4\n" + b"0" * 2000, "big.pdf", max_bytes=1000)
    assert r.error_kind == "too-large"


def test_zip_bomb_posing_as_docx(tmp_path):
    # 1.1 GB of zeros deflated in a stream: about 1 MB on disk, never expanded in memory
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        chunk = bytes(1 << 20)
        with zf.open("word/document.xml", "w", force_zip64=True) as f:
            for _ in range(1100):
                f.write(chunk)
    body = buf.getvalue()
    assert len(body) < 5_000_000
    assert sniff(body, "bomb.docx") == "docx"
    t = time.monotonic()
    r = extract(body, "bomb.docx")
    assert time.monotonic() - t < 2
    assert r.kind == "docx" and r.error_kind == "too-large" and "zip bomb" in r.error, r.error
    assert r.text == ""


def test_zip_bomb_by_total_declared_size():
    # many entries, each with a believable ratio, adding up to too much
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * 2000)
    assert files.zip_guard(buf.getvalue(), max_unzipped=1000).kind == "too-large"


def test_xlsx_built_here_with_merged_cells():
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表三"
    ws["A1"] = "申请人情况"
    ws.merge_cells("A1:C1")
    ws["A2"], ws["B2"], ws["C2"] = "自然人", 21, 3.5
    ws["A3"] = "合计"
    ws.merge_cells("A3:A4")
    ws["B3"], ws["B4"] = 1, 2
    ws2 = wb.create_sheet("附表")
    ws2["B2"] = "第二张"
    buf = io.BytesIO()
    wb.save(buf)
    r = extract(buf.getvalue(), "t.xlsx")
    assert r.error is None and r.kind == "xlsx" and r.extractor.startswith("openpyxl 3.")
    t1, t2 = r.tables
    assert (t1["n_rows"], t1["n_cols"]) == (4, 3)
    assert t1["cells"][0] == {"r": 0, "c": 0, "rowspan": 1, "colspan": 3, "text": "申请人情况", "header": False}
    assert t1["grid"] == [["申请人情况"] * 3, ["自然人", "21", "3.5"], ["合计", "1", ""], ["合计", "2", ""]]
    assert {(c["r"], c["c"]): c["rowspan"] for c in t1["cells"]}[(2, 0)] == 2
    assert t2["grid"] == [["", ""], ["", "第二张"]]
    assert r.text.splitlines() == ["表三", "申请人情况", "自然人 | 21 | 3.5", "合计 | 1 | ", "2 | ", "附表", " | 第二张"]


# .xls and .doc made with LibreOffice from a DOCX/XLSX written with python-docx/openpyxl
# (zlib + base64): 表三 with A1:C1 merged; a report stub with a 3×3 table.
XLS_SAMPLE = """
eNrtV1toXFUU3efOI3emaXKTNlrTNo7VtmmTlpZAjWjNtEm1BU201lYkaKbxpkk7nYl5QKuIE2tBtAWlH/UjIIV8CIIPRIX6
Sj6EfigK0g/FQFooqPVjFKUUTMa19z03uRlmZCYtxcfsYZ9zZp/HPme/7zdfV02dea/2AmXB3eSjmUyIgh6aApruH4vI0LSZ
TCbjkjMl+FfBtO5Zh37oLwBknZdpvYZ0X4L/JuymJH5DFKEdlEA/QEepGLgJFuM9r5A9MwWuKxRK/BfOn+M3x3EfMNv/Odaz
/4eBi4DlwMXACmClkwKoClgNXAJcCqwRmyC6GbgMeAuwFrhc812pe8YIxrcBV2naHehXl+LNDYWQCS0GA/Tx4i9Z5aL7C7CI
d/0TYhcXgZ3Uz7bRGot3R24UbJc7xBTfYRxGuhUjRaOgVtA7Qv1E2q1ifYAoRZq1RT9mROXuJ6VdJW0F8f6PZM/3QtlMdfSD
WPmr4gSKylQrxShOfbQfcbAPK2rpHPvX87KCvUNtkxledW2za+bxhn+pNrLpIGb30jCi8SMYJWiQ6vzlNMbeeL+dsAdi8Snx
sjH6Q7zHhfEI0/koof9eGN0okk7/O/oYZJdLzg3O+nQ2fV0eemMe+vo89FBOesC9T30eujlHP2XAY1OU4d5K+aSvSgWlr075
pV+SKpN+aSqQ6RLPOI4YP8lpAO7Q+1Ko/QT8XuE3oUwg0Z6Tii7T4xz907uFUzDNUZ7Dg/s14MUmWpRm//wcVzNpRCGbmOMq
ijZKdb9aTj4xkVdM5AvzClLKn/BKQ+ekAKmm4SuvnG3/ouuDh32kfh7Z8vTZ9gzykUmjficfdZs1wDkN1eje4KTlBDdrXnAr
x9FP4QEcDqqEjYXjNrSuuHxxS23Lk0JPzUmSVrMgqVGNYGbCv152NEj7gqx1k94xob0o7ZrZ/T+2rPWM62fH6ZZ1nvEZBKkQ
bkUibAPcGtWy8uCxia6pFrdX9ChmTHpOnk3qZbNSv7TC6aTlNG4alh43OqFHVQpNZdGmJbG7IvtM/in8q8FZPKcklXP7KYIs
36wSwYlT/7MB5ndJr3G4/0IPsVTTOx2Jpk1tAmwaleRLb5Kd/nS90ENpK0dhYlBY9vEeLkTuNarpw6AT3YnuEQkRreTz5qoX
hgOwnwOm9yDlFkPhv6+FFKoNX9ipoSzTEeK4M3Uf1ywP9nUPJAeTPUORHUe67Xjkrjs37Intt+NxW6xpe19PT/O11G7K1dwC
YSZDYjI5zqWp42/8drWj13rrNZMa1r7/HavgdV3bKS1UNu6dus7r1OLq1fXekK75UrruO6HN7Kdpgpc6e5L9dqL/6JE486zT
85v02S5kj1OT3+574plJ5R1f7/dLDDn/1fnRjcutU6fx/sarb7dxTMmideo61Y1YlueND2iHYojo+WY9H/XUziyrbf39e+2B
wb5kYr6MWL5NGzfTPxWu5/efyC/Lh3LtYZmmQs54H7gP0CFUXHyPQ0XfvxrSNrScM0V8V10Kun7SCr6HUeF24A4HF8Tf5/kG
K2TPCuCuWT/tQD1oL1h/YfAv9vuvTn+rSVWKSnMY7z+MepN1vwtW0CM6YcoQ6tUkKPmhXvMPFCH/W4HnZvm3gUO33MEWCyzu
Ps0LeP/twDdL3/8CfwHFTx8W
"""
DOC_SAMPLE = """
eNrtXH1sVFUWP/e9+XhDSzvUAhVRpqUWRazT76EgDC3WOkA/EYhC7dBOqUqZsS0KZP8AFxOUuAHXRP8grhrckKxx0V3jbrJm
cT+I/xhwo6z+B5vsH5vsZsFsdmM2MnvOue/NvPfmzXSm4Afr3OZ05r53z++ce8+55368++b8uXkXX3t70SWwpVWgwtWkDzym
awJpqZHxAyj6tavJZNK4nCymGyp9pX+SDWvQfm4ksrkXSUPyIc1BKkEqRZqLVIZULl0A5iFVIN2EVIk0H2kB0kKkKt03FuHn
LUiLkW5Fug1pCVIAqVovQ1Srfy+mby4NQBz/ptEW98Ee/JyE/VBIWoAeY8bLh+dqnuXyTUX5s5cvTP3PZev/dM3o/8V++f+Z
BFpWnSN9yONT2CfOSNfoovi96dGRyfhUfGw6sDU+OXr3+vjjeydie6bZJzYN0rX18REeCeh7PWb4fn0I/rXynSdm9kUhpxGz
TleThKE44cLFZ37yxZe94/6fHdfgrmW/+DxI1/Qxje73IZHPb9N9frfu98f0Mid13z+tj3+/0cfAD/Vx8BOQyv/tKzmm0b3E
/unx+J67R+Mj+/jazUi7Yntik9Hp2Ghg5/6AuQCk+XrikxPR3fWj8ekJvka4DUhhU50yvk/2f9QM54T5e6HtVwEDWEcBD/OI
LtMkDu1Xkgp9Yrv04PgwCRMQ5fahcbtitFIIUGshWgsNteImbKfKkx/CulpYXiugCTqWQ2/EBf1InZEFMNHtc00hbejGJo+4
YQ9+n0Yainggivcf6RYuGAbhJzsOc9t3QwzljcKjOCbtwrGpgWcYAty1IlwHN528KCpRqAelLUNpvsR46yPHUaYXZXpR5mJo
0URfRAMpYjFs1wQiKzkkNLIERUrAKn0INgm9h943SVhklbCIJWwDlSVsc5TQxBJUKUExS1iSKcGETshD4GLkIUfkZkZ2SWTV
jHx7JnKrJkzgOzRB+APgZvwBR/wWxndLfJcZ/2aJX7t2OIVvIGMreHK0RitjeiSm26E1zJitFoUR0ZsDuY2RvRLZY0cWifFw
OJwN+SHQGPkhR+QQI2sS2WtGrnbykUpIOwhOjYfBl8P/VjK2T2Jrdv+zaU3YrWb/q2Tt06kOri6pEFfwkyKXISuG/TgAnTCO
uUlTOSFkuS59LphZbjWW+yI5T6zmGd96LDGG9/ZiRKCZYx+Xi2I96H8C+QKMRfNJSptZSrXYzGuHzL5tlpV/f5aoDVlQG51Q
8+jDGxl1ndjoiNpkQZ253/YwWr/o4ZFkM+JMY5vFLCh3SpSFrTtMujVD+IgbNnQrJh/Cbr6F8aJiC49Ag2iBnYjohHqXU42r
ELXc6jlV7DkrGPcJsYJr3YG2G8V1QAA1jsE+trHZG4Jc+pAI8hrQqXSjjSPEHMdFKCuHtWU1VNaP2vlhDXO+JtbwmnMT3h/B
EvEsuvmxsj6srI+7CPWLZuZ/WzSzBfqxxaSHm7nKZQ8jRbFtdnA8JK4PxICjFzRbuPONsV2M+bHocsRssWDmiqvSQy9l8dBW
Jw/NEUsl2pUsaG0ZaLnjp/R3ofQ4ooUsaPnETNnH5ynOfXxlRh/PL07WyHik1PD8ZpBXvXHGpHwLm6sOtvkxuih17I334fwn
wZKmUPoUl5OuEpHxQonwXOoBjnkx/D/FPubsb/PTNZeeonuI9PV+Rfq60btlz87UgLy2PDF+8OBBw2ulh0WVLu4Jdl0yEbLp
EZbRQAkzjlWPAY79NEIQ8gj+J03aNdGx3JMYP9O3CdYsN7zqkLKRd4jsmjhh3GzBoOCHONIUGE04eiiN3Ic7eJR6nCOAEfko
GiI/sek8dTxivabIkW0j13gaP6NYlxjyyDkl6OXezlGu0VTugxzlmkzlPs5RrtlU7lKOci2mcldylGs1lRNq9nJtpnLzcpQL
mcpV5yi3Ui4SsZyADrWL107WHkpWacLZ+mWcy+zjuUwVdk2Mwkg0qPdFSrBflvCIXg8dfsKp59lROrYbYwVZvhnkUoMWTs1w
D5YfUJt5DWfoR37UAkOHx8WOwzjjOvzyVWNxMlEreB5Tg1w71dWsbSfPVmj8pN5P2raihH0soRTLl/GQiV1DHyZruK6Tqtwn
Ja8eZT0p18YcOIBwmafVVvZ868wryhwByzyLVnrU4u2wBDV7QW3n2GLmo73Tlbjmuozrn7lnNVC6K47VCkVWjG3QDgHkfV3n
taLfgndz8R5Afa8k31EPcAv38Mg6iK1C46xhxSWwSsewrfng2tZ8r8AanhG/wi1o7s1b0VJSohS0QqD9akdJ4Z6zmjHLvZ0v
9KYv1I1qwufqO6tRSNNQwjIu0Z8uUdBsqw8irF8fjwH22RZZ7t4C51nd7B1/Ubt5PDO81mkGTZ68Bj35vCI9GcDqySFG+kIN
cf90noNR9F6L7XhRCFPPaWdOxdWelbOJfSGc4knPxkLQii1S4Qqxp6X1b2R915n0tfe8ELQhZ00GZ5Oc7SBnyJWtz5K+ja7V
lkhEkYHWH2SJaX720Alz6qCkS1gbKizjkyvM/duZW+pfiesaRlCcEAZmQGhihPskgmpFkDXYmVGDHkSY4Hg6ydxdktvlJH8y
Q76Z26jB/RLB7YTw9AwIsgbdEsFjRZBR/gVXlw2hU1/lUaTYq4/jD5jiL6R8SNoywjivuyI8a8iOY3hUxKEHWLHeyQNL+tgG
k4/ZsZ7jKPg713MciSZSqwzAyLvRvt819+xC8IaVg64zHvCFSw7OPWNsnWXshNlXIxglc0VGjor1sn9CPeuSnkFSvNnksFYJ
6+XDPKaN2MY0Da0sI+nCdKTqjFTQPCmKHzRXOqEjnGDrZp/DAjwEvdiKp9QdSLIVaZ+iKq/Q7EqHZpdTaM42G62Han+Dqrjr
U9rJUTeQMduQkToE9f55+qjqT3lDjP9POXBRG4frfLoWI3JP2G88V6GHoKQjPReh7y/oeeMZiZd3komS5fY/uYurZLmngiSn
ey59Z9rpnlt/SuN0z6PvZDvd8+oaO90T+hNbe9KwHag3U1Sef9YNYlx4eiOl6NOlyPPeZZHaa7cl5gu5Unwhl0cBsmVujlfd
KY5X3cihzMiheVMcmhc51Bk5ElqKI6Ehh2tGjs98KY7PfMjhnpEjXJLiCJcgh2dGjlOlKY5TpcjhnZHDX5bi8Jchh6ZzZLfj
eSXFcV4p2vGGtaPVHkU7frftmJ3DGldpnJiJo2jB75YFrRG1aMEbz4J2exQt+N20oOlgk2LlkOs55uDJb7H0N1va62BN+3kc
1ZZ32fJuW95jy3tznHjLTF5G2Ip/coejwZJrtOSaLLkWS67VkmszrRC5jn7ThT55WpaPBd2/4Fhex3Bow3MCF6NTvBUTg6f4
0Uictx9o6d6COPmcjRqE/byNE+cDOk11+UlfB5MoXx7qWYeS8mGiB/+PIc8WbBDaJo4xxhjeacsTgbbcSVcpG7X15Md3d7Ip
GYCysVtxxX5nnjyFabUbNZJ6IV9BWv0y+F7w98GfBwF6SZ6Wj7w4tiDJklt/1rzhDQBr62Znlyhv3iC/59r4W1yz8cAO7N5C
e74K4Dwyj7MC595fvIwoHfo3cA+gXCkHhB8eK824WqrjL1P5rHhm3Cimwg77Ba8/ps0/AnmyFazJwaL5vo709zeE2BTwYce6
XPFbs2n0fc4y6IzGd0f3hBwM5nMtgHv96fzIjOfUy3mkF/p3j7E7mizPKHuE/5fOB8tnrkRlKguoeWC+DDArbHy9SzHOqNfe
svVLZ8c3WAew09Sr2pfKt2qKaXYpjI13loalGnmy+9tOf0I9ttv8pPRb0EOBz4vOUUzF9L1OGyY+Pfrg4KbeRhz2G3E1PD20
NnZi6FJvfHh3Pzzy1x3be6eHfjr0xs7IZlza9ojgquHB3j8Ov9s/F1bsojtP9K/qOTVAZQ2+BlxvN+HaObqrNPnnQc90097/
HG3Ea//uUYJzgUo80//rh72QiJ077sWV/R+evXjAy2heXH/TlY1H1sZ+dfSfg+mrLagd3ZnoF8En+y/0wEuHniWdDj95tGf/
y3OLZpx90ud5xfS9TILsvwKpHSmBdADpINLTSEeQfqSfefjKzPVfc+ZLc+Yf5ozlRwWeMWcs7xhPmDPRwutQArCgVjwwRsuK
htrUIZxCr2/nywuNO9qFICgvJisXbK7OVxHfBd6fqLhAy4kkGJuo+rdEQZebL3hACFX/oqi75ReXcUXDK2PNQOdfC62/cWCF
yEe2fRHpFaSTSG8ivaXHhCPmyv3AnEmYM6OZ6zY9PXhdfbUs15uH18sLnrJ7QReoLyY/mVOIHzj7hr6nXXHhNid7mx3iWgsU
4DueVbA6COE+XB71KbDk9Pl7Aqcv3lt9WvPWIC099qq7FqkR7zccGxfBBD0CaMLcHY1QFiyGzxs/ZXt/mk+uffrRpyfqb/H/
+CUN7lrx5Vvr8Zrbdo1WslWmgOKH9DvRdBpPNe0LynPA8n5YzysygMO6RGJLbHLq0fge6zvVNDVpaK4PYioa62tI1/P3P8ie
9t8QcOIhnzijGBOQTn7klYBe2AmPFax/BSjsL3xasoDf1XgsNQHq1U/zzy7NQekkVy1APulr7Dg2wGZ+p2a2OpTp8gv5/Q9q
q3fvkN/d/F7DBD90JNvT+dqx1Bv/6XPE2dId9M486KdO85RPbeXXn0ttZVmjsB4/R1iTWOq94XzSolnUn36Twdi3dmdILqw9
QrOQTzHtzevYh6/l91/+B3D9esE=
"""


def _sample(b64: str) -> bytes:
    return zlib.decompress(base64.b64decode("".join(b64.split())))


def test_xls():
    body = _sample(XLS_SAMPLE)
    assert sniff(body, "whatever.bin") == "xls"
    r = extract(body, "t.xls")
    assert r.error is None and r.extractor.startswith("xlrd 2.")
    (t,) = r.tables
    assert t["grid"] == [["申请人情况"] * 3, ["自然人", "21", "3.5"]]
    assert t["cells"][0]["colspan"] == 3
    assert r.text.splitlines() == ["申请人情况", "自然人 | 21 | 3.5"]


@pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword not installed (apt-get install antiword)")
def test_doc_with_antiword():
    body = _sample(DOC_SAMPLE)
    assert sniff(body, "t.doc") == "doc" and sniff(body, "t.wps") == "wps"
    r = extract(body, "t.doc")
    assert r.error is None and r.extractor.startswith("antiword 0.")
    assert r.text.splitlines() == [
        "测试单位2023年政府信息公开工作年度报告", "一、总体情况", "本年度共主动公开政府信息1136条，受理申请21件。",
        "信息内容 | 数量", "规章 | 本年 | 5", "行政许可 | 本年 | 550", "六、其他需要报告的事项",
    ]
    assert r.tables[0]["grid"][2] == ["行政许可", "本年", "550"]
    assert extract(body, "t.wps").kind == "wps"


def test_doc_without_antiword(monkeypatch):
    monkeypatch.setattr(files.kinds, "ANTIWORD_BIN", "antiword-that-is-not-installed")
    r = extract(_sample(DOC_SAMPLE), "t.doc")
    assert r.kind == "doc" and r.error_kind == "missing-tool" and r.text == ""


def test_doc_or_xls_that_is_rtf_or_html():
    assert extract(b"{\\rtf1\\ansi hello}", "a.doc").error.startswith("unsupported: RTF")
    assert extract(b"<html><body>x</body></html>", "a.doc").error.startswith("unsupported: HTML")
    r = extract(b"\xef\xbb\xbf<table><tr><td>1</td></tr></table>", "export.xls")
    assert r.kind == "xls" and r.error.startswith("unsupported: HTML")
    assert extract(b"not an office file", "a.wps").error_kind == "corrupt"


def test_ofd_is_recognised_not_extracted():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("OFD.xml", "<ofd:OFD/>")
        zf.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    r = extract(buf.getvalue(), "report.pdf")
    assert r.kind == "ofd" and r.error_kind == "unsupported" and "OFD" in r.error_detail


def test_sniff():
    assert sniff(b"%PDF-1.7\n...", "a.xls") == "pdf"
    assert sniff(b"junk before\n%PDF-1.4\n", None) == "pdf"
    assert sniff(b"", "https://x.gov.cn/files/报告.DOCX?id=3#p") == "docx"
    assert sniff(b"\x00\x01", None, "application/vnd.ms-excel; charset=binary") == "xls"
    assert sniff(b"\x00\x01", None, "application/pdf") == "pdf"
    assert sniff(b"\x00\x01", "a.wps") == "wps"
    assert sniff(b"\x00\x01", "a.ofd") == "ofd"
    assert sniff(b"\x00\x01", "a.txt", "text/plain") == "unknown"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    assert sniff(buf.getvalue(), "a.docx") == "xlsx"
    assert extract(b"\x00\x01binary", "a.txt").error_kind == "unsupported"


def test_corrupt_docx_and_xlsx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document><not-closed>")
    r = extract(buf.getvalue(), "a.docx")
    assert r.kind == "docx" and r.error_kind == "corrupt", r.error
    r = extract(b"PK\x03\x04" + os.urandom(200), "a.xlsx")
    assert r.kind == "xlsx" and r.error_kind in ("corrupt", "truncated"), r.error


# ---------------------------------------------------------------------------------------------
# the child process: timeout and crash


def _slow_parser(body):
    time.sleep(30)


def _crashing_parser(body):
    os._exit(3)


def _raising_parser(body):
    raise ValueError("boom")


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(),
                    reason="the monkeypatched parser reaches the child only through fork")
def test_timeout_kills_the_parser(monkeypatch):
    monkeypatch.setitem(child.PARSERS, "pdf", _slow_parser)
    t = time.monotonic()
    r = extract(build_pdf([b""]), "slow.pdf", timeout=0.5)
    assert time.monotonic() - t < 5
    assert r.error_kind == "timeout" and r.error_detail == "after 0.5s" and r.kind == "pdf" and r.text == ""


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(),
                    reason="the monkeypatched parser reaches the child only through fork")
def test_parser_crash_and_exception_are_reported(monkeypatch):
    monkeypatch.setitem(child.PARSERS, "pdf", _crashing_parser)
    r = extract(build_pdf([b""]), "crash.pdf")
    assert r.error.startswith("corrupt: parser crashed"), r.error
    monkeypatch.setitem(child.PARSERS, "pdf", _raising_parser)
    r = extract(build_pdf([b""]), "raise.pdf")
    assert r.error_kind == "corrupt" and r.error_detail == "ValueError: boom"


def test_small_files_one_after_another():
    # speed is measured by tools/bench_files.py, not asserted here
    body = build_pdf([text_ops([(50, 700, "quick")])])
    for _ in range(5):
        assert extract(body, "q.pdf").text == "quick"


def _run_with_ticker(coro_factory):
    """Run ``coro_factory()`` on an event loop beside a 5 ms ticker; return its result and how
    often the ticker ran meanwhile (0 or 1 if the work blocked the loop)."""
    import asyncio

    async def main():
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.005)
                ticks += 1

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        try:
            result = await coro_factory()
        finally:
            task.cancel()
        return result, ticks

    # a loop of its own, not asyncio.run(): that would leave the thread without a current loop,
    # which the crawls run later in this process (Twisted's asyncio reactor) rely on
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()


def test_extract_async_leaves_the_event_loop_free():
    from archive.files import extract_async

    pdf = corpus_file("govnianbao/szfgs2024.pdf")
    result, ticks = _run_with_ticker(lambda: extract_async(pdf, "szfgs2024.pdf", "application/pdf"))
    assert result.error is None and result == extract(pdf, "szfgs2024.pdf", "application/pdf")
    assert ticks >= 5, ticks  # the loop ran while the child parsed (blocking would allow 0 or 1)


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(),
                    reason="the monkeypatched parser reaches the child only through fork")
def test_extract_async_timeout_crash_and_early_answers(monkeypatch):
    from archive.files import extract_async

    monkeypatch.setitem(child.PARSERS, "pdf", _slow_parser)
    r, ticks = _run_with_ticker(lambda: extract_async(build_pdf([b""]), "slow.pdf", timeout=0.3))
    assert r.error_kind == "timeout" and r.error_detail == "after 0.3s" and r.text == "" and ticks >= 5
    monkeypatch.setitem(child.PARSERS, "pdf", _crashing_parser)
    r, _ = _run_with_ticker(lambda: extract_async(build_pdf([b""]), "crash.pdf"))
    assert r.error.startswith("corrupt: parser crashed"), r.error
    r, _ = _run_with_ticker(lambda: extract_async(b"", "empty.pdf"))
    assert r.error_kind == "empty"
