"""Constructed test sites for ``scrapy crawl discover``, built on real government page templates.

Every site here is **constructed**: no request was ever sent to the sites whose pages lend their
chrome, and nothing was recorded. Each page is a real page of ``../shared/corpus/raw/`` (see its
``MANIFEST.tsv``) — its header, navigation bar, side menus and footer kept as they are, links to
the real host pointed at the test server — with its article area replaced by constructed content:
a homepage's news and link boxes, a 政务公开/政府信息公开 page's menus, a site map, a column's list of
reports, a report page, decoys. ``SITES`` says for each site which template it is built on, how
its annual-report column is reached (or that it has none), the decoys it carries, and the column(s)
a person would name (``expected``). The one exception to "constructed" is the pingtan list page,
served as it is (byte for byte but for its host): a real TRS annual-report column.

Agency names come from the templates' own sites; every report title, date, URL and id is made up.

``build_sites(corpus)`` returns the sites (pages as bytes, by path); ``tests/discovery_server.py``
serves each on 127.0.0.1, replacing ``ORIGIN`` in every body by the server's own origin.
"""

from __future__ import annotations

import csv

import json
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import lxml.html

from archive.decode import decode_html

ORIGIN = "http://site-origin.invalid"  # the server puts its own http://127.0.0.1:PORT here
ROBOTS = b"User-agent: *\nDisallow: /admin/\n"
YEARS = (2019, 2020, 2021, 2022, 2023, 2024)


@dataclass(frozen=True)
class Template:
    key: str
    file: str  # in ../shared/corpus/raw
    host: str  # the real host whose absolute links become the test site's
    main: str  # CSS selector of the article area a constructed page replaces
    what: str  # what the page is (from MANIFEST.tsv)
    areas: int = 1  # how many elements ``main`` selects (a page with a mobile and a desktop copy: 2)


TEMPLATES = {t.key: t for t in (
    Template("gz", "mhxqwer-jchgz.gov.cn/index.html", "www.gz.gov.cn", "div.mainbox_bg.content",
             "广州市人民政府门户网站 article page (NFCMS), 仿站 clone of https://www.gz.gov.cn/ysgz/xwdt/ysdt/content/post_9360641.html"),
    Template("hp", "mhxqwer-jchhp.gov.cn/index.html", "www.hp.gov.cn", "div.print-class.content-wrap",
             "广州市黄埔区人民政府门户网站 article page (NFCMS; the district also runs a gkmlpt 公开目录), 仿站 clone"),
    Template("foshan", "mhxqwer-fjffoshan.gov.cn/index.html", "www.foshan.gov.cn", "div.content-bor.news-view2",
             "佛山市人民政府门户网站 article page (Guangdong 集约化/NFCMS family), 仿站 clone"),
    Template("shanxi", "gne/shanxi_t20190918_693227.html", "www.shanxi.gov.cn", "div.common-detail-page-printer",
             "山西省人民政府门户网站 article page (TRS WCM), saved full page of "
             "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml"),
    Template("pingtan", "pingtan-list/index.html", "www.pingtan.gov.cn", "div.content_bg_02 > div.trt-row",
             "平潭综合实验区 政府信息公开年报 list page (TRS, Fujian), https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"),
    Template("xiangtan", "mhxqwer-qzhxiangtan.gov.cn/index.html", "www.xiangtan.gov.cn", "div.xl-fam",
             "湘潭市人民政府 article page (Hunan intensive platform family), 仿站 clone saved as UTF-16"),
    Template("zj", "gne/fgw_zj_art_30332664.html", "fgw.zj.gov.cn", "div.wz-con",
             "浙江省发展和改革委员会 article page (Hanweb JCMS), saved full page of "
             "http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html"),
    Template("xa", "mhxqwer-cxwxa.gov.cn/index.html", "www.xa.gov.cn", "div.row.clearfix > div.col-md-12.column",
             "西安市人民政府 article page (unknown CMS: generic), 仿站 clone of http://www.xa.gov.cn/xw/zwzx/qxrd/1833316118612205569.html"),
    Template("wlmq", "mhxqwer-gqcwlmq.gov.cn/index.html", "www.wlmq.gov.cn", "article.am-article",
             "乌鲁木齐市人民政府网 article page (JSP CMS: generic), 仿站 clone of http://www.wlmq.gov.cn/fjbm/llj/tzgg/562718.htm",
             areas=2),
    Template("wuhan", "mhxqwer-zxwwuhan.gov.cn/index.html", "sw.wuhan.gov.cn", "div#detailbox",
             "武汉市商务局 article page (generic; relative navigation links), 仿站 clone"),
    Template("qingdao", "mhxqwer-lszqingdao.gov.cn/index.html", "www.qingdao.gov.cn", "div.content_box",
             "青岛市政府门户网站 article page (generic), 仿站 clone"),
    Template("bjft", "mhxqwer-hjhbjft.gov.cn/index.html", "www.bjft.gov.cn", "div.listCon",
             "北京市丰台区人民政府网站 article page (.shtml, generic), 仿站 clone"),
)}

# article meta tags a list page does not have (a constructed page sets its own)
_ARTICLE_META = {"articletitle", "pubdate", "contentsource", "description", "keywords", "author", "image", "url",
                 "columnname", "columndescription", "columnkeywords", "columntype"}


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Site:
    name: str
    family: str  # the CMS family its column is on (nfcms, gkmlpt, trs, hunan, hanweb, generic)
    template: Template
    how: str  # how a person reaches the column (or that there is none)
    expected: list[str]  # the column URL(s) a person would name, as paths with ORIGIN, [] if none
    decoys: list[str] = field(default_factory=list)
    pages: dict[str, Response] = field(default_factory=dict)  # path (and query) → response
    disallowed: list[str] = field(default_factory=list)  # paths robots.txt forbids (never to be fetched)

    @property
    def made_from(self) -> str:
        return f"constructed on ../shared/corpus/raw/{self.template.file} ({self.template.what})"


# --- template surgery --------------------------------------------------------------------------
class Builder:
    """Pages of one site on one template: the template's chrome around constructed content."""

    def __init__(self, corpus: Path, template: Template):
        self.t = template
        raw = (corpus / template.file).read_bytes()
        self.text = decode_html(raw, None).text  # UTF-16 with a BOM, UTF-8 with a meta: all decoded by their evidence
        self.raw = raw
        doc = lxml.html.document_fromstring(self.text)
        found = len(doc.cssselect(template.main))
        if found != template.areas:
            raise ValueError(f"{template.file}: {template.main} selects {found} elements, not {template.areas}")

    def page(self, title: str, main: str, *, column: str | None = None, article: tuple[str, str] | None = None,
             nav_add: list[tuple[str, str]] = (), script: str = "") -> Response:
        """The template with its article area replaced by ``main``; ``column``: the page's
        ColumnName; ``article``: (ArticleTitle, PubDate) of an article page; ``nav_add``: links
        added to the template's main navigation bar; ``script``: appended to <head>."""
        doc = lxml.html.document_fromstring(self.text)
        for el in doc.cssselect(self.t.main):
            attrib = dict(el.attrib)
            for child in list(el):
                el.remove(child)
            el.text = None
            el.attrib.clear()
            el.attrib.update(attrib)
            parts = lxml.html.fragments_fromstring(main)
            if parts and isinstance(parts[0], str):
                el.text, parts = parts[0], parts[1:]
            for part in parts:
                el.append(part)
        head = doc.find("head")
        for meta in list(head.iter("meta")):
            name = (meta.get("name") or "").lower()
            if name in _ARTICLE_META or meta.get("charset") or (meta.get("http-equiv") or "").lower() == "content-type":
                meta.getparent().remove(meta)
        for base in doc.iter("base"):
            base.getparent().remove(base)
        head.insert(0, lxml.html.fragment_fromstring('<meta charset="utf-8">'))
        title_el = head.find("title")
        if title_el is None:
            title_el = lxml.html.fragment_fromstring("<title></title>")
            head.append(title_el)
        title_el.text = title
        if column:
            head.append(lxml.html.fragment_fromstring(f'<meta name="ColumnName" content="{escape(column)}">'))
        if article:
            head.append(lxml.html.fragment_fromstring(f'<meta name="ArticleTitle" content="{escape(article[0])}">'))
            head.append(lxml.html.fragment_fromstring(f'<meta name="PubDate" content="{article[1]} 09:30:00">'))
        if script:
            head.append(lxml.html.fragment_fromstring(f"<script>{script}</script>"))
        for href, text in nav_add:
            navs = [ul for ul in doc.iter("ul") if any((a.text_content() or "").strip() in ("政务公开", "公开", "政府信息公开")
                                                       for a in ul.iter("a"))]
            if not navs:
                raise ValueError(f"{self.t.file}: no navigation bar to add {text} to")
            navs[0].append(lxml.html.fragment_fromstring(f'<li><a href="{href}">{escape(text)}</a></li>'))
        html = lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")
        return Response(200, self.localise(html).encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})

    def localise(self, html: str) -> str:
        for prefix in ("https://", "http://", "//"):
            html = html.replace(prefix + self.t.host, ORIGIN)
        return html

    def real(self) -> Response:
        """The template page itself, its links to its own host pointed here (nothing else changed)."""
        html = self.localise(self.raw.decode("utf-8"))
        return Response(200, html.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})


def ul(items: list[tuple[str, str, str | None]], cls: str = "list") -> str:
    lis = "".join(f'<li><a href="{href}" title="{escape(text)}" target="_blank">{escape(text)}</a>'
                  + (f"<span>{date}</span>" if date else "") + "</li>" for href, text, date in items)
    return f'<ul class="{cls}">{lis}</ul>'


def box(title: str, links: list[tuple[str, str]], cls: str = "box") -> str:
    return f'<div class="{cls}"><h3>{escape(title)}</h3>' + ul([(h, t, None) for h, t in links], "links") + "</div>"


def report_body(title: str, agency: str, year: int) -> str:
    paras = [f"根据《中华人民共和国政府信息公开条例》规定，现公布{agency}{year}年度政府信息公开工作年度报告。",
             "一、总体情况", f"{year}年，{agency}主动公开政府信息，依法办理政府信息公开申请，按时答复。",
             "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况",
             "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    return "".join(f"<p>{escape(p)}</p>" for p in paras)


NEWS = [("市政府常务会议研究部署近期重点工作", "2025-03-02"), ("全市优化营商环境大会召开", "2025-02-26"),
        ("春季植树活动在全市各区展开", "2025-02-20"), ("市民服务热线一季度办理情况通报", "2025-02-14")]


def news_items(prefix: str) -> list[tuple[str, str, str]]:
    return [(f"{prefix}{i}.html", title, date) for i, (title, date) in enumerate(NEWS, 1)]


def _article(b: Builder, site_title: str, title: str, date: str, body: str, container: str) -> Response:
    main = (f'<div class="article"><h1 class="title">{escape(title)}</h1><div class="info">发布时间：{date} 来源：{escape(site_title)}</div>'
            f'{container.format(body=body)}</div>')
    return b.page(f"{title}_{site_title}", main, article=(title, date))


def _reports(agencies: list[str], years=YEARS) -> list[tuple[str, int]]:
    return [(a, y) for y in sorted(years, reverse=True) for a in agencies]


# --- the sites -----------------------------------------------------------------------------------
def build_sites(corpus: Path) -> list[Site]:
    sites = [
        _gz_topnav(corpus), _gz_hub(corpus), _gz_sitemap(corpus), _gz_robots(corpus),
        _hp_gkmlpt(corpus), _foshan_gkmlpt(corpus),
        _shanxi_redirect(corpus), _shanxi_script_list(corpus), _pingtan_real(corpus),
        _xiangtan(corpus), _zj_hanweb(corpus), _zj_sitemap(corpus),
        _xa_generic(corpus), _wlmq_catalogue(corpus), _wuhan_decoys(corpus),
        _qingdao_none(corpus), _bjft_none(corpus),
    ]
    for site in sites:
        site.pages.setdefault("/robots.txt", Response(200, _robots(site), {"Content-Type": "text/plain"}))
    return sites


def _robots(site: Site) -> bytes:
    return ROBOTS + b"".join(f"Disallow: {p}\n".encode() for p in site.disallowed)


# NFCMS (广州): the column root lists sub-columns (市本级, 市政府部门 by year, 各区), as gz.gov.cn's does
GZ_COLUMN = "/zfjgzy/gzsrmzfbgt/zfxxgknb/"
GZ_CONTAINER = '<div class="content_article" id="zoomcon">{body}</div>'


def _gz_column(b: Builder, site: Site, root: str, name: str = "政府信息公开年报") -> None:
    subs = [("sbj/", "市本级", ["广州市人民政府"]), ("bm/", "市政府部门", ["广州市人力资源和社会保障局", "广州市财政局"]),
            ("gq/", "各区", ["广州市番禺区人民政府", "广州市黄埔区人民政府"])]
    main = f'<div class="column"><h2>{name}</h2>' + ul([(root + s, label, None) for s, label, _ in subs], "sublist") + "</div>"
    site.pages[root] = b.page(f"{name}_广州市人民政府门户网站", main, column=name)
    n = 5_000_000
    for folder, label, agencies in subs:
        items = []
        for agency, year in _reports(agencies):
            n += 137
            url = f"{root}{folder}content/post_{n}.html"
            title = f"{agency}{year}年政府信息公开工作年度报告"
            date = f"{year + 1}-01-{10 + len(items) % 18:02d}"
            items.append((url, title, date))
            site.pages[url] = _article(b, "广州市人民政府门户网站", title, date, report_body(title, agency, year), GZ_CONTAINER)
        site.pages[root + folder] = b.page(f"{label}_{name}_广州市人民政府门户网站",
                                           f"<h2>{label}</h2>" + ul(items), column=label)


def _gz_common(b: Builder, site: Site, zwgk_links: list[tuple[str, str]]) -> None:
    site.pages["/"] = b.page("广州市人民政府门户网站", box("要闻动态", [(h, t) for h, t, _ in news_items("/xw/")]))
    site.pages["/zwgk/index.html"] = b.page("政务公开_广州市人民政府门户网站", box("政务公开", zwgk_links), column="政务公开")


def _gz_topnav(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["gz"])
    site = Site("nfcms-topnav", "nfcms", b.t, "a link 政府信息公开年报 added to the real top navigation bar; the column "
                "root lists only its sub-columns (市本级, 市政府部门, 各区)", [ORIGIN + GZ_COLUMN])
    _gz_common(b, site, [("/zwgk/zcwj/", "政策文件"), ("/zwgk/ghxx/", "规划信息")])
    site.pages["/"] = b.page("广州市人民政府门户网站", box("要闻动态", [(h, t) for h, t, _ in news_items("/xw/")]),
                             nav_add=[(ORIGIN + GZ_COLUMN, "政府信息公开年报")])
    _gz_column(b, site, GZ_COLUMN)
    return site


def _gz_hub(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["gz"])
    col = "/zwgk/zfxxgk/zfxxgknb/"
    site = Site("nfcms-hub", "nfcms", b.t, "only from the 政府信息公开 page (首页 → 政务公开 → 政府信息公开 → "
                "政府信息公开年报); the column lists its reports over two pages", [ORIGIN + col],
                ["a 年度报告 link on the homepage to a news article about a statistics bureau's annual report"])
    _gz_common(b, site, [("/zwgk/zfxxgk/", "政府信息公开"), ("/zwgk/zcwj/", "政策文件")])
    site.pages["/"] = b.page("广州市人民政府门户网站", box("要闻动态", [(h, t) for h, t, _ in news_items("/xw/")])
                             + box("热点专题", [("/xw/tjj/content/post_9912345.html", "年度报告"), ("/zt/yshj/", "营商环境")]))
    site.pages["/xw/tjj/content/post_9912345.html"] = _article(
        b, "广州市人民政府门户网站", "市统计局发布广州市2024年度报告：经济运行稳中有进", "2025-03-05",
        "<p>市统计局今天发布2024年度报告，全市经济运行稳中有进。</p>", GZ_CONTAINER)
    site.pages["/zwgk/zfxxgk/"] = b.page("政府信息公开_广州市人民政府门户网站", box("政府信息公开", [
        ("/zwgk/zfxxgk/zn/", "政府信息公开指南"), ("/zwgk/zfxxgk/zd/", "政府信息公开制度"),
        ("/zwgk/zfxxgk/fdzdgknr/", "法定主动公开内容"), (col, "政府信息公开年报"), ("/zwgk/zfxxgk/ysqgk/", "依申请公开")]),
        column="政府信息公开")
    items, n = [], 9_400_000
    for agency, year in _reports(["广州市人民政府办公厅", "广州市教育局", "广州市民政局"]):
        n += 911
        url, title = f"{col}content/post_{n}.html", f"{agency}{year}年政府信息公开工作年度报告"
        date = f"{year + 1}-01-{15 + len(items) % 12:02d}"
        items.append((url, title, date))
        site.pages[url] = _article(b, "广州市人民政府门户网站", title, date, report_body(title, agency, year), GZ_CONTAINER)
    pager = '<div class="page"><a href="index_2.html">下一页</a><script>createPageHTML(2, 0, "index", "html");</script></div>'
    site.pages[col] = b.page("政府信息公开年报_广州市人民政府门户网站", ul(items[:10]) + pager, column="政府信息公开年报")
    site.pages[col + "index_2.html"] = b.page("政府信息公开年报_广州市人民政府门户网站", ul(items[10:]),
                                              column="政府信息公开年报")
    return site


def _gz_sitemap(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["gz"])
    col = "/zwgk/xxgknb/"
    site = Site("nfcms-sitemap", "nfcms", b.t, "only from the site map (网站地图 in the real footer), named 信息公开年报",
                [ORIGIN + col])
    _gz_common(b, site, [("/zwgk/zcwj/", "政策文件"), ("/zwgk/ghxx/", "规划信息"), ("/zwgk/rsxx/", "人事信息")])
    site.pages["/gywz/wzdt/index.html"] = b.page("网站地图_广州市人民政府门户网站", box("政务公开", [
        ("/zwgk/zcwj/", "政策文件"), ("/zwgk/ghxx/", "规划信息"), (col, "信息公开年报")]) + box("政务服务", [
        ("/zwfw/", "办事指南"), ("/hdjl/", "互动交流")]), column="网站地图")
    items, n = [], 8_100_000
    for agency, year in _reports(["广州市人民政府", "广州市住房和城乡建设局"]):
        n += 77
        url, title = f"{col}content/post_{n}.html", f"{agency}{year}年度政府信息公开工作年度报告"
        items.append((url, title, f"{year + 1}-03-{20 + len(items) % 9:02d}"))
        site.pages[url] = _article(b, "广州市人民政府门户网站", title, items[-1][2], report_body(title, agency, year), GZ_CONTAINER)
    site.pages[col] = b.page("信息公开年报_广州市人民政府门户网站", ul(items), column="信息公开年报")
    return site


def _gz_robots(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["gz"])
    col = "/zwgk/bmnb/"
    site = Site("nfcms-robots", "nfcms", b.t, "linked from the 政务公开 page, but robots.txt forbids the column's "
                "folder: not to be fetched, so not found", [], disallowed=[col])
    _gz_common(b, site, [("/zwgk/zcwj/", "政策文件"), (col, "政府信息公开年报")])
    items = [(f"{col}content/post_{7_000_000 + y}.html", f"广州市人民政府{y}年政府信息公开工作年度报告", f"{y + 1}-03-01")
             for y in YEARS]
    site.pages[col] = b.page("政府信息公开年报_广州市人民政府门户网站", ul(items), column="政府信息公开年报")
    return site


# gkmlpt (Guangdong 公开目录): the column is one category of /gkmlpt/index's TREE
def _catalogue(b: Builder, site: Site, sid: str, tree: list, category: int, name: str, agency: str) -> None:
    # written as a script object, as the existing gkmlpt tests do (the live layout is not verified)
    config = f"{{SID: '{sid}', TREE: {json.dumps(tree, ensure_ascii=False)}}}"
    site.pages["/gkmlpt/index"] = b.page(f"{agency}政府信息公开目录", '<div id="app" class="gkml"></div>',
                                         column="政府信息公开目录", script=f"window._CONFIG = {config};")
    articles = []
    for i, (who, year) in enumerate(_reports([agency, agency.replace("人民政府", "发展和改革局")])):
        doc_id = 9_700_000 + 1000 * i + year
        articles.append({"id": doc_id, "title": f"{who}{year}年政府信息公开工作年度报告",
                         "date": f"{year + 1}-01-{20 + i % 8:02d}",
                         "url": f"{ORIGIN}/gkmlpt/content/{doc_id // 10**6}/{doc_id // 1000}/post_{doc_id}.html"})
    body = json.dumps({"classify": {"id": category, "name": name, "post_count": len(articles)}, "articles": articles},
                      ensure_ascii=False).encode("utf-8")
    site.pages[f"/gkmlpt/api/all/{category}?page=1&sid={sid}"] = Response(
        200, body, {"Content-Type": "application/json;charset=UTF-8"})


def _hp_gkmlpt(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["hp"])
    site = Site("gkmlpt-catalogue", "gkmlpt", b.t, "only through the 公开目录: 政府信息公开 → 政府信息公开目录 "
                "(/gkmlpt/index) → its category 政府信息公开年报", [ORIGIN + "/gkmlpt/index#2801"],
                ["a category 政府工作报告 in the same catalogue"])
    site.pages["/"] = b.page("广州市黄埔区人民政府门户网站", box("黄埔要闻", [(h, t) for h, t, _ in news_items("/xwzx/")]))
    site.pages["/zwgk/zfxxgk"] = b.page("政府信息公开_广州市黄埔区人民政府门户网站", box("政府信息公开", [
        ("/gkmlpt/index", "政府信息公开目录"), ("/zwgk/zfxxgk/zn/", "政府信息公开指南")]), column="政府信息公开")
    tree = [{"id": 2790, "name": "法定主动公开内容", "children": [
        {"id": 2791, "name": "政策文件"}, {"id": 2801, "name": "政府信息公开年报"}, {"id": 2802, "name": "政府工作报告"},
        {"id": 2803, "name": "财政预决算"}]}, {"id": 2900, "name": "其他"}]
    _catalogue(b, site, "440112", tree, 2801, "政府信息公开年报", "广州市黄埔区人民政府")
    return site


def _foshan_gkmlpt(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["foshan"])
    site = Site("gkmlpt-named-ndbg", "gkmlpt", b.t, "政务公开 → 信息公开目录 (/gkmlpt/index); the category is "
                "named 年度报告, beside one named 部门年度工作报告", [ORIGIN + "/gkmlpt/index#1043"],
                ["a catalogue category 部门年度工作报告"])
    site.pages["/"] = b.page("佛山市人民政府门户网站", box("佛山要闻", [(h, t) for h, t, _ in news_items("/xw/")]))
    site.pages["/zwgk/"] = b.page("政务公开_佛山市人民政府门户网站", box("政务公开", [
        ("/gkmlpt/index", "信息公开目录"), ("/zwgk/zwdt/", "政务动态")]), column="政务公开")
    tree = [{"id": 1040, "name": "机构职能"}, {"id": 1041, "name": "政策文件"},
            {"id": 1042, "name": "部门年度工作报告"}, {"id": 1043, "name": "年度报告"}]
    _catalogue(b, site, "757001", tree, 1043, "年度报告", "佛山市人民政府")
    return site


# TRS (山西): a redirect, a decoy 政府工作报告 in the real navigation, a list loaded by script
TRS_CONTAINER = '<div class="TRS_Editor">{body}</div>'


def _trs_items(b: Builder, site: Site, col: str, agencies: list[str], site_title: str) -> list:
    items = []
    for i, (agency, year) in enumerate(_reports(agencies)):
        month = f"{year + 1}01"
        url = f"{col}{month}/t{month}{15 + i % 10}_{600000 + 37 * i}.shtml"
        title = f"{agency}{year}年政府信息公开工作年度报告"
        items.append((url, title, f"{year + 1}-01-{15 + i % 10}"))
        site.pages[url] = _article(b, site_title, title, items[-1][2], report_body(title, agency, year), TRS_CONTAINER)
    return items


def _shanxi_common(b: Builder, site: Site) -> None:
    site.pages["/"] = b.page("山西省人民政府门户网站", box("山西要闻", [(h, t) for h, t, _ in news_items("/yw/sxyw/")]))
    site.pages["/szf/zfgzbg/"] = b.page("政府工作报告_山西省人民政府门户网站", ul([
        (f"/szf/zfgzbg/{y}01/t{y}0125_{5000 + y}.shtml", f"{y}年山西省人民政府工作报告", f"{y}-01-25") for y in YEARS]),
        column="政府工作报告")


def _shanxi_redirect(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["shanxi"])
    col = "/zw/zfgkzl/fdzdgknr/ndbg/"
    site = Site("trs-redirect", "trs", b.t, "政府信息公开专栏 (real navigation) → 信息公开年报, a link that answers "
                "302 to the column's real place", [ORIGIN + col], ["政府工作报告 in the real navigation bar"])
    _shanxi_common(b, site)
    site.pages["/zw/zfgkzl/"] = b.page("政府信息公开专栏_山西省人民政府门户网站", box("政府信息公开专栏", [
        ("/zw/zfgkzl/zcwj/", "政策文件"), ("/zw/zfgkzl/xxgknb/", "信息公开年报"), ("/zw/zfgkzl/zn/", "信息公开指南")]),
        column="政府信息公开专栏")
    site.pages["/zw/zfgkzl/xxgknb/"] = Response(302, b"", {"Location": ORIGIN + col + "index.shtml"})
    items = _trs_items(b, site, col, ["山西省人民政府", "山西省发展和改革委员会"], "山西省人民政府门户网站")
    pager = '<script>createPageHTML(2, 0, "index", "shtml");</script><a href="index_1.shtml">下一页</a>'
    site.pages[col + "index.shtml"] = b.page("信息公开年报_山西省人民政府门户网站", ul(items[:8]) + pager, column="信息公开年报")
    site.pages[col + "index_1.shtml"] = b.page("信息公开年报_山西省人民政府门户网站", ul(items[8:]), column="信息公开年报")
    return site


def _shanxi_script_list(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["shanxi"])
    col = "/zw/zfgkzl/zfxxgknb/"
    site = Site("trs-script-list", "trs", b.t, "政府信息公开专栏 → 政府信息公开年报, but the column's list is loaded by "
                "a script (no entry in its HTML): a candidate that cannot be confirmed, so not found", [],
                ["政府工作报告 in the real navigation bar"])
    _shanxi_common(b, site)
    site.pages["/zw/zfgkzl/"] = b.page("政府信息公开专栏_山西省人民政府门户网站", box("政府信息公开专栏", [
        ("/zw/zfgkzl/zcwj/", "政策文件"), (col, "政府信息公开年报")]), column="政府信息公开专栏")
    site.pages[col] = b.page("政府信息公开年报_山西省人民政府门户网站",
                             '<div id="list" ms-controller="list"></div><script>var listArgs = {channelid: 1813, '
                             'page: 1}; avalon.ready(function(){ loadList(listArgs); });</script>', column="政府信息公开年报")
    return site


def _pingtan_real(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["pingtan"])
    col = "/zwgk/zfxxgk/zfxxgknb/nlist.htm"
    site = Site("trs-real-pingtan", "trs", b.t, "the real column page (served as saved): 政务公开 → 政府信息公开 "
                "(whose side menu is the real page's) → 政府信息公开年报", [ORIGIN + col],
                ["政府工作报告 in the real navigation bar (not served)"])
    site.pages["/"] = b.page("平潭综合实验区党工委管委会", box("平潭要闻", [(h, t) for h, t, _ in news_items("/zwgk/yw/")]))
    site.pages["/zwgk/"] = b.page("政务公开_平潭综合实验区党工委管委会", box("政务公开", [
        ("/zwgk/zfxxgk/", "政府信息公开"), ("/zwgk/ldzc/", "领导之窗")]), column="政务公开")
    # the real page with its list area replaced: its side menu (法定主动公开内容, 政府信息公开年报 …) stays
    real = Builder(corpus, Template("pingtan-list", TEMPLATES["pingtan"].file, "www.pingtan.gov.cn",
                                    "div.tabs.info_tabs", TEMPLATES["pingtan"].what))  # only the list area replaced
    site.pages["/zwgk/zfxxgk/"] = real.page("政府信息公开_平潭综合实验区党工委管委会", box("政府信息公开", [
        ("/zwgk/zfxxgk/zfxxgkzn/", "政府信息公开指南"), ("/zwgk/zfxxgk/fdzdgknr/", "法定主动公开内容")]),
        column="政府信息公开")
    site.pages[col] = b.real()
    return site


# Hunan platform (湘潭): relative navigation links, the column named 政务公开年报
def _xiangtan(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["xiangtan"])
    col = "/23233/23241/"
    site = Site("hunan-zwgknb", "hunan", b.t, "the homepage answers 302 to /index.htm; 政务公开 (a relative link of "
                "the real navigation) → 政务公开年报", [ORIGIN + col])
    site.pages["/"] = Response(302, b"", {"Location": ORIGIN + "/index.htm"})
    site.pages["/index.htm"] = b.page("湘潭市人民政府", box("湘潭要闻", [(h, t) for h, t, _ in news_items("/109/")]))
    site.pages["/23233/index.htm"] = b.page("政务公开_湘潭市人民政府", box("政务公开", [
        ("/23233/23240/index.htm", "政策文件"), ("/23233/23241/index.htm", "政务公开年报")]), column="政务公开")
    items = []
    for i, (agency, year) in enumerate(_reports(["湘潭市人民政府", "湘潭市教育局", "湘潭市民政局"])):
        url = f"{col}{year + 1}01{10 + i % 15}/i{1_100_000 + 13 * i}.html"
        title = f"{agency}{year}年政府信息公开工作年度报告"
        items.append((url, title, f"{year + 1}-01-{10 + i % 15}"))
        site.pages[url] = _article(b, "湘潭市人民政府", title, items[-1][2], report_body(title, agency, year),
                                   '<div id="zoom">{body}</div>')
    site.pages[col + "index.htm"] = b.page("政务公开年报_湘潭市人民政府", ul(items, "list-ul"), column="政务公开年报")
    return site


# Hanweb (浙江): records in <datastore> on /col/col<id>/index.html
def _hanweb_column(b: Builder, site: Site, col_id: int, name: str, agencies: list[str]) -> str:
    col = f"/col/col{col_id}/index.html"
    records = []
    for i, (agency, year) in enumerate(_reports(agencies)):
        url = f"/art/{year + 1}/1/{10 + i % 18}/art_{col_id}_{5_800_000 + 29 * i}.html"
        title = f"{agency}{year}年政府信息公开工作年度报告"
        records.append(f'<record><![CDATA[<li><a href="{url}" title="{title}" target="_blank">{title}</a>'
                       f'<span>{year + 1}-01-{10 + i % 18}</span></li>]]></record>')
        site.pages[url] = _article(b, "浙江省发展和改革委员会", title, f"{year + 1}-01-{10 + i % 18}",
                                   report_body(title, agency, year), '<div id="zoom">{body}</div>')
    data = (f'<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&'
            f'appid=1&webid=3093&path=/&columnid={col_id}&unitid=4892867&webname=fgw&permissiontype=0"></a>]]></nextgroup>'
            f'<recordset>{"".join(records)}</recordset></datastore></script>'
            f'<script>var totalRecord = {len(records)}; var perpage = 15;</script>')
    site.pages[col] = b.page(f"{name} 浙江省发展和改革委员会", f'<div class="lm-list"><h2>{name}</h2><div id="{col_id}">{data}</div></div>',
                             column=name)
    return f"/col/col{col_id}/"


def _zj_common(b: Builder, site: Site, zwgk: list[tuple[str, str]]) -> None:
    site.pages["/"] = b.page("浙江省发展和改革委员会", box("工作动态", [(h, t) for h, t, _ in news_items("/art/2025/3/")]))
    site.pages["/col/col1599521/index.html"] = b.page("政务公开 浙江省发展和改革委员会", box("政务公开", zwgk), column="政务公开")


def _zj_hanweb(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["zj"])
    site = Site("hanweb-hub", "hanweb", b.t, "政务公开 (real navigation) → 政府信息公开年报 (/col/col1229/)", [])
    _zj_common(b, site, [("/col/col1599522/index.html", "政策文件"), ("/col/col1229/index.html", "政府信息公开年报")])
    site.expected = [ORIGIN + _hanweb_column(b, site, 1229, "政府信息公开年报", ["浙江省发展和改革委员会", "浙江省能源局"])]
    return site


def _zj_sitemap(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["zj"])
    site = Site("hanweb-sitemap-ndbg", "hanweb", b.t, "only from the site map (网站地图, real navigation), named "
                "年度报告; the 政务公开 page links 部门年度工作报告 instead", [], ["部门年度工作报告 on the 政务公开 page"])
    _zj_common(b, site, [("/col/col1599522/index.html", "政策文件"), ("/col/col1631000/index.html", "部门年度工作报告")])
    site.pages["/col/col1631000/index.html"] = b.page("部门年度工作报告 浙江省发展和改革委员会", ul([
        (f"/art/{y + 1}/2/1/art_1631000_{y}.html", f"浙江省发展和改革委员会{y}年度工作总结和{y + 1}年工作思路", f"{y + 1}-02-01")
        for y in YEARS]), column="部门年度工作报告")
    site.pages["/col/col1629311/index.html"] = b.page("网站地图 浙江省发展和改革委员会", box("政务公开", [
        ("/col/col1599522/index.html", "政策文件"), ("/col/col1630000/index.html", "年度报告")]), column="网站地图")
    site.expected = [ORIGIN + _hanweb_column(b, site, 1630000, "年度报告", ["浙江省发展和改革委员会"])]
    return site


# generic: sites whose CMS is none of the known families
def _generic_items(b: Builder, site: Site, col: str, agencies: list[str], site_title: str, ext: str = "html") -> list:
    items = []
    for i, (agency, year) in enumerate(_reports(agencies)):
        url = f"{col}{1_833_316_118_612_000_000 + 7919 * i}.{ext}"
        title = f"{agency}{year}年政府信息公开工作年度报告"
        items.append((url, title, f"{year + 1}-01-{12 + i % 15}"))
        site.pages[url] = _article(b, site_title, title, items[-1][2], report_body(title, agency, year),
                                   '<div class="m-txt" id="printContent">{body}</div>')
    return items


def _xa_generic(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["xa"])
    col = "/gk/zfxxgknb/list.html"
    site = Site("generic-xa", "generic", b.t, "公开 (real navigation) → 政府信息公开年报, a list page on a CMS of no "
                "known family", [ORIGIN + col])
    site.pages["/"] = b.page("西安市人民政府", box("西安要闻", [(h, t) for h, t, _ in news_items("/xw/zwzx/")]))
    site.pages["/gk/"] = b.page("公开_西安市人民政府", box("政府信息公开", [
        ("/gk/zcwj/list.html", "政策文件"), (col, "政府信息公开年报"), ("/gk/zn/list.html", "政府信息公开指南")]), column="公开")
    items = _generic_items(b, site, "/gk/zfxxgknb/", ["西安市人民政府", "西安市商务局"], "西安市人民政府")
    site.pages[col] = b.page("政府信息公开年报_西安市人民政府", ul(items), column="政府信息公开年报")
    return site


def _wlmq_catalogue(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["wlmq"])
    col = "/info/iList.jsp?cat_id=10234"
    site = Site("generic-wlmq-catalogue", "generic", b.t, "公开 (real navigation) → 信息公开目录 (a JSP catalogue, not "
                "gkmlpt) → 年度报告, a column URL with a query", [ORIGIN + col])
    site.pages["/"] = b.page("乌鲁木齐市人民政府网", box("首府要闻", [(h, t) for h, t, _ in news_items("/gk/xw/")]))
    site.pages["/xxgk.htm"] = b.page("政府信息公开_乌鲁木齐市人民政府网", box("政府信息公开", [
        ("/info/nIndex.jsp?node_id=GKszf", "信息公开目录"), ("/gk/xxgkzn/432880.htm?q=xxgkzn", "公开指南")]),
        column="政府信息公开")
    site.pages["/info/nIndex.jsp?node_id=GKszf"] = b.page("信息公开目录_乌鲁木齐市人民政府网", box("市政府信息公开目录", [
        ("/info/iList.jsp?cat_id=10230", "机构职能"), ("/info/iList.jsp?cat_id=10231", "政策文件"),
        (col, "年度报告")]), column="信息公开目录")
    items = _generic_items(b, site, "/gk/ndbg/", ["乌鲁木齐市人民政府", "乌鲁木齐市林业和草原局"], "乌鲁木齐市人民政府网", "htm")
    site.pages[col] = b.page("年度报告_乌鲁木齐市人民政府网", ul(items), column="年度报告")
    return site


def _wuhan_decoys(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["wuhan"])
    col = "/zfxxgk/zfxxgknb/"
    site = Site("generic-wuhan-decoys", "generic", b.t, "政府信息公开 (a relative link of the real navigation) → "
                "政府信息公开年报; the same page links a department's 年度报告 (its work reports) and shows a news item "
                "announcing one report", [ORIGIN + col],
                ["年度报告 → a list of 年度工作报告", "a news item 市商务局发布2024年政府信息公开工作年度报告 on the hub"])
    site.pages["/"] = b.page("武汉市商务局", box("商务要闻", [(h, t) for h, t, _ in news_items("/swdt/")]))
    site.pages["/zfxxgk/zc/zcfg/"] = b.page("政府信息公开_武汉市商务局", box("政府信息公开", [
        (col, "政府信息公开年报"), ("/zfxxgk/gzbg/", "年度报告"), ("/zfxxgk/zn/", "政府信息公开指南")])
        + box("公开动态", [("/swdt/2025/202501/t20250120_1.shtml", "市商务局发布2024年政府信息公开工作年度报告"),
                          ("/swdt/2025/202501/t20250110_2.shtml", "市商务局召开政务公开工作培训会")]), column="政府信息公开")
    site.pages["/zfxxgk/gzbg/"] = b.page("年度报告_武汉市商务局", ul([
        (f"/zfxxgk/gzbg/{y}.shtml", f"武汉市商务局{y}年度工作报告", f"{y + 1}-01-05") for y in YEARS]), column="年度报告")
    items = _generic_items(b, site, col, ["武汉市商务局"], "武汉市商务局")
    site.pages[col] = b.page("政府信息公开年报_武汉市商务局", ul(items), column="政府信息公开年报")
    return site


def _qingdao_none(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["qingdao"])
    site = Site("none-qingdao", "generic", b.t, "no annual-report column anywhere: the 政府信息公开 page and 部门信息公开目录 "
                "list sixty departments' 信息公开 pages (the budget bounds the search); 年度报告 on the homepage is a news "
                "article", [], ["年度报告 → a news article about a statistics bureau's report"])
    site.pages["/"] = b.page("青岛市政府门户网站", box("青岛要闻", [(h, t) for h, t, _ in news_items("/news/")])
                             + box("热点", [("/news/202503/t20250305_1.shtml", "年度报告")]))
    site.pages["/news/202503/t20250305_1.shtml"] = _article(
        b, "青岛市政府门户网站", "市统计局发布2024年度报告", "2025-03-05", "<p>市统计局发布2024年度报告。</p>",
        '<div class="TRS_Editor">{body}</div>')
    departments = [f"/zwgk/xxgk/bm{i:02d}/" for i in range(60)]
    site.pages["/zwgk/"] = b.page("政府信息公开_青岛市政府门户网站", box("政府信息公开", [
        ("/zwgk/xxgk/", "部门信息公开目录"), ("/zwgk/zn/", "政府信息公开指南")]), column="政府信息公开")
    site.pages["/zwgk/xxgk/"] = b.page("部门信息公开目录_青岛市政府门户网站", box("部门", [
        (d, f"第{i + 1}部门信息公开") for i, d in enumerate(departments)]), column="部门信息公开目录")
    for i, d in enumerate(departments):
        site.pages[d] = b.page(f"第{i + 1}部门信息公开_青岛市政府门户网站", box("信息公开", [
            (d + "zcwj/", "政策文件"), (d + "jgzn/", "机构职能")]), column="信息公开")
    return site


def _bjft_none(corpus: Path) -> Site:
    b = Builder(corpus, TEMPLATES["bjft"])
    site = Site("none-bjft-decoys", "generic", b.t, "no annual-report column: the 政务公开 page (real navigation) links "
                "年度工作报告 and 政府工作报告 lists; the site map's 年报 is a statistics bureau's news article", [],
                ["年度工作报告 list", "政府工作报告 list", "年报 → a news article"])
    site.pages["/"] = b.page("北京市丰台区人民政府网站", box("丰台要闻", [(h, t) for h, t, _ in news_items("/ftq/xwzx/")]))
    site.pages["/ftq/xxfb/zwxx_tjtb.shtml"] = b.page("政务公开_北京市丰台区人民政府网站", box("政务公开", [
        ("/ftq/ndgzbg/list.shtml", "年度工作报告"), ("/ftq/zfgzbg/list.shtml", "政府工作报告")]), column="政务公开")
    site.pages["/ftq/ndgzbg/list.shtml"] = b.page("年度工作报告_北京市丰台区人民政府网站", ul([
        (f"/ftq/ndgzbg/{y}.shtml", f"丰台区{y}年度工作报告", f"{y + 1}-01-20") for y in YEARS]), column="年度工作报告")
    site.pages["/ftq/wzdt/wzdt.shtml"] = b.page("网站地图_北京市丰台区人民政府网站", box("信息公开", [
        ("/ftq/tjxx/nb.shtml", "年报")]), column="网站地图")
    site.pages["/ftq/tjxx/nb.shtml"] = _article(
        b, "北京市丰台区人民政府网站", "区统计局发布丰台区2024年统计年报", "2025-03-20",
        "<p>区统计局发布丰台区2024年统计年报。</p>", '<div class="conTent">{body}</div>')
    return site


def describe(sites: list[Site]) -> str:
    """A table of the sites: what each is built on and how its column is reached."""
    lines = ["| site | family | template (real chrome) | how the column is reached | decoys |", "|---|---|---|---|---|"]
    for s in sites:
        lines.append(f"| {s.name} | {s.family} | `{s.template.file}` | {s.how} | {'; '.join(s.decoys) or '–'} |")
    return "\n".join(lines)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def real_pages(corpus: Path) -> tuple[int, list[str], set[str]]:
    """The discovery rules on every real HTML page of the corpus: (pages read, pages judged a
    column, ``"words → URL"`` of the links whose words promise a column)."""
    from archive.decode import DecodeError, decode_html
    from crawler import discovery as disc

    manifest = csv.DictReader((corpus / "MANIFEST.tsv").read_bytes().decode("utf-8").splitlines(), delimiter="\t")
    pages, confirmed, promising = 0, [], set()
    for entry in manifest:
        path = corpus / entry["local_path"]
        if path.suffix not in (".html", ".htm", ".shtml"):
            continue
        try:
            text = decode_html(path.read_bytes(), None).text
        except DecodeError:
            continue
        page = disc.examine(entry["original_url"] or f"https://{Path(entry['local_path']).parts[0]}/index.html", text)
        pages += 1
        if disc.judge(len(page.reports), len(page.plain), page.listed, disc.column_name_score(page.name),
                      page.is_article, page.why_article).confirmed:
            confirmed.append(entry["local_path"])
        promising |= {f"{link.text} → {link.url}" for link in page.links
                      if disc.link_promise(link.text, link.url, link.title).kind == "column"}
    return pages, confirmed, promising
