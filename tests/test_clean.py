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


# Legacy Word-exported HTML as older CMSs publish it: uppercase <P> with inline mso/LINE-HEIGHT
# styles, <SPAN> runs, <?xml:namespace>, <o:p>, the article alone in a row of a layout table under
# its title and date rows (constructed in this shape; the Changzhou page of the corpus has the same
# layout-table shape with plain <p>).
_WORD_P = ('<P style="TEXT-INDENT: 32pt; LINE-HEIGHT: 28pt; mso-line-height-rule: exactly" class=MsoNormal>'
           '<SPAN style="FONT-FAMILY: 仿宋_GB2312; FONT-SIZE: 16pt">{text}<o:p></o:p></SPAN></P>\n')
WORD_PARAGRAPHS = [
    "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，现公布2012年度本局政府信息公开工作年度报告。",
    "一、概述",
    "2012年，我局认真贯彻落实《条例》，主动公开政府信息120条，其中通过门户网站公开98条。",
    "二、依申请公开情况",
    "全年共受理政府信息公开申请5件，均在规定时限内答复。",
]


def word_page() -> str:
    body = '<?xml:namespace prefix = o ns = "urn:schemas-microsoft-com:office:office" />\n'
    body += "".join(_WORD_P.format(text=t) for t in WORD_PARAGRAPHS)
    return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            "<title>某某局2012年政府信息公开工作年度报告</title></head><body>"
            '<div class="top"><a href="/">首页</a> <a href="/xxgk/">信息公开</a></div>'
            '<TABLE width=960 align=center><TR><TD class=title align=center>某某局2012年政府信息公开工作年度报告</TD></TR>'
            "<TR><TD align=center>发布时间：2013-03-20 来源：办公室</TD></TR>"
            f"<TR><TD class=content>{body}</TD></TR></TABLE>"
            '<div class="foot">主办单位：某某局 网站标识码 1234567890 某ICP备12345678号</div></body></html>')


def test_legacy_word_html_keeps_every_paragraph_a_line_of_its_own():
    cleaned = clean_html(word_page())
    assert cleaned.text.split("\n") == WORD_PARAGRAPHS, cleaned.text
    assert not cleaned.tables  # the layout table is no data table
    assert cleaned.metadata["pub_date"] == "2013-03-20"


def test_a_data_table_with_long_cells_stays_a_table():
    # a label beside a cell of several paragraphs (行政处罚信息公开表): data, not layout
    rows = ("<tr><td>主要违法违规事实</td><td><p>一、委托未取得合法资格的个人从事保险销售活动</p>"
            "<p>二、财务业务数据不真实的情况多次出现</p></td></tr><tr><td>行政处罚决定</td><td>罚款158万元</td></tr>")
    page = f"<html><body><div id='zoom'>{PARAS}<table border=1>{rows}</table></div></body></html>"
    cleaned = clean_html(page)
    assert [t["n_rows"] for t in cleaned.tables] == [2]
