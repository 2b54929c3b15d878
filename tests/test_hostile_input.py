"""Hostile and damaged input at the library's level (issue: nothing lost, nothing garbled):
an XML declaration before XHTML, entities that must never be expanded."""

from __future__ import annotations

import subprocess
import sys

from archive.ingest import examine
from tests.paths import ROOT
from tests.procs import alive, parent_of

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


ORPHAN = r"""
import sys, time
from archive.files import child

def hang(body):
    open(sys.argv[1], "w").write("parsing")
    while True:
        pass

child.PARSERS["pdf"] = hang
child.run("pdf", b"%PDF-1.4", timeout=600)
"""


def test_a_parser_child_dies_with_its_parent(tmp_path):
    """SIGKILL of the crawl during a file's parsing leaves no parser running."""
    import os
    import signal
    import time

    marker = tmp_path / "started"
    parent = subprocess.Popen([sys.executable, "-c", ORPHAN, str(marker)], cwd=ROOT)
    deadline = time.time() + 30
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the parser child never started"
    children = [int(p) for p in os.listdir("/proc") if p.isdigit() and parent_of(p) == parent.pid]
    assert children
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(10)
    deadline = time.time() + 10
    while any(alive(c) for c in children) and time.time() < deadline:
        time.sleep(0.05)
    assert not any(alive(c) for c in children), "the parser outlived the crawl"
