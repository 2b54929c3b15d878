"""Focused cleaner cases found while building cassettes (the gold set covers the rest)."""

from archive.clean import clean_html

PARAS = "".join(f"<p>　　第{k}段：本机关全年主动公开政府信息{k * 12}条，依申请公开{k}件，均按时答复。</p>" for k in range(1, 9))


def test_an_empty_spacer_table_in_the_container_is_not_a_table():
    """The Hunan template closes #zoom with ``<table><tr><td height=25>&#160;</td></tr></table>``:
    it is no data table, and trafilatura (which drops it) must not be judged to have lost it."""
    page = (f"<html><body><div id='zoom'><wbr>{PARAS}"
            "<table><tr><td>指标</td><td>数量</td></tr><tr><td>主动公开</td><td>12</td></tr></table></wbr>"
            "<table width='100%'><tr><td height='25'>&#160;</td></tr></table></div></body></html>")
    cleaned = clean_html(page, containers=("#zoom",))
    assert [t["grid"] for t in cleaned.tables] == [[["指标", "数量"], ["主动公开", "12"]]]
    assert cleaned.extractor.startswith("trafilatura"), cleaned.extractor
    assert "第8段" in cleaned.text and "主动公开 | 12" in cleaned.text
