"""Hostile and damaged input at the library's level (issue: nothing lost, nothing garbled):
an XML declaration before XHTML, entities that must never be expanded."""

from __future__ import annotations

import subprocess
import sys

from archive.ingest import examine
from tests.paths import ROOT

BODY = "本机关主动公开政府信息一百二十条，收到政府信息公开申请十件，均按时答复。" * 12
TITLE = "测试局2023年政府信息公开工作年度报告"


def xhtml(encoding: str, doctype: str = "", meta: bool = True) -> bytes:
    head = f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}"/>' if meta else ""
    page = (f'<?xml version="1.0" encoding="{encoding}"?>\n'
            + (doctype or '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
               '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">') +
            f'\n<html xmlns="http://www.w3.org/1999/xhtml"><head>{head}<title>{TITLE}</title></head>'
            f'<body><div id="zoom"><h1>{TITLE}</h1><p>{BODY}</p><p>&secret;</p></div></body></html>')
    return page.encode(encoding)


def test_a_page_that_starts_with_an_xml_declaration_is_a_page():
    for encoding, meta in (("utf-8", True), ("gbk", False)):  # GBK declared only by the XML declaration
        result = examine(200, {"Content-Type": ["text/html"]}, xhtml(encoding, meta=meta), "https://x.gov.cn/a.html")
        assert result.is_report_page, result.reason
        assert BODY[:40] in result.cleaned.text and result.cleaned.metadata["title"] == TITLE
        if not meta:
            assert result.decoded.encoding == "gb18030" and result.decoded.method == "meta"


def test_entities_of_an_internal_subset_are_never_expanded(tmp_path):
    doctype = '<!DOCTYPE html [<!ENTITY secret SYSTEM "file:///etc/passwd"><!ENTITY big "EXPANDED">]>'
    page = xhtml("utf-8", doctype).replace(b"&secret;", b"&secret;&big;")
    result = examine(200, {"Content-Type": ["text/html; charset=utf-8"]}, page, "https://x.gov.cn/a.html")
    assert result.is_report_page and "EXPANDED" not in result.cleaned.text and "root:" not in result.cleaned.text
    path = tmp_path / "saved.html"
    path.write_bytes(page)
    r = subprocess.run([sys.executable, "-m", "archive.cli", "clean", str(path)], cwd=ROOT, capture_output=True)
    assert r.returncode == 0 and BODY[:20] in r.stdout.decode("utf-8") and b"EXPANDED" not in r.stdout
