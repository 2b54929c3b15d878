#!/usr/bin/env python3
"""Construct ``cassettes/tongxin.yaml`` and ``tests/data/tongxin_manifest.json``.

The cassette is a vcrpy (version 1) replay of the 同心县 tongxin.gov.cn 政府信息公开年报 column
(TRS WCM, ``/zwgk/zfxxgknb/``) with its sub-column ``2021_72801/bmzsjg/`` (部门直属机构) over two
list pages. It is CONSTRUCTED, not recorded: no live site can be reached from our machines.

* real: the page template, a saved TRS WCM article page of www.shanxi.gov.cn
  (``corpus/raw/gne/shanxi_t20190918_693227.html``, see ``corpus/raw/MANIFEST.tsv``; no real
  tongxin.gov.cn page was available), and the report texts (seeds 001, 002, 003 and two report
  PDFs in ``corpus/raw/``);
* constructed: the list pages, robots.txt, document ids, publication times, HTTP headers and
  the placement of the reports in the column (only seed 001 is a tongxin report).

The template's own article (title, subtitle, date, source, body, image, its URL in the mobile
redirect, pager, share and QR scripts) is replaced by each report; the rest of the page (the
Shanxi portal's nav, share/print/font tools, QR block, footer) stays byte for byte.

The manifest is the ground truth of what was put in: for every report its URL, metadata,
every body paragraph and every table row exactly as written into the HTML.

Usage (from the repository root)::

    python tools/build_tongxin_cassette.py [--shared ../shared]

Reuses ``tools/cassette_build/`` (body builders, HTML rendering, HTTP helpers, manifest,
checks). Needs ``pdfplumber``. The output is deterministic: byte-identical on every run.
"""

from __future__ import annotations

import posixpath
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cassette_build as cc  # noqa: E402

CASSETTE_OUT = "cassettes/tongxin.yaml"
MANIFEST_OUT = "tests/data/tongxin_manifest.json"

# ---------------------------------------------------------------------------------------
# The site
# ---------------------------------------------------------------------------------------

HOST = "https://www.tongxin.gov.cn"
COLUMN = HOST + "/zwgk/zfxxgknb/"
SECTION = "2021_72801"
SUB_PATH = SECTION + "/bmzsjg/"
C2 = COLUMN + SUB_PATH
COLUMN_NAME = "政府信息公开年报"
SUB_NAME = "部门直属机构"
CST = cc.CST
RECORDED_AT = datetime(2025, 3, 12, 1, 37, 15, tzinfo=timezone.utc)  # "Date" of the first exchange

TEMPLATE = "corpus/raw/gne/shanxi_t20190918_693227.html"
# What the template page was about; every trace of it is replaced (and checked to be gone).
TEMPLATE_URL = "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml"
TEMPLATE_MOBILE_URL = "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227_ewm.shtml"
TEMPLATE_STEM = "t20190918_693227"
TEMPLATE_TITLE = "山西品牌丝路行（南美站）正式启动"
TEMPLATE_SUBTITLE = "成功举办中国（山西）－巴西双向经贸投资推介会"
TEMPLATE_IMAGE = "W020190918266010069764.jpg"
TEMPLATE_SOURCE = "山西日报"  # also a footer link (chrome): must remain exactly once
TEMPLATE_COLUMN = "山西要闻"  # also a footer link (chrome): must remain exactly once
TEMPLATE_GONE = ("693227", "20190918", "2019-09-18", "2017-11-08", "山西品牌", "南美", "巴西", "丝路行",
                 "W0201909", "省政府办公厅", "yw/sxyw/2019", "刘通", "张巨峰")
SITE_SUFFIX = " - 山西省人民政府门户网站 "  # the template's <title> suffix (chrome, kept)


# ---------------------------------------------------------------------------------------
# The reports
# ---------------------------------------------------------------------------------------


@dataclass
class Report:
    n: int
    doc_id: int  # TRS document id (7 digits, constructed)
    title: str
    agency: str
    year: int
    published: datetime  # CST
    blocks: list
    traditional: bool = False

    @property
    def date(self) -> str:
        return self.published.strftime("%Y-%m-%d")

    @property
    def stem(self) -> str:
        return f"t{self.published:%Y%m%d}_{self.doc_id}"

    @property
    def path(self) -> str:
        return f"{self.published:%Y%m}/{self.stem}.html"

    @property
    def url(self) -> str:
        return C2 + self.path

    @property
    def list_href(self) -> str:
        return "./" + self.path

    @property
    def source(self) -> str:
        return self.agency


NOTICE = {"title": "关于做好2024年政务公开工作的通知", "published": datetime(2024, 5, 20, 9, 12, 30, tzinfo=CST),
          "doc_id": 4512876}
NOTICE["url"] = C2 + f"{NOTICE['published']:%Y%m}/t{NOTICE['published']:%Y%m%d}_{NOTICE['doc_id']}.html"
NOTICE["href"] = "./" + NOTICE["url"][len(C2):]
NOTICE["date"] = f"{NOTICE['published']:%Y-%m-%d}"


def build_reports(shared: Path) -> list[Report]:
    at = cc.at
    s001, s002, s003 = (cc.seed_path(shared, k) for k in ("001", "002", "003"))
    text001, text002, text003 = cc.read_text(s001), cc.read_text(s002), cc.read_text(s003)
    b1, b2, b3 = cc.body_seed_001(text001), cc.body_seed_003(text003), cc.body_seed_002(text002)
    b4 = cc.body_from_pdf(shared / "corpus/raw/kirogovcompare/hzq2024_working.pdf")
    b5 = cc.body_from_pdf(shared / "corpus/raw/govnianbao/szfgs2024.pdf")
    reports = [
        Report(1, 4424351, "同心縣人力資源和社會保障局2023年政府信息公開工作年度報告", "同心縣人力資源和社會保障局",
               2023, at("2024-01-22 16:05:37"), b1, traditional=True),
        Report(2, 1008317, "衡阳市劳动和社会保障局2008年政府信息公开年度报告", "衡阳市劳动和社会保障局", 2008,
               at("2009-03-30 09:18:22"), b2),
        Report(3, 1952064, "松原市人力资源和社会保障局2015年度政府信息公开工作报告", "松原市人力资源和社会保障局",
               2015, at("2016-01-26 10:42:09"), b3),
        Report(4, 4687215, "淮安市洪泽区人民政府2024年政府信息公开工作年度报告", "淮安市洪泽区人民政府", 2024,
               at("2025-01-24 15:27:44"), b4),
        Report(5, 4702938, "淮安市人民政府2024年政府信息公开工作年度报告", "淮安市人民政府", 2024,
               at("2025-02-13 11:06:51"), b5),
    ]
    # the titles are the reports' own: check each against its text
    cc.check("《" + reports[0].title + "》" in b1[0].text,
             "report 1: the title is not quoted (《…》) in the first paragraph")
    cc.check(b2[0].text + b2[1].text == reports[1].title, "report 2: the title is not the first two lines of the text")
    cc.check(b3[0].text == reports[2].title, "report 3: the title is not the first line of the text")
    cc.check(b4[0].text == reports[3].title and b5[0].text == reports[4].title,
             "reports 4 and 5: the title is not the first line of the text")
    cc.check_listed_reports(reports)
    for r in reports:
        cc.check(r.title.startswith(r.agency), f"report {r.n}: the title {r.title!r} does not start with the agency")
        cc.check(len(str(r.doc_id)) == 7, f"report {r.n}: doc id {r.doc_id} is not 7 digits")
    cc.check_seed_coverage(text001, b1, skip_tail=3)
    cc.check_seed_coverage(text002, b3, skip=1)
    cc.check_seed_coverage(text003, b2)
    return reports


# ---------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------

esc = cc.esc


def rel(from_url: str, to_path: str) -> str:
    """A relative href from a page to a folder, as TRS writes them (``../../``)."""
    here = posixpath.dirname(urlsplit(from_url).path)
    out = posixpath.relpath(to_path, here)
    return "./" if out == "." else out + "/"


def breadcrumb(page_url: str, last: str, links: list[tuple[str, str]]) -> str:
    """The template's breadcrumb list: linked ancestors, then the current column as text."""
    items = [f'<li><a href="{rel(page_url, "/")}" alt="首页">首页</a></li>']
    for name, path in links:
        items.append(f'<li class="path-cur"> <span>&gt;</span> <a href="{rel(page_url, path)}">{esc(name)}</a> </li>')
    items.append(f'<li class="path-cur"> <span>&gt;</span> {esc(last)} </li>')
    return "\n" + "\n".join("            " + i for i in items) + "\n        "


BREADCRUMB_START = '<ul class="breadcrumb oflow-hd bgc-fff box-shadow-com">'
COLUMN_PATH = urlsplit(COLUMN).path


def set_title(page: str, title: str) -> str:
    return cc.sub_once(r"<title>[^<]*</title>", f"<title>{esc(title)}{SITE_SUFFIX}</title>", page)


def template_article_fragments(template: str) -> list[str]:
    """Pieces (8+ characters) of the template article's own text, to prove none is left."""
    body = cc.between(template, '<div class="TRS_Editor">', "</div></div>\n                    <!-- /Main text -->")
    return [f for f in cc.article_fragments(body) if template.count(f) == body.count(f)]  # not also footer chrome


def check_leftovers(page: str, what: str, fragments: list[str]) -> None:
    """No trace of the template's article; its source and column only as the footer's links."""
    cc.check_leftovers(page, what,
                       TEMPLATE_GONE + (TEMPLATE_TITLE, TEMPLATE_SUBTITLE, TEMPLATE_IMAGE) + tuple(fragments))
    # these name the template's article and column; the footer keeps one link each
    cc.check(page.count(TEMPLATE_SOURCE) == 1 and page.count(TEMPLATE_COLUMN) == 1,
             f"{what}: the template's source or column is not left exactly once (in the footer)")


def infos(report: Report) -> str:
    """The date/source line: ``来源：<agency> 发表日期：YYYY-MM-DD`` (打印 follows in the template)."""
    src = esc(report.source)
    return (f'\n                            <span alt="来源：{src}"><i>来源：</i>{src}</span>'
            f'\n                            <span alt="发表日期：{report.date}"><i>发表日期：</i>{report.date}</span>'
            "\n                        ")


def detail_page(template: str, report: Report, fragments: list[str]) -> str:
    """The template with the report in it; everything outside its article stays as it was."""
    page = template
    page = set_title(page, report.title)
    for name, value in [("ColumnName", SUB_NAME), ("ArticleTitle", report.title),
                        ("PubDate", report.published.strftime("%Y-%m-%d %H:%M")),
                        ("ContentSource", report.source), ("Image", ""), ("Url", f"./{report.stem}.html")]:
        page = cc.set_meta(page, name, value)
    page = cc.replace_all(page, TEMPLATE_MOBILE_URL, report.url.replace(".html", "_ewm.html"), 1)
    page = cc.replace_between(page, BREADCRUMB_START, "</ul>",
                               breadcrumb(report.url, SUB_NAME, [("政务公开", "/zwgk/"), (COLUMN_NAME, COLUMN_PATH)]))
    page = cc.replace_all(page, f"<h2>{TEMPLATE_TITLE}</h2>", f"<h2>{esc(report.title)}</h2>", 1)
    page = cc.replace_all(page, f"<h3>{TEMPLATE_SUBTITLE}</h3>", "<h3></h3>", 1)
    page = cc.replace_between(page, '<li class="article-infos-source left">', "</li>", infos(report))
    page = cc.replace_between(page, '<div class="TRS_Editor">', "</div></div>\n                    <!-- /Main text -->",
                               cc.render_body(report.blocks))
    # the article's own pager script (a TRS article may run over several pages)
    pager = cc.between(page, "<!-- Pageion -->", "<!-- /Pageion -->")
    cc.check(pager.count(TEMPLATE_STEM) == 5 and pager.count("shtml") == 5,
             "the article pager script no longer names the template's article 5 times")
    page = page.replace(pager, pager.replace(TEMPLATE_STEM, report.stem).replace("shtml", "html"), 1)
    cc.check("'" not in report.title and "\\" not in report.title,
             f"report {report.n}: the title holds a quote or a backslash (it goes into a JS string)")
    page = cc.replace_all(page, TEMPLATE_URL, report.url, 3)  # share, WeChat QR, 扫一扫 QR
    page = cc.replace_all(page, f"title: '{TEMPLATE_TITLE}'", f"title: '{report.title}'", 1)
    page = cc.replace_all(page, f"content: '{TEMPLATE_TITLE}'", f"content: '{report.title}'", 1)
    page = cc.replace_all(page, f"pic: 'http://www.shanxi.gov.cn/yw/sxyw/201909/{TEMPLATE_IMAGE}'", "pic: ''", 1)
    check_leftovers(page, f"report {report.n}", fragments)
    return page


@dataclass
class ListPage:
    url: str
    name: str  # page title and ColumnName
    crumbs: list[tuple[str, str]]  # linked ancestors (name, path)
    items: list[str]  # <li> of the list
    pager: tuple[int, int] | None  # (count, current) or None
    last_modified: datetime


def list_pager(template: str, count: int, current: int) -> str:
    """The template's pager block (div.shanxi-gov-page-box), its createPageHTML drawing the list's pages, plus the
    static links a browser without JavaScript (or a crawler) follows."""
    block = cc.between(template, "<!-- Pageion -->\n", "                    <!-- /Pageion -->")
    block = block.replace(f'createPageHTML(1,0,"{TEMPLATE_STEM}","shtml");',
                          f'createPageHTML({count}, {current}, "index", "html");', 1)
    block = block.replace("var countPage = 1//", f"var countPage = {count}//", 1)
    block = block.replace(TEMPLATE_STEM, "index").replace("shtml", "html")
    links = [f'<a href="{cc.page_name(k)}" class="shanxi-gov-page-button">{label}</a>'
             for label, k in cc.pager_links(count, current)]
    static = "".join("\n                        " + a for a in links)
    block = cc.replace_all(block, "\n</p>\n", "\n</p>" + static + "\n", 1)
    return block


def render_list_page(template: str, lp: ListPage, fragments: list[str]) -> str:
    """A list page in the template's chrome: the article-only parts (article meta tags, the
    mobile redirect to the article, the article's share/print/QR scripts) are removed and the
    main area holds ``ul.list`` and the pager."""
    page = template
    page = set_title(page, lp.name)
    page = cc.set_meta(page, "ColumnName", lp.name)
    for name in ("ArticleTitle", "PubDate", "ContentSource", "Keywords", "Author", "Description", "Image", "Url"):
        page = cc.sub_once(rf'    <meta name="{name}" content="[^"]*">\n', "", page)
    page = cc.sub_once(r'<script type="text/javascript">\s*function browserRedirect\(\).*?</script>\n', "", page)
    page = cc.replace_between(page, BREADCRUMB_START, "</ul>", breadcrumb(lp.url, lp.name, lp.crumbs))
    items = "\n".join("                    " + i for i in lp.items)
    main = ('\n            <div class="oflow-hd bgc-fff pad4ing10">\n                <ul class="list">\n'
            f"{items}\n                </ul>\n")
    if lp.pager:
        main += list_pager(template, *lp.pager)
    main += "            </div>\n        "
    page = cc.replace_between(page, '<div class="main-content-wrap mt10 oflow-hd">',
                               "</div>\n        <!-- Main Content Wrap -->", main)
    page = cc.replace_between(page, "<!-- Only This Page -->", "<!-- /Only This Page -->", "\n    ")
    check_leftovers(page, lp.url, fragments)
    return page


def build_list_pages(reports: list[Report]) -> tuple[list[ListPage], list[dict]]:
    """Column root (one sub-column link), the sub-column over two pages, and index.html
    (page 2's 首页/上一页 target: the same page as the folder)."""
    page1, page2, modified = cc.split_listing(reports, NOTICE)
    crumbs = [("政务公开", "/zwgk/")]
    sub_crumbs = crumbs + [(COLUMN_NAME, COLUMN_PATH)]
    pages = [
        ListPage(COLUMN, COLUMN_NAME, crumbs, [cc.list_item(SUB_PATH, SUB_NAME)], None, modified),
        ListPage(C2, SUB_NAME, sub_crumbs, page1, (2, 0), modified),
        ListPage(C2 + "index_1.html", SUB_NAME, sub_crumbs, page2, (2, 1), modified),
        ListPage(C2 + "index.html", SUB_NAME, sub_crumbs, page1, (2, 0), modified),
    ]
    return pages, [NOTICE]


# ---------------------------------------------------------------------------------------
# HTTP exchanges and the cassette
# ---------------------------------------------------------------------------------------

HTML = "text/html; charset=utf-8"


def build_interactions(template: str, reports: list[Report], lists: list[ListPage],
                       fragments: list[str]) -> tuple[list[dict], dict[str, bytes]]:
    """All exchanges, in the order a crawl makes them, and each URL's page bytes."""
    clock = cc.Clock(RECORDED_AT)
    pages: dict[str, bytes] = {}
    out = []
    out.append(cc.robots_txt(HOST, datetime(2023, 8, 17, 10, 25, 3, tzinfo=CST), clock.tick()))
    by_url = {r.url: r for r in reports}

    def add_list(lp: ListPage):
        data = render_list_page(template, lp, fragments).encode("utf-8")
        pages[lp.url] = data
        out.append(cc.ok(lp.url, data, HTML, lp.last_modified, clock.tick()))

    def add_reports(lp: ListPage):
        for r in cc.linked_reports(lp.url, "".join(lp.items), by_url):
            data = detail_page(template, r, fragments).encode("utf-8")
            pages[r.url] = data
            out.append(cc.ok(r.url, data, HTML, r.published + timedelta(seconds=41), clock.tick()))

    root, page1, page2, index = lists
    add_list(root)
    add_list(page1)
    add_reports(page1)
    add_list(page2)
    add_reports(page2)
    add_list(index)
    cc.check({r.url for r in reports} <= cc.interaction_urls(out), "a report is not in the cassette")
    return out, pages


# ---------------------------------------------------------------------------------------
# Manifest
# ---------------------------------------------------------------------------------------


def manifest(reports: list[Report], lists: list[ListPage], non_reports: list[dict]) -> dict:
    """The ground truth (the schema of ``tests/data/guangzhou_manifest.json``)."""
    return cc.manifest(COLUMN, [cc.manifest_report(r, SECTION, r.list_href, r.traditional) for r in reports],
                       [n["url"] for n in non_reports], [lp.url for lp in lists])


# ---------------------------------------------------------------------------------------
# Checks on the written files
# ---------------------------------------------------------------------------------------


def verify_pages(template: str, reports: list[Report], pages: dict[str, bytes], data: dict,
                 manifest_data: dict) -> None:
    """Parse every page back: a detail page's div.TRS_Editor holds exactly the manifest's
    paragraphs and table rows, in order, under the report's title, date and source; the chrome
    outside the article is the template's; list links resolve to interactions, except the
    non-report."""
    import lxml.html

    in_cassette = {i["request"]["uri"] for i in data["interactions"]}
    chrome = [cc.between(template, "<!-- TopBar -->", "<!-- /MainNav -->"),
              cc.between(template, "<!-- Footer -->", "<!-- /Footer -->"),
              cc.between(template, '<li class="article-infos-func right">', "</li>"),
              cc.between(template, '<dl class="affairs-detail-qcode oflow-hd">', "</dl>")]
    for r, m in zip(reports, manifest_data["reports"], strict=True):
        text = pages[r.url].decode("utf-8")
        cc.check(all(part in text for part in chrome), f"report {r.n}: template chrome changed")
        doc = lxml.html.fromstring(text)
        cc.check(doc.findtext(".//title") == r.title + SITE_SUFFIX,
                 f"report {r.n}: <title> is not the title + {SITE_SUFFIX!r}")
        cc.check([h.text_content() for h in doc.cssselect(".detail-article-title h2")] == [r.title],
                 f"report {r.n}: the h2 is not the title")
        meta = cc.meta_tags(doc)
        cc.check(meta["ArticleTitle"] == r.title and meta["ContentSource"] == r.agency,
                 f"report {r.n}: ArticleTitle or ContentSource meta tag wrong")
        cc.check(meta["PubDate"].startswith(r.date) and urljoin(r.url, meta["Url"]) == r.url,
                 f"report {r.n}: PubDate or Url meta tag wrong")
        header = cc.squash(doc.cssselect("ul.detail-article-infos")[0].text_content())
        cc.check(header.startswith(f"来源：{r.agency} 发表日期：{r.date} 打印"),
                 f"report {r.n}: header line wrong: {header!r}")
        editors = doc.cssselect("div.TRS_Editor")
        cc.check(len(editors) == 1, f"report {r.n}: {len(editors)} div.TRS_Editor, expected 1")
        cc.check_body(editors[0], r.blocks, m, f"report {r.n}")
        cc.check(r.title in (m["paragraphs"][0] + (m["paragraphs"][1] if r.n == 2 else "")),
                 f"report {r.n}: the title is not in the body's first paragraphs")
    reachable, listed = set(), set()
    for url in manifest_data["list_pages"]:
        doc = lxml.html.fromstring(pages[url].decode("utf-8"))
        reachable |= cc.links(url, doc, "ul.list a") | cc.links(url, doc, ".shanxi-gov-page-box a")
        listed |= cc.links(url, doc, "ul.list a")
    cc.check_links(reachable, listed, in_cassette, set(manifest_data["non_reports"]), {r.url for r in reports})
    cc.check(C2 in reachable and C2 + "index_1.html" in reachable and C2 + "index.html" in reachable,
             "the sub-column's pages (index_1.html, index.html) are not linked")


# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------


def main(argv=None) -> int:
    shared = cc.parse_shared(__doc__, argv)
    template = cc.read_text(shared / TEMPLATE)
    fragments = template_article_fragments(template)
    cc.check(len(fragments) > 20, f"only {len(fragments)} fragments of the template's article to look for")

    reports = build_reports(shared)
    lists, non_reports = build_list_pages(reports)
    interactions, pages = build_interactions(template, reports, lists, fragments)
    data = {"version": 1, "interactions": interactions}
    manifest_data = manifest(reports, lists, non_reports)
    cassette_path = cc.write_outputs(CASSETTE_OUT, data, MANIFEST_OUT, manifest_data)

    cc.verify_cassette(cassette_path, interactions)
    verify_pages(template, reports, pages, data, manifest_data)

    cc.print_interactions(interactions)
    cc.print_written(CASSETTE_OUT, cassette_path, interactions, MANIFEST_OUT, reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
