"""Bytes → text: BOM, declared charset verified by a strict decode, then detection."""

import pytest

from archive.decode import DecodeError, decode_html
from tests.paths import corpus_file

REPORT = "广州市人力资源和社会保障局2013年政府信息公开年度报告。依申请公开政府信息情况：同意公开31件。"


def page(meta: str, body: str) -> str:
    return f"<html><head>{meta}<title>年报</title></head><body><p>{body}</p></body></html>"


def test_gbk_declared_in_meta():
    raw = page('<meta http-equiv="Content-Type" content="text/html; charset=gbk">', REPORT).encode("gbk")
    d = decode_html(raw)
    assert REPORT in d.text
    assert (d.encoding, d.method, d.declared) == ("gb18030", "meta", "gbk")


def test_gb2312_declared_with_gbk_only_characters():
    # 镕 and 堃 are not in GB2312; a strict gb2312 decode would fail or truncate
    body = "朱镕基同志和王堃同志"
    raw = page('<meta charset="gb2312">', body).encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gb2312")
    d = decode_html(raw)
    assert body in d.text
    assert d.encoding == "gb18030" and d.method == "meta"


def test_gb18030_four_byte_characters():
    body = "㐀䶵𠀀 — 四字节字符"  # CJK Ext-A and Ext-B need 4-byte GB18030 sequences
    raw = page('<meta charset="gb18030">', body).encode("gb18030")
    assert any(len(ch.encode("gb18030")) == 4 for ch in body)
    d = decode_html(raw)
    assert body in d.text and d.encoding == "gb18030"


def test_http_header_wins_over_meta_when_it_decodes():
    raw = page('<meta charset="gbk">', REPORT).encode("utf-8")
    d = decode_html(raw, "text/html; charset=UTF-8")
    assert REPORT in d.text and d.method == "http-header"


def test_wrong_header_falls_back_to_meta():
    raw = page('<meta charset="gbk">', REPORT).encode("gbk")
    d = decode_html(raw, "text/html; charset=utf-8")  # server lies; strict utf-8 decode fails
    assert REPORT in d.text and d.method == "meta"


def test_latin1_server_default_is_not_trusted():
    raw = page('<meta charset="gbk">', REPORT).encode("gbk")
    d = decode_html(raw, "text/html; charset=ISO-8859-1")
    assert REPORT in d.text and d.encoding == "gb18030"


def test_utf8_with_bom():
    raw = "\ufeff".encode("utf-8") + page('<meta charset="gbk">', REPORT).encode("utf-8")
    d = decode_html(raw)
    assert d.method == "bom" and d.encoding == "utf-8"
    assert d.text.startswith("<html>") and REPORT in d.text


def test_utf16le_with_bom_despite_gb2312_meta():
    # The real Xiangtan page: saved by IE as UTF-16LE with BOM, <meta> still says gb2312
    raw = corpus_file("mhxqwer-qzhxiangtan.gov.cn/index.html")
    assert raw[:2] == b"\xff\xfe"
    d = decode_html(raw, "text/html")
    assert d.method == "bom" and d.encoding == "utf-16-le"
    assert "从齐白石故乡吹来的风" in d.text
    assert (d.declared or "").lower() == "gb2312"


def test_utf16be_with_bom():
    raw = b"\xfe\xff" + page("", REPORT).encode("utf-16-be")
    d = decode_html(raw)
    assert d.encoding == "utf-16-be" and REPORT in d.text


def test_no_declaration_gbk_is_detected():
    text = REPORT * 3
    raw = page("", text).encode("gbk")
    d = decode_html(raw)
    assert text in d.text
    assert d.method in ("detected", "fallback") and d.encoding == "gb18030"
    assert d.confidence is None or 0 < d.confidence <= 1


def test_no_declaration_utf8():
    raw = page("", REPORT).encode("utf-8")
    d = decode_html(raw)
    assert REPORT in d.text and d.encoding == "utf-8" and d.method == "detected"


def test_unknown_declared_charset_is_ignored():
    raw = page('<meta charset="x-no-such-charset">', REPORT).encode("utf-8")
    d = decode_html(raw)
    assert REPORT in d.text and d.declared == "x-no-such-charset"


def test_text_input_is_refused():
    with pytest.raises(TypeError):
        decode_html("already text")


def test_binary_garbage_raises_clear_error():
    raw = bytes(range(256)) * 4 + b"\x81\xff\xfe\x80"
    try:
        d = decode_html(raw)
    except DecodeError as exc:
        assert "cannot decode" in str(exc)
    else:  # a single-byte codec can always decode; then it must say it guessed
        assert d.method in ("detected", "fallback")


def test_one_bad_byte_in_a_declared_utf8_page_is_a_replacement_character_not_mojibake():
    page = ("<html><head><meta charset='utf-8'><title>测试局2023年政府信息公开工作年度报告</title></head><body><p>"
            + "本机关主动公开政府信息一百二十条。" * 20 + "</p></body></html>").encode("utf-8")
    at = page.index(b"<p>") + 3  # between two characters
    cut = page.index(b"</p>")
    damaged = page[:at] + b"\xff" + page[at:cut] + b"\xe6\x9c" + page[cut:]  # a stray byte, a cut character
    for content_type in ("text/html; charset=utf-8", None):
        d = decode_html(damaged, content_type)
        assert d.encoding == "utf-8" and d.errors == 2 and d.method == ("http-header" if content_type else "meta")
        assert "测试局2023年政府信息公开工作年度报告" in d.text and d.text.count("\ufffd") == 2
        assert d.as_provenance()["encoding_errors"] == 2
    # a GBK page that says utf-8 is not "a few bad bytes": detection still decides
    gbk = page.decode("utf-8").encode("gb18030")
    d = decode_html(gbk, "text/html; charset=utf-8")
    assert d.encoding == "gb18030" and d.errors == 0 and "政府信息公开" in d.text
