#!/usr/bin/env python3
"""Construct ``cassettes/guangzhou.yaml`` and ``tests/data/guangzhou_manifest.json``.

The cassette is a vcrpy (version 1) replay of the gz.gov.cn 政府信息公开年报 column
(``/zfjgzy/gzsrmzfbgt/zfxxgknb/``). It is CONSTRUCTED, not recorded: no live site can be
reached from our machines. What is real and what is made up:

* real: the gz.gov.cn detail-page template (a saved copy of a real gz.gov.cn article page,
  ``corpus/raw/mhxqwer-jchgz.gov.cn/index.html``, see ``corpus/raw/MANIFEST.tsv``) and the
  report texts (the seeds in ``seeds/`` and two report PDFs in ``corpus/raw/``);
* constructed: the list pages, robots.txt, post ids (except ``post_4437743``), publication
  times, HTTP headers, and the placement of the reports in the column.

The manifest is the ground truth of what was put in: for every report its URL, metadata,
every body paragraph and every table row exactly as written into the HTML.

Usage (from the repository root)::

    python tools/build_guangzhou_cassette.py [--shared ../shared]

Report bodies, HTML rendering, HTTP helpers, the manifest schema and the checks come from
``tools/cassette_build/``, shared with the other cassette builders. Needs ``pdfplumber``
besides the project's own dependencies (``pip install pdfplumber``). The output is
deterministic: running the script twice gives byte-identical files.
"""

from __future__ import annotations

import html
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cassette_build as cc  # noqa: E402

CASSETTE_OUT = "cassettes/guangzhou.yaml"
MANIFEST_OUT = "tests/data/guangzhou_manifest.json"

# ---------------------------------------------------------------------------------------
# The site
# ---------------------------------------------------------------------------------------

HOST = "https://www.gz.gov.cn"
COLUMN = HOST + "/zfjgzy/gzsrmzfbgt/zfxxgknb/"
SITE_NAME = "广州市人民政府门户网站"
RECORDED_AT = datetime(2025, 3, 11, 2, 14, 7, tzinfo=timezone.utc)  # "Date" of the first exchange

TEMPLATE = "corpus/raw/mhxqwer-jchgz.gov.cn/index.html"
# What the template page was about; every trace of it is replaced (and checked to be gone).
TEMPLATE_URL = "https://www.gz.gov.cn/ysgz/xwdt/ysdt/content/post_9360641.html"
TEMPLATE_MOBILE_URL = "https://www.gz.gov.cn/ysgz/xwdt/ysdt/content/mpost_9360641.html"
TEMPLATE_POST_ID = "9360641"
TEMPLATE_CAT_ID = "6858"
TEMPLATE_TITLE = "广州美妆产业依靠自主创新持续发力"
TEMPLATE_DATE = "2023-12-05"
TEMPLATE_SOURCE = "广州日报"
TEMPLATE_LEFTOVERS = (TEMPLATE_POST_ID, "美妆", "ysgz/xwdt", TEMPLATE_SOURCE, TEMPLATE_DATE)

COLUMN_NAME = "政府信息公开年报"
COLUMN_TYPE = "政府信息公开年报"
COLUMN_KEYWORDS = "政府信息公开 年度报告"


@dataclass(frozen=True)
class Section:
    key: str
    name: str
    description: str


SECTIONS = {
    "sbj": Section("sbj", "市本级", "公开广州市人民政府政府信息公开工作年度报告"),
    "bm": Section("bm", "市政府部门", "公开广州市人民政府各工作部门政府信息公开工作年度报告"),
    "gq": Section("gq", "各区", "公开广州市各区人民政府政府信息公开工作年度报告"),
}
# NFCMS category ids of the folders (invented; the template's is 6858)
CATEGORY_IDS = {"sbj/": 7011, "bm/2024n/": 10021, "bm/2021n/": 8123, "bm/2015n/": 5647,
                "bm/2013n/": 5645, "gq/": 7013}

# ---------------------------------------------------------------------------------------
# The reports
# ---------------------------------------------------------------------------------------


@dataclass
class Report:
    n: int
    folder: str  # under the column, e.g. "sbj/", "bm/2024n/"
    post_id: int
    title: str
    agency: str
    year: int
    published: datetime  # CST
    source: str
    blocks: list[cc.Block]
    traditional: bool = False
    attachments: list[dict] = field(default_factory=list)
    absolute_http_href: bool = False  # listed as http://… (answered with a 301 to https)
    gzip: bool = False  # sent Content-Encoding: gzip

    @property
    def section(self) -> str:
        return self.folder.split("/")[0]

    @property
    def path(self) -> str:
        return f"{self.folder}content/post_{self.post_id}.html"

    @property
    def url(self) -> str:
        return COLUMN + self.path

    @property
    def list_href(self) -> str:
        if self.absolute_http_href:
            return self.url.replace("https://", "http://", 1)
        return f"content/post_{self.post_id}.html"

    @property
    def date(self) -> str:
        return self.published.strftime("%Y-%m-%d")


def attachment(post_folder_id: int, filename: str, name: str) -> dict:
    return {"url": f"{HOST}/attachment/0/1/{post_folder_id}/{filename}", "name": name}


# The PDF behind each attachment URL (real report PDFs of the corpus), served as application/pdf.
ATTACHMENT_FILES = {
    "szfgs2024.pdf": "corpus/raw/govnianbao/szfgs2024.pdf",
    "hzq2024.pdf": "corpus/raw/kirogovcompare/hzq2024_working.pdf",
}
# A list entry that points straight at a PDF: the report exists only as that file.
FILE_REPORT = {
    "folder": "gq/",
    "url": f"{HOST}/attachment/0/9/9433001/hzq2023.pdf",
    "title": "淮安市洪泽区人民政府2023年政府信息公开工作年度报告",
    "date": "2024-01-26",
    "file": "corpus/raw/kirogovcompare/hzq2023_working.pdf",
}


def build_reports(shared: Path) -> tuple[list[Report], dict]:
    """The eight reports of the column, with their bodies. Also returns build notes."""
    notes: dict = {}
    at = cc.at
    pdf1 = shared / "corpus/raw/govnianbao/szfgs2024.pdf"
    pdf2 = shared / "corpus/raw/kirogovcompare/hzq2023_working.pdf"
    blocks1, blocks2 = cc.body_from_pdf(pdf1), cc.body_from_pdf(pdf2)
    s000, s001, s002, s003, s004 = (cc.seed_path(shared, f"{k:03d}") for k in range(5))
    title6 = "2013年广州市人力资源和社会保障局政府信息公开年度报告"
    text004 = cc.read_text(s004)
    blocks4, notes["seed004"] = cc.body_seed_004(text004)
    title1 = "淮安市人民政府2024年政府信息公开工作年度报告"
    title3 = "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
    reports = [
        Report(1, "sbj/", 10095127, title1, "淮安市人民政府", 2024, at("2025-01-20 16:42:18"),
               "淮安市人民政府办公室", blocks1,
               attachments=[attachment(10095001, "szfgs2024.pdf", title1 + ".pdf")]),
        Report(2, "sbj/", 9433816, "洪泽区人民政府2023年政府信息公开工作年度报告", "洪泽区人民政府", 2023,
               at("2024-01-25 10:15:32"), "淮安市洪泽区人民政府办公室", blocks2),
        Report(3, "bm/2024n/", 10096358, title3, "淮安市洪泽区人民政府", 2024, at("2025-01-22 11:03:47"),
               "淮安市洪泽区人民政府办公室", [cc.Para("详见附件。")],
               attachments=[attachment(10096002, "hzq2024.pdf", title3 + ".pdf")]),
        Report(4, "bm/2021n/", 8034562, blocks4[0].text, "广州市番禺区人力资源和社会保障局", 2021,
               at("2022-01-28 15:20:06"), "广州市番禺区人力资源和社会保障局", blocks4, gzip=True),
        Report(5, "bm/2015n/", 5632871, "松原市人力资源和社会保障局2015年度政府信息公开工作报告",
               "松原市人力资源和社会保障局", 2015, at("2016-01-18 09:45:12"), "松原市人力资源和社会保障局",
               cc.body_seed_002(cc.read_text(s002)), absolute_http_href=True),
        Report(6, "bm/2013n/", 4437743, title6, "广州市人力资源和社会保障局", 2013, at("2014-03-11 10:08:25"),
               "本网", cc.body_seed_000(cc.read_text(s000), title6)),
        Report(7, "gq/", 9441205, "同心縣人力資源和社會保障局2023年政府信息公開工作年度報告",
               "同心縣人力資源和社會保障局", 2023, at("2024-01-22 17:36:51"), "同心縣人力資源和社會保障局",
               cc.body_seed_001(cc.read_text(s001)), traditional=True),
        Report(8, "gq/", 4398216, "衡阳市劳动和社会保障局2008年政府信息公开年度报告", "衡阳市劳动和社会保障局", 2008,
               at("2009-03-31 08:52:40"), "衡阳市劳动和社会保障局", cc.body_seed_003(cc.read_text(s003))),
    ]
    # the titles are the reports' own: check each against its text
    cc.check(blocks1[0].text == title1 and blocks2[0].text == reports[1].title,
             "reports 1 and 2: the title is not the first line of the text")
    cc.check("《" + reports[6].title + "》" in reports[6].blocks[0].text,
             "report 7: the title is not quoted (《…》) in the first paragraph")
    cc.check(reports[4].blocks[0].text == reports[4].title, "report 5: the title is not the first line of the text")
    cc.check(reports[7].blocks[0].text + reports[7].blocks[1].text == reports[7].title,
             "report 8: the title is not the first two lines of the text")
    cc.check_seed_coverage(cc.read_text(s000), reports[5].blocks, skip=6, skip_tail=5)
    cc.check_seed_coverage(cc.read_text(s001), reports[6].blocks, skip_tail=3)
    cc.check_seed_coverage(cc.read_text(s002), reports[4].blocks, skip=1)
    cc.check_seed_coverage(cc.read_text(s003), reports[7].blocks)
    cc.check_seed_coverage(text004, reports[3].blocks, dropped=notes["seed004"]["dropped_cells"])
    return reports, notes


# ---------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------


def breadcrumb(crumbs: list[tuple[str, str]]) -> str:
    links = [f'<a href="{html.escape(u)}">{cc.esc(n)}</a>' for n, u in crumbs]
    return "当前位置：" + "&nbsp;&gt;&nbsp;".join(links)


def base_crumbs() -> list[tuple[str, str]]:
    return [("首页", HOST + "/"), ("政务公开", HOST + "/zwgk/"), (COLUMN_NAME, COLUMN)]


def set_breadcrumb(page: str, crumbs: list[tuple[str, str]]) -> str:
    start = page.index('<div class="curmb" id="dqwz"')
    return cc.replace_between(page, page[start:page.index(">", start) + 1], "</div>", breadcrumb(crumbs))


def detail_page(template: str, report: Report) -> str:
    """The template with the report in it: every trace of the template's own article is
    replaced; header, navigation, 相关附件/相关新闻, QR block and footer stay as they were."""
    section = SECTIONS[report.section]
    page = template
    page = cc.sub_once(r"<title>\n.*?\n</title>", f"<title>\n{cc.esc(report.title)} - {SITE_NAME}\n</title>", page)
    for name, value in [("ColumnName", section.name), ("ColumnDescription", section.description),
                        ("ColumnKeywords", COLUMN_KEYWORDS), ("ColumnType", COLUMN_TYPE),
                        ("ArticleTitle", report.title),
                        ("PubDate", report.published.strftime("%Y-%m-%d %H:%M:%S")),
                        ("ContentSource", report.source), ("Url", report.url)]:
        page = cc.set_meta(page, name, value)
    mobile = report.url.replace("/post_", "/mpost_")
    page = cc.replace_all(page, TEMPLATE_MOBILE_URL, mobile, 4)
    page = cc.replace_all(page, TEMPLATE_URL, report.url, 4)  # 内容纠错 links ×2, WeChat share ×2
    page = cc.replace_all(page, f"post={TEMPLATE_POST_ID}&", f"post={report.post_id}&", 2)
    page = cc.replace_all(page, f'NFCMS_POST_ID="{TEMPLATE_POST_ID}"', f'NFCMS_POST_ID="{report.post_id}"', 3)
    page = cc.replace_all(page, f'NFCMS_CAT_ID="{TEMPLATE_CAT_ID}"', f'NFCMS_CAT_ID="{CATEGORY_IDS[report.folder]}"', 3)
    crumbs = base_crumbs() + [(section.name, COLUMN + section.key + "/")]
    page = set_breadcrumb(page, crumbs)
    page = cc.replace_all(page, f">{TEMPLATE_TITLE}</h1>", f">{cc.esc(report.title)}</h1>", 2)
    page = cc.replace_all(page, f"<span>{TEMPLATE_DATE}</span>", f"<span>{report.date}</span>", 1)
    page = cc.replace_all(page, f"\n              {TEMPLATE_DATE}\n", f"\n              {report.date}\n", 1)
    page = cc.replace_all(page, f"来源：{TEMPLATE_SOURCE}\n", f"来源：{cc.esc(report.source)}\n", 1)
    page = cc.replace_all(page, f"<!-- <b>{TEMPLATE_SOURCE}</b> -->", f"<!-- <b>{cc.esc(report.source)}</b> -->", 1)
    page = cc.replace_all(page, f"<b>\n              {TEMPLATE_SOURCE}\n",
                          f"<b>\n              {cc.esc(report.source)}\n", 1)
    page = cc.replace_between(page, '<div class="content_article" id="zoomcon" wzades="正文">\n',
                              '\n\n         <div class="info_xgfj">', "         " + cc.render_body(report.blocks))
    items = "".join(f'<li><a href="{html.escape(a["url"])}">{cc.esc(a["name"])}</a></li>' for a in report.attachments)
    page = cc.replace_between(page, '<ul id="ul_xgfj" style="padding-top:0;">', "</ul>",
                              f"\n           {items}\n        " if items else "\n\n           \n        ")
    text = cc.plain_text(report.blocks)
    page = cc.replace_between(page, '<div class="bbnr" style="display:none;">', "</div>", cc.esc(report.title + text))
    page = cc.replace_between(page, '<div id="ces" style="display:none">', "</div>", cc.esc(text[:30]) + "...")
    cc.check("'" not in report.title and "\\" not in report.title,
             f"report {report.n}: the title holds a quote or a backslash (it goes into a JS string)")
    page = cc.replace_all(page, f"title: '{TEMPLATE_TITLE}'", f"title: '{report.title}'", 1)
    cc.check_leftovers(page, f"report {report.n}", TEMPLATE_LEFTOVERS + (TEMPLATE_TITLE, "6858"))
    return page


@dataclass
class ListPage:
    url: str
    title: str  # page title and ColumnName
    description: str
    crumbs: list[tuple[str, str]]
    main: str  # HTML of the main area (lists, pager)
    last_modified: datetime
    gzip: bool = False


def list_item(href: str, title: str, date: str | None = None) -> str:
    time = f'<span class="time">{date}</span>' if date else ""
    return (f'<li><a href="{html.escape(href)}" title="{html.escape(title)}" target="_blank">{cc.esc(title)}</a>'
            f"{time}</li>")


def news_list(items: list[str]) -> str:
    return '<ul class="news_list">\n' + "\n".join("          " + i for i in items) + "\n        </ul>"


def pager(total: int, current: int) -> str:
    """The NFCMS pager: static links plus the ``createPageHTML`` call that draws it in a browser.
    Page 1 is ``index.html``, page k ``index_k.html``. A one-page list has only the script."""
    def name(k):  # k: 0-based
        return cc.page_name(k, 1)

    links = []
    if total > 1:
        links.append(f'<a class="first" href="{name(0)}">首页</a>')
        if current > 0:
            links.append(f'<a class="prev" href="{name(current - 1)}">上一页</a>')
        for k in range(total):
            cls = "num active" if k == current else "num"
            links.append(f'<a class="{cls}" href="{name(k)}">{k + 1}</a>')
        if current < total - 1:
            links.append(f'<a class="next" href="{name(current + 1)}">下一页</a>')
        links.append(f'<a class="last" href="{name(total - 1)}">尾页</a>')
    script = cc.create_page_html(total, current)
    return '<div class="page" id="page_div">\n          ' + "\n          ".join(links + [script]) + "\n        </div>"


def list_main(crumbs, heading: str, body: str) -> str:
    return f"""<div class="container_bg">
  <div class="container clearfix">
    <div class="curmb" id="dqwz" wzades="当前位置" aria-label="您已进入页面访问路径导航区" altdes="导航区">{breadcrumb(crumbs)}</div>
    <div class="mainbox_bg list_box clearfix" aria-label="您已进入页面内容视窗区" altdes="视窗区">
      <div class="list_title"><h2>{cc.esc(heading)}</h2></div>
      <div class="list_con">
        {body}
      </div>
    </div>
  </div>
</div>
"""


def render_list_page(template: str, lp: ListPage) -> str:
    """A column page in the site's chrome (constructed: no real gz list page was available).
    The article-only parts of the template (article meta tags, mobile redirect, text-to-speech
    copy, WeChat share) are removed; header, navigation and footer are kept."""
    page = template
    page = cc.sub_once(r"<title>\n.*?\n</title>", f"<title>\n{cc.esc(lp.title)} - {SITE_NAME}\n</title>", page)
    for name, value in [("ColumnName", lp.title), ("ColumnDescription", lp.description),
                        ("ColumnKeywords", COLUMN_KEYWORDS), ("ColumnType", COLUMN_TYPE)]:
        page = cc.set_meta(page, name, value)
    for name in ("ArticleTitle", "PubDate", "ContentSource", "Author", "Url"):
        page = cc.sub_once(rf'<meta name="{name}" content="[^"]*"\s*/?> ?\n', "", page)
    page = cc.sub_once(r'<script>\(function\(u\)\{if\(\(u\.indexOf\("iP"\).*?</script>\n?', "", page, count=2)
    main = list_main(lp.crumbs, lp.title, lp.main)
    page = cc.replace_between(page, "<!--header End-->\n", "<!-- footer Start -->", main)
    page = cc.sub_once(r"<!-- 语音播报插件 Start-->.*?<!-- 语音播报插件 End-->\n", "", page)
    page = cc.sub_once(r'<div id="ces" style="display:none">.*?wxShare\(.*?</script>\n', "", page)  # WeChat share
    cc.check_leftovers(page, lp.url, TEMPLATE_LEFTOVERS + (TEMPLATE_TITLE,))
    return page


def build_list_pages(reports: list[Report]) -> tuple[list[ListPage], list[dict]]:
    """The column's list pages (root, sbj/, bm/ and its year folders, gq/ in two pages).
    Returns them and the listed items that are not reports."""
    by_folder: dict[str, list[Report]] = {}
    for r in reports:
        by_folder.setdefault(r.folder, []).append(r)
    crumbs = base_crumbs()
    minute = timedelta(minutes=3)

    def newest(rs):
        return max(r.published for r in rs) + minute

    def items(rs):
        return [list_item(r.list_href, r.title, r.date) for r in sorted(rs, key=lambda r: r.published, reverse=True)]

    pages: list[ListPage] = []
    latest = sorted(reports, key=lambda r: r.published, reverse=True)[:2]
    nav = "\n".join(f'          <li><a href="{s.key}/" title="{s.name}">{s.name}</a></li>' for s in SECTIONS.values())
    root_main = (f'<div class="sub_column">\n        <ul class="sub_nav">\n{nav}\n        </ul>\n        </div>\n'
                 f'        <div class="list_title"><h2>最新</h2></div>\n        '
                 + news_list([list_item(r.url, r.title, r.date) for r in latest]) + "\n        " + pager(1, 0))
    root_description = "公开广州市人民政府、市政府工作部门和各区人民政府的政府信息公开工作年度报告"
    pages.append(ListPage(COLUMN, COLUMN_NAME, root_description, crumbs, root_main, newest(reports)))

    sbj = SECTIONS["sbj"]
    pages.append(ListPage(COLUMN + "sbj/", sbj.name, sbj.description, crumbs + [(sbj.name, COLUMN + "sbj/")],
                          news_list(items(by_folder["sbj/"])) + "\n        " + pager(1, 0), newest(by_folder["sbj/"])))

    bm = SECTIONS["bm"]
    bm_crumbs = crumbs + [(bm.name, COLUMN + "bm/")]
    years = sorted((f for f in by_folder if f.startswith("bm/")), reverse=True)
    folder_items = [list_item(f.split("/")[1] + "/", f.split("/")[1].rstrip("n") + "年") for f in years]
    bm_reports = [r for f in years for r in by_folder[f]]
    pages.append(ListPage(COLUMN + "bm/", bm.name, bm.description, bm_crumbs,
                          news_list(folder_items) + "\n        " + pager(1, 0), newest(bm_reports), gzip=True))
    for f in years:
        year = f.split("/")[1].rstrip("n") + "年"
        pages.append(ListPage(COLUMN + f, year, f"{bm.description}（{year}）", bm_crumbs + [(year, COLUMN + f)],
                              news_list(items(by_folder[f])) + "\n        " + pager(1, 0), newest(by_folder[f])))

    gq = SECTIONS["gq"]
    gq_crumbs = crumbs + [(gq.name, COLUMN + "gq/")]
    gq_reports = sorted(by_folder["gq/"], key=lambda r: r.published, reverse=True)
    notice = {"url": COLUMN + "gq/content/post_9000001.html", "href": "content/post_9000001.html",
              "title": "关于广州市2023年政务公开工作要点落实情况的通知", "date": "2023-06-16"}
    page1 = [list_item(gq_reports[0].list_href, gq_reports[0].title, gq_reports[0].date),
             list_item(notice["href"], notice["title"], notice["date"])]
    page2 = [list_item(r.list_href, r.title, r.date) for r in gq_reports[1:]]
    page2.insert(0, list_item(FILE_REPORT["url"], FILE_REPORT["title"], FILE_REPORT["date"]))
    main1 = news_list(page1) + "\n        " + pager(2, 0)
    pages.append(ListPage(COLUMN + "gq/", gq.name, gq.description, gq_crumbs, main1, newest(gq_reports)))
    pages.append(ListPage(COLUMN + "gq/index_2.html", gq.name, gq.description, gq_crumbs,
                          news_list(page2) + "\n        " + pager(2, 1), newest(gq_reports)))
    # page 2's pager links back to index.html: the same page as gq/
    pages.append(ListPage(COLUMN + "gq/index.html", gq.name, gq.description, gq_crumbs, main1, newest(gq_reports)))
    return pages, [notice]


# ---------------------------------------------------------------------------------------
# HTTP exchanges and the cassette
# ---------------------------------------------------------------------------------------


def moved(url: str, location: str, date: datetime) -> dict:
    """nginx's 301 to ``location``."""
    body = ("<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n"
            "<center><h1>301 Moved Permanently</h1></center>\r\n<hr><center>nginx</center>\r\n"
            "</body>\r\n</html>\r\n").encode("ascii")
    headers = {"Server": ["nginx"], "Date": [cc.http_date(date)], "Content-Type": ["text/html"],
               "Content-Length": [str(len(body))], "Location": [location]}
    return cc.interaction(url, 301, "Moved Permanently", headers, body)


def build_interactions(template: str, reports: list[Report], lists: list[ListPage],
                       shared: Path | None = None) -> tuple[list[dict], dict]:
    """All exchanges, in the order a crawl makes them. Also returns each URL's page bytes
    (uncompressed) for the checks."""
    clock = cc.Clock(RECORDED_AT)
    pages: dict[str, bytes] = {}
    out = []
    robots = b"User-agent: *\nDisallow: /gate/\n"
    robots_modified = datetime(2023, 5, 4, 9, 12, 40, tzinfo=cc.CST)
    out.append(cc.robots_txt(HOST, robots_modified, clock.tick(), robots))
    lists_by_url = {lp.url: lp for lp in lists}
    reports_by_folder: dict[str, list[Report]] = {}
    for r in reports:
        reports_by_folder.setdefault(r.folder, []).append(r)

    def add_list(url):
        lp = lists_by_url[url]
        data = render_list_page(template, lp).encode("utf-8")
        pages[url] = data
        out.append(cc.ok(url, data, "text/html; charset=utf-8", lp.last_modified, clock.tick(), lp.gzip))

    def add_reports(folder, only=None):
        for r in sorted(reports_by_folder[folder], key=lambda r: r.published, reverse=True):
            if only is not None and r not in only:
                continue
            data = detail_page(template, r).encode("utf-8")
            pages[r.url] = data
            if r.absolute_http_href:
                out.append(moved(r.list_href, r.url, clock.tick()))
            out.append(cc.ok(r.url, data, "text/html; charset=utf-8", r.published + timedelta(seconds=41),
                             clock.tick(), r.gzip))
            for a in r.attachments:
                pdf = (shared / ATTACHMENT_FILES[a["url"].rsplit("/", 1)[-1]]).read_bytes()
                out.append(cc.ok(a["url"], pdf, "application/pdf", r.published, clock.tick()))

    add_list(COLUMN)
    add_list(COLUMN + "sbj/")
    add_reports("sbj/")
    add_list(COLUMN + "bm/")
    for folder in sorted((f for f in reports_by_folder if f.startswith("bm/")), reverse=True):
        add_list(COLUMN + folder)
        add_reports(folder)
    gq = sorted(reports_by_folder["gq/"], key=lambda r: r.published, reverse=True)
    add_list(COLUMN + "gq/")
    add_reports("gq/", only=gq[:1])
    add_list(COLUMN + "gq/index_2.html")
    file_modified = datetime.strptime(FILE_REPORT["date"], "%Y-%m-%d").replace(tzinfo=cc.CST)
    out.append(cc.ok(FILE_REPORT["url"], (shared / FILE_REPORT["file"]).read_bytes(), "application/pdf",
                     file_modified, clock.tick()))
    add_reports("gq/", only=gq[1:])
    add_list(COLUMN + "gq/index.html")
    cc.check(set(lists_by_url) <= cc.interaction_urls(out), "a list page is not in the cassette")
    return out, pages

# ---------------------------------------------------------------------------------------
# Manifest
# ---------------------------------------------------------------------------------------


def manifest(reports: list[Report], lists: list[ListPage], non_reports: list[dict]) -> dict:
    """The ground truth: reports, the report that is only a file, attachments, lists."""
    file_report = {k: FILE_REPORT[k] for k in ("url", "title", "date")} | {
        "section": FILE_REPORT["folder"].rstrip("/"), "file": FILE_REPORT["file"]}
    return cc.manifest(
        COLUMN,
        [cc.manifest_report(r, r.section, r.list_href, r.traditional, r.attachments) for r in reports],
        [n["url"] for n in non_reports], [lp.url for lp in lists], file_reports=[file_report],
        attachment_files={a["url"]: ATTACHMENT_FILES[a["url"].rsplit("/", 1)[-1]]
                          for r in reports for a in r.attachments})


# ---------------------------------------------------------------------------------------
# Checks on the written files
# ---------------------------------------------------------------------------------------


def verify_pages(reports: list[Report], pages: dict[str, bytes], data: dict, non_reports: list[dict]) -> None:
    """Parse every page back: a detail page's #zoomcon holds exactly the manifest's paragraphs
    and table rows, in order; list links resolve to interactions, except the non-report."""
    import lxml.html

    in_cassette = {i["request"]["uri"] for i in data["interactions"]}
    for r, m in zip(reports, manifest(reports, [], [])["reports"], strict=True):
        doc = lxml.html.fromstring(pages[r.url].decode("utf-8"))
        cc.check([h.text_content() for h in doc.cssselect("h1.content_title")] == [r.title, r.title],
                 f"report {r.n}: the two h1.content_title are not the title")
        meta = cc.meta_tags(doc)
        cc.check(meta["ArticleTitle"] == r.title and meta["Url"] == r.url and meta["SiteIDCode"] == "4401000004",
                 f"report {r.n}: ArticleTitle, Url or SiteIDCode meta tag wrong")
        # the body, then the 相关附件 block (checked below)
        cc.check_body(doc.get_element_by_id("zoomcon"), r.blocks, m, f"report {r.n}",
                      ignore=lambda child: child.get("class") == "info_xgfj")
        links = [(a.get("href"), a.text_content()) for a in doc.cssselect("#ul_xgfj a")]
        cc.check(links == [(a["url"], a["name"]) for a in r.attachments],
                 f"report {r.n}: 相关附件 links differ from the attachments: {links}")
    reachable = set()
    for url, body in pages.items():
        if url in {r.url for r in reports}:
            continue
        reachable |= cc.links(url, lxml.html.fromstring(body.decode("utf-8")), ".list_con a")
    # a report listed as http://… is reached through its 301
    listed = reachable | {u.replace("http://", "https://") for u in reachable}
    cc.check_links(reachable, listed, in_cassette, {n["url"] for n in non_reports}, {r.url for r in reports})


# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------


def main(argv=None) -> int:
    shared = cc.parse_shared(__doc__, argv)
    template = cc.read_text(shared / TEMPLATE)

    reports, notes = build_reports(shared)
    lists, non_reports = build_list_pages(reports)
    interactions, pages = build_interactions(template, reports, lists, shared)
    data = {"version": 1, "interactions": interactions}
    cassette_path = cc.write_outputs(CASSETTE_OUT, data, MANIFEST_OUT, manifest(reports, lists, non_reports))

    cc.verify_cassette(cassette_path, interactions)
    verify_pages(reports, pages, data, non_reports)

    cc.print_interactions(interactions, "Content-Encoding", 4)
    print(cc.seed_004_summary(notes["seed004"]))
    cc.print_written(CASSETTE_OUT, cassette_path, interactions, MANIFEST_OUT, reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
