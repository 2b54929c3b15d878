"""Platform detection and list parsing: the real list page of the corpus, and pages written in
each family's documented markup (tests/… below; none of these is a recorded page)."""

import json

import pytest

from archive.decode import decode_html
from crawler.platforms import get_platform
from crawler.platforms.detect import detect
from crawler.platforms.gkmlpt import api_url
from tests.paths import corpus_file

PINGTAN = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"


def test_real_trs_list_page_pingtan():
    html = decode_html(corpus_file("pingtan-list/index.html")).text
    name, why = detect(PINGTAN, html)
    assert name == "trs", why
    page = get_platform("trs").parse_list(PINGTAN, html, PINGTAN)
    assert len(page.entries) == 10  # the static HTML holds the first 10 items
    assert page.entries[0].url == PINGTAN + "202603/t20260313_105587.htm"
    assert all("年度报告" in e.title or "年报" in e.title for e in page.entries)
    assert all(e.url.startswith(PINGTAN) for e in page.entries)


# The family each real corpus page belongs to, as its MANIFEST.tsv notes name it (from the page's
# URL shape and markup, written by whoever saved the page, not by this code)
_FAMILY_IN_NOTES = (("Hanweb/大汉 JCMS (art/", "hanweb"), ("TRS WCM", "trs"), ("NFCMS", "nfcms"))


def _manifest_families() -> list[tuple[str, str, str]]:
    import csv
    import io

    from tests.paths import CORPUS

    path = CORPUS / "MANIFEST.tsv"
    if not path.is_file():
        return []
    out = []
    for row in csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8")), delimiter="\t"):
        first_note = row["notes"].split(" | ")[0]
        family = next((f for words, f in _FAMILY_IN_NOTES if words in first_note), None)
        if family and row["local_path"].endswith(".html") and row["original_url"]:
            out.append((row["local_path"], row["original_url"], family))
    return out


@pytest.mark.parametrize("rel,url,family", _manifest_families(), ids=lambda v: v if "/" in str(v) and "://" not in str(v) else "")
def test_real_pages_detect_as_their_family(rel, url, family):
    name, why = detect(url, decode_html(corpus_file(rel)).text)
    assert name == family, why


def test_cms_page_variables_beat_a_pasted_editor_class():
    # a Foshan NFCMS page whose article HTML carries a TRS_Editor class (MANIFEST: NFCMS family)
    name, why = detect("https://www.example.gov.cn/", decode_html(corpus_file("mhxqwer-fjffoshan.gov.cn/index.html")).text)
    assert name == "nfcms", why


def test_detection_without_the_url_counts_link_shapes():
    # a column page seen without its URL: the family most of its links belong to
    html = "".join(f'<li><a href="/art/2024/1/{d}/art_1229_{d}.html">报告{d}</a></li>' for d in range(1, 6))
    html += '<a href="https://www.gz.gov.cn/content/post_1.html">外站</a>'
    assert detect("https://www.example.gov.cn/xxgk/", html)[0] == "hanweb"
    tie = '<a href="/content/post_1.html">一条</a><a href="/202401/t20240101_1.html">另一条</a>'
    assert detect("https://www.example.gov.cn/xxgk/", tie)[0] == "generic"


def test_trs_pagination_follows_create_page_html():
    html = ('<ul><li><a href="./202401/t20240122_4424323.html">同心县2023年政府信息公开工作年度报告</a>'
            '<span>2024-01-22</span></li></ul><script>createPageHTML(3, 0, "index", "html");</script>')
    col = "https://www.tongxin.gov.cn/zwgk/zfxxgknb/2021_72801/bmzsjg/"
    page = get_platform("trs").parse_list(col, html, "https://www.tongxin.gov.cn/zwgk/zfxxgknb/")
    assert page.pages == [col + "index_1.html", col + "index_2.html"]  # pages 2 and 3
    assert get_platform("trs").page_number(col + "index_2.html") == 3
    assert page.entries[0].date == "2024-01-22"


HANWEB_PAGE = """<html><body><div id="div1229">
<script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=1229&unitid=5678&webname=%E6%B5%99%E6%B1%9F&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2024/1/25/art_1229_59012345.html" title="浙江省教育厅2023年政府信息公开工作年度报告">浙江省教育厅2023年政府信息公开工作年度报告</a><span>2024-01-25</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2024/1/20/art_1229_59012001.html" title="关于开展调研的通知">关于开展调研的通知</a><span>2024-01-20</span></li>]]></record>
</recordset></datastore></script>
<script>var totalRecord = 100; var perpage = 15;</script>
</div></body></html>"""


def test_hanweb_records_and_dataproxy_paging():
    url = "https://jyt.zj.gov.cn/col/col1229/index.html"
    assert detect(url, HANWEB_PAGE)[0] == "hanweb"
    hanweb = get_platform("hanweb")
    page = hanweb.parse_list(url, HANWEB_PAGE, "https://jyt.zj.gov.cn/col/col1229/")
    assert [e.url for e in page.entries] == ["https://jyt.zj.gov.cn/art/2024/1/25/art_1229_59012345.html"]
    assert [e.title for e in page.skipped] == ["关于开展调研的通知"]
    more = hanweb.more_pages(url, HANWEB_PAGE)
    assert [m.url.split("?")[1] for m in more] == [
        "startrecord=3&endrecord=47&perpage=15", "startrecord=48&endrecord=92&perpage=15",
        "startrecord=93&endrecord=100&perpage=15"]
    assert all(m.form["columnid"] == "1229" and m.form["unitid"] == "5678" for m in more)


def test_hunan_detail_links():
    html = ('<ul><li><a href="/hysrsj/xxgk/xxgkndbg/20200118/i419273.html">衡阳市人力资源和社会保障局2016年政府信息公开工作年度报告</a>'
            '</li><li><a href="/hysrsj/xxgk/xxgkndbg/index_2.html">下一页</a></li></ul>')
    url = "https://www.hengyang.gov.cn/hysrsj/xxgk/xxgkndbg/"
    assert detect(url, html)[0] == "hunan"
    page = get_platform("hunan").parse_list(url, html, url)
    assert page.entries[0].url.endswith("/20200118/i419273.html")
    assert page.pages == [url + "index_2.html"]


def test_gkmlpt_json_listing():
    index = "<script>window._CONFIG = {SID: '200001', TREE: []};</script>"
    api = api_url("https://www.gz.gov.cn/gkmlpt/index", index, 123)
    assert api == "https://www.gz.gov.cn/gkmlpt/api/all/123?page=1&sid=200001"
    data = {"classify": {"post_count": 45}, "articles": [
        {"id": 10099135, "title": "广州市番禺区2024年政府信息公开工作年度报告", "date": "2025-01-20",
         "url": "https://www.panyu.gov.cn/gkmlpt/content/10/10099/post_10099135.html"}] + [
        {"id": i, "title": f"通知{i}", "date": "2025-01-01", "url": f"https://www.panyu.gov.cn/gkmlpt/content/0/1/post_{i}.html"}
        for i in range(19)]}
    page = get_platform("gkmlpt").parse_list(api, json.dumps(data, ensure_ascii=False), api)
    assert [e.title for e in page.entries] == ["广州市番禺区2024年政府信息公开工作年度报告"]
    assert page.entries[0].date == "2025-01-20"
    assert page.pages == ["https://www.gz.gov.cn/gkmlpt/api/all/123?page=2&sid=200001",
                          "https://www.gz.gov.cn/gkmlpt/api/all/123?page=3&sid=200001"]


def test_generic_fallback_finds_report_links_by_their_words():
    html = ('<div><a href="/xxgk/2024/report.jsp?id=9">某某县2023年度政府信息公开工作年度报告</a>'
            '<a href="/xxgk/2024/x.jsp?id=10">县政府常务会议纪要</a>'
            '<a href="https://elsewhere.example/y">另一网站2023年年报</a></div>')
    url = "https://www.example.gov.cn/xxgk/ndbg/"
    assert detect(url, html)[0] == "generic"
    page = get_platform("generic").parse_list(url, html, url)
    assert [e.url for e in page.entries] == ["https://www.example.gov.cn/xxgk/2024/report.jsp?id=9"]


@pytest.mark.parametrize("name", ["nfcms", "trs", "hanweb", "hunan", "gkmlpt", "generic"])
def test_every_platform_module_loads(name):
    assert get_platform(name).name == name


def test_hanweb_column_crawl_posts_to_dataproxy(tmp_path):
    """A Hanweb column whose later records come from POST dataproxy.jsp, replayed from a small
    cassette written here in the documented format (not a recording)."""
    import sqlite3
    from urllib.parse import urlencode

    from vcr.request import Request as VcrRequest

    from crawler.cassette import ReadableYamlSerializer, Utf8FilePersister
    from crawler.run import run_crawl
    from tests import cassette_kit as kit

    host = "https://jyt.zj.gov.cn"
    col = host + "/col/col1229/index.html"
    page = HANWEB_PAGE.replace("var totalRecord = 100", "var totalRecord = 3")
    proxy = (host + "/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=3&perpage=15")
    form = {"appid": "1", "webid": "3", "path": "/", "columnid": "1229", "unitid": "5678",
            "webname": "浙江", "permissiontype": "0", "col": "1"}
    proxy_xml = ("<datastore><recordset><record><![CDATA[<li><a href='/art/2023/1/20/art_1229_58000001.html'>"
                 "浙江省教育厅2022年政府信息公开工作年度报告</a><span>2023-01-20</span></li>]]></record></recordset></datastore>")
    report = ("<html><body><div id='zoom'><p>一、总体情况</p><p>2023年，本厅主动公开政府信息1200条，"
              "收到政府信息公开申请35件，均按期答复。</p></div></body></html>")
    exchanges = [
        (VcrRequest("GET", host + "/robots.txt", None, {}), kit.ROBOTS_OK),
        (VcrRequest("GET", col, None, {}), kit.response(200, page)),
        (VcrRequest("POST", proxy, urlencode(form).encode(), {}), kit.response(200, proxy_xml, {"Content-Type": "text/xml"})),
        (VcrRequest("GET", host + "/art/2024/1/25/art_1229_59012345.html", None, {}), kit.response(200, report)),
        (VcrRequest("GET", host + "/art/2023/1/20/art_1229_58000001.html", None, {}), kit.response(200, report.replace("2023年", "2022年"))),
    ]
    path = tmp_path / "hanweb.yaml"
    Utf8FilePersister.save_cassette(str(path), {"requests": [r for r, _ in exchanges],
                                                "responses": [x for _, x in exchanges]}, ReadableYamlSerializer)
    stats = run_crawl("column", {"CASSETTE": str(path), "ARCHIVE_DB": str(tmp_path / "h.db"), "LOG_LEVEL": "WARNING"},
                      url=col)
    assert stats["archive/platform"] == "hanweb" and not stats.get("cassette/miss"), stats
    titles = {r[0] for r in sqlite3.connect(tmp_path / "h.db").execute("select title from reports")}
    assert len(titles) == 2


GK = "https://www.panyu.gov.cn"


def _gkmlpt_detail(doc_id: int, title: str, date: str, paragraphs: list[str], rows: list[list[str]]) -> str:
    """A gkmlpt detail page as docs/portals.md describes it: chrome around an empty article
    area, the document in ``window._CONFIG.DETAIL`` (built here; no real page was available)."""
    table = "<table>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows) + "</table>"
    detail = {"id": doc_id, "title": title, "date": date, "publisher": "广州市番禺区人民政府办公室",
              "content": "".join(f"<p>{p}</p>" for p in paragraphs) + table}
    return ("<html><head><title>" + title + "</title></head><body>"
            "<div class='header'>广州市番禺区人民政府门户网站 政府信息公开目录</div>"
            "<div class='nav'><a href='/gkmlpt/index'>公开目录</a> <a href='/gkmlpt/policy'>政策文件</a></div>"
            "<div class='article'><h2 class='title'></h2><div class='article-content'></div></div>"
            "<div class='footer'>主办：广州市番禺区人民政府办公室 网站标识码：4401130001</div>"
            "<script>window._CONFIG = {SID: '757001', TREE: []};\n"
            f"window._CONFIG.DETAIL = {json.dumps(detail, ensure_ascii=False)};</script></body></html>")


def _gkmlpt_cassette(path) -> str:
    from tests import cassette_kit as kit

    api = GK + "/gkmlpt/api/all/2801?page={}&sid=757001"

    def art(i: int, title: str, date: str) -> dict:
        return {"id": i, "title": title, "date": date, "url": f"{GK}/gkmlpt/content/{i // 10**6}/{i // 1000}/post_{i}.html"}

    r1 = art(10099135, "广州市番禺区2024年政府信息公开工作年度报告", "2025-01-20")
    notice = art(10088001, "关于做好2024年政务公开工作的通知", "2024-05-20")
    r2 = art(9433816, "广州市番禺区2023年政府信息公开工作年度报告", "2024-01-19")
    listing = {1: [r1, notice], 2: [r2]}
    paras = ["一、总体情况", "本年度主动公开政府信息{}条，收到政府信息公开申请{}件，均在法定期限内答复。",
             "二、主动公开政府信息情况"]
    exchanges = {
        GK + "/robots.txt": kit.ROBOTS_OK,
        GK + "/gkmlpt/index": kit.response(200, "<html><body><div>广州市番禺区政府信息公开目录</div>"
                                                "<script>window._CONFIG = {SID: '757001', TREE: [{id: 2801, "
                                                "name: '政府信息公开年报'}]};</script></body></html>"),
    }
    for k, arts in listing.items():
        exchanges[api.format(k)] = kit.response(200, json.dumps(
            {"classify": {"id": 2801, "post_count": 3}, "articles": arts}, ensure_ascii=False),
            {"Content-Type": "application/json;charset=UTF-8"})
    for n, r in enumerate((r1, r2)):
        body = [p.format(1200 + n, 35 + n) for p in paras]
        exchanges[r["url"]] = kit.response(200, _gkmlpt_detail(
            r["id"], r["title"], r["date"] + " 10:00:00", body, [["信息内容", "本年制发件数"], ["规章", str(n)]]))
    return kit.write(path, exchanges)


@pytest.mark.parametrize("how", [{"url": GK + "/gkmlpt/index#2801"},
                                 {"url": GK + "/gkmlpt/index", "category": "2801"},
                                 {"url": GK + "/gkmlpt/api/all/2801?page=1&sid=757001"}])
def test_gkmlpt_column_crawl_lists_a_category_through_the_json_api(tmp_path, how):
    """The column spider on a gkmlpt category (index page → SID → JSON listing, two pages),
    replayed from a small cassette written here in the documented format (not a recording);
    the detail pages carry the report in a script, which the cleaner reads."""
    import sqlite3

    from crawler.run import run_crawl

    cassette = _gkmlpt_cassette(tmp_path / "gk.yaml")
    stats = run_crawl("column", {"CASSETTE": cassette, "ARCHIVE_DB": str(tmp_path / "g.db"), "LOG_LEVEL": "WARNING"},
                      **how)
    assert stats["archive/platform"] == "gkmlpt" and not stats.get("cassette/miss"), stats
    assert stats["finish_reason"] == "finished" and not stats.get("archive/failed")
    db = sqlite3.connect(tmp_path / "g.db")
    rows = db.execute("select r.title, r.pub_date, v.text, v.tables, v.extractor from reports r "
                      "join versions v on v.id = r.current_version order by r.pub_date").fetchall()
    assert [(t, d) for t, d, *_ in rows] == [("广州市番禺区2023年政府信息公开工作年度报告", "2024-01-19"),
                                             ("广州市番禺区2024年政府信息公开工作年度报告", "2025-01-20")]
    for _, _, text, tables, extractor in rows:
        assert text.split("\n")[0] == "一、总体情况" and "信息内容 | 本年制发件数" in text
        assert "网站标识码" not in text and "公开目录" not in text
        assert json.loads(tables)[0]["n_rows"] == 2 and "DETAIL.content" in extractor
    fetched = {r[0] for r in db.execute("select url from fetches")}
    assert not any("post_10088001" in u for u in fetched)  # the notice is not a report


def test_gkmlpt_column_needs_its_category():
    from crawler.spiders.column import ColumnSpider

    with pytest.raises(ValueError, match="category"):
        ColumnSpider.check_arguments(url=GK + "/gkmlpt/index")
    with pytest.raises(ValueError, match="category"):
        ColumnSpider.check_arguments(url=GK + "/zwgk/", platform="gkmlpt")
    ColumnSpider.check_arguments(url=GK + "/gkmlpt/index#2801")


def test_corpus_fragment_named_like_a_list_page_lists_nothing():
    """ccgp-hebei/index_651.html has a TRS list page's name but is an include fragment of a
    detail page (corpus MANIFEST): no platform may read report entries or pages out of it."""
    url = "http://www.ccgp-hebei.gov.cn/province/cggg/zbgg/index_651.html"
    html = decode_html(corpus_file("ccgp-hebei/index_651.html")).text
    name, _ = detect(url, html)
    for platform in {name, "trs", "generic"}:
        page = get_platform(platform).parse_list(url, html, url)
        assert page.entries == [] and page.pages == [], platform
