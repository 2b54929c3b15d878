"""Focused cleaner cases found while building cassettes (the gold set covers the rest)."""

import json

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


def test_an_article_drawn_from_a_script_is_read_like_a_browser_shows_it():
    from archive.embedded import find_embedded_article
    from archive.ingest import examine

    content = PARAS + "<table><tr><td>指标</td><td>数量</td></tr><tr><td>主动公开</td><td>12</td></tr></table>"
    script = ('window._CONFIG = {SID: "757001"};\nwindow._CONFIG.DETAIL = {"id": 1, "title": "某区2024年政府信息公开工作年度报告", '
              '"date": "2025-01-20 10:00:00", "content": ' + json.dumps(content, ensure_ascii=False).replace("</", "<\\/") + "};")
    found = find_embedded_article([script])
    assert found.content_html == content and found.date.startswith("2025-01-20")
    # nothing visible but the script: not a challenge page; the article is what the script holds
    page = f"<html><head><title>公开目录</title></head><body><div class='article-content'></div><script>{script}</script></body></html>"
    result = examine(200, {"Content-Type": ["text/html; charset=utf-8"]}, page.encode("utf-8"))
    assert result.kind == "page", result.reason
    assert result.cleaned.metadata["title"] == "某区2024年政府信息公开工作年度报告"
    assert result.cleaned.metadata["pub_date"] == "2025-01-20"
    assert "第8段" in result.cleaned.text and [t["n_rows"] for t in result.cleaned.tables] == [2]
    # a short label called "content" is not an article
    assert find_embedded_article(['var DETAIL = {"content": "暂无"};']) is None
