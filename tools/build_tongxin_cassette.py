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

Reuses ``tools/build_guangzhou_cassette.py`` (body builders, HTML rendering, HTTP helpers,
checks). Needs ``pdfplumber``. The output is deterministic: byte-identical on every run.
"""

from __future__ import annotations

import argparse
import html
import json
import posixpath
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_guangzhou_cassette as gz  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = "../shared"  # relative to the repository root
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
CST = timezone(timedelta(hours=8))
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
    def at(text: str) -> datetime:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CST)

    s001, s002, s003 = (gz.seed_path(shared, k) for k in ("001", "002", "003"))
    text001, text002, text003 = gz.read_text(s001), gz.read_text(s002), gz.read_text(s003)
    b1, b2, b3 = gz.body_seed_001(text001), gz.body_seed_003(text003), gz.body_seed_002(text002)
    b4 = gz.body_from_pdf(shared / "corpus/raw/kirogovcompare/hzq2024_working.pdf")
    b5 = gz.body_from_pdf(shared / "corpus/raw/govnianbao/szfgs2024.pdf")
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
    assert "《" + reports[0].title + "》" in b1[0].text
    assert b2[0].text + b2[1].text == reports[1].title
    assert b3[0].text == reports[2].title
    assert b4[0].text == reports[3].title and b5[0].text == reports[4].title
    for r in reports:
        assert r.title.startswith(r.agency) and str(r.year) in r.title
        assert r.published.year == r.year + 1 and r.published.month <= 3
        assert len(str(r.doc_id)) == 7
    gz.check_seed_coverage(text001, b1, skip_tail=3)
    gz.check_seed_coverage(text002, b3, skip=1)
    gz.check_seed_coverage(text003, b2)
    return reports


# ---------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------

esc = gz.esc


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
    return gz.sub_once(r"<title>[^<]*</title>", f"<title>{esc(title)}{SITE_SUFFIX}</title>", page)


def between(page: str, start: str, end: str) -> str:
    assert page.count(start) == 1, start
    i = page.index(start) + len(start)
    return page[i:page.index(end, i)]


def template_article_fragments(template: str) -> list[str]:
    """Pieces (8+ characters) of the template article's own text, to prove none is left."""
    import lxml.html

    body = between(template, '<div class="TRS_Editor">', "</div></div>\n                    <!-- /Main text -->")
    text = lxml.html.fromstring(f"<div>{body}</div>").text_content()
    pieces = [f for f in re.split(r"[\s\u3000，。、“”：；（）()！？]+", text) if len(f) >= 8]
    return [f for f in pieces if template.count(f) == body.count(f)]  # not also footer chrome


def check_leftovers(page: str, what: str, fragments: list[str]) -> None:
    for gone in TEMPLATE_GONE + (TEMPLATE_TITLE, TEMPLATE_SUBTITLE, TEMPLATE_IMAGE) + tuple(fragments):
        assert gone not in page, f"template leftover {gone!r} in {what}"
    # these name the template's article and column; the footer keeps one link each
    assert page.count(TEMPLATE_SOURCE) == 1 and page.count(TEMPLATE_COLUMN) == 1, what


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
        page = gz.set_meta(page, name, value)
    page = gz.replace_all(page, TEMPLATE_MOBILE_URL, report.url.replace(".html", "_ewm.html"), 1)
    page = gz._replace_between(page, BREADCRUMB_START, "</ul>",
                               breadcrumb(report.url, SUB_NAME, [("政务公开", "/zwgk/"), (COLUMN_NAME, COLUMN_PATH)]))
    page = gz.replace_all(page, f"<h2>{TEMPLATE_TITLE}</h2>", f"<h2>{esc(report.title)}</h2>", 1)
    page = gz.replace_all(page, f"<h3>{TEMPLATE_SUBTITLE}</h3>", "<h3></h3>", 1)
    page = gz._replace_between(page, '<li class="article-infos-source left">', "</li>", infos(report))
    page = gz._replace_between(page, '<div class="TRS_Editor">', "</div></div>\n                    <!-- /Main text -->",
                               gz.render_body(report.blocks))
    # the article's own pager script (a TRS article may run over several pages)
    pager = between(page, "<!-- Pageion -->", "<!-- /Pageion -->")
    assert pager.count(TEMPLATE_STEM) == 5 and pager.count("shtml") == 5
    page = page.replace(pager, pager.replace(TEMPLATE_STEM, report.stem).replace("shtml", "html"), 1)
    assert "'" not in report.title and "\\" not in report.title
    page = gz.replace_all(page, TEMPLATE_URL, report.url, 3)  # share, WeChat QR, 扫一扫 QR
    page = gz.replace_all(page, f"title: '{TEMPLATE_TITLE}'", f"title: '{report.title}'", 1)
    page = gz.replace_all(page, f"content: '{TEMPLATE_TITLE}'", f"content: '{report.title}'", 1)
    page = gz.replace_all(page, f"pic: 'http://www.shanxi.gov.cn/yw/sxyw/201909/{TEMPLATE_IMAGE}'", "pic: ''", 1)
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


def list_item(href: str, title: str, date: str | None = None) -> str:
    span = f"<span>{date}</span>" if date else ""
    return f'<li><a href="{html.escape(href)}" title="{html.escape(title)}">{esc(title)}</a>{span}</li>'


def page_name(k: int) -> str:  # k: 0-based
    return "index.html" if k == 0 else f"index_{k}.html"


def list_pager(template: str, count: int, current: int) -> str:
    """The template's pager block (div.shanxi-gov-page-box), its createPageHTML drawing the list's pages, plus the
    static links a browser without JavaScript (or a crawler) follows."""
    block = between(template, "<!-- Pageion -->\n", "                    <!-- /Pageion -->")
    block = block.replace(f'createPageHTML(1,0,"{TEMPLATE_STEM}","shtml");',
                          f'createPageHTML({count}, {current}, "index", "html");', 1)
    block = block.replace("var countPage = 1//", f"var countPage = {count}//", 1)
    block = block.replace(TEMPLATE_STEM, "index").replace("shtml", "html")
    links = []
    if current > 0:
        links += [f'<a href="{page_name(0)}" class="shanxi-gov-page-button">首页</a>',
                  f'<a href="{page_name(current - 1)}" class="shanxi-gov-page-button">上一页</a>']
    if current < count - 1:
        links += [f'<a href="{page_name(current + 1)}" class="shanxi-gov-page-button">下一页</a>',
                  f'<a href="{page_name(count - 1)}" class="shanxi-gov-page-button">尾页</a>']
    static = "".join("\n                        " + a for a in links)
    block = gz.replace_all(block, "\n</p>\n", "\n</p>" + static + "\n", 1)
    return block


def render_list_page(template: str, lp: ListPage, fragments: list[str]) -> str:
    """A list page in the template's chrome: the article-only parts (article meta tags, the
    mobile redirect to the article, the article's share/print/QR scripts) are removed and the
    main area holds ``ul.list`` and the pager."""
    page = template
    page = set_title(page, lp.name)
    page = gz.set_meta(page, "ColumnName", lp.name)
    for name in ("ArticleTitle", "PubDate", "ContentSource", "Keywords", "Author", "Description", "Image", "Url"):
        page = gz.sub_once(rf'    <meta name="{name}" content="[^"]*">\n', "", page)
    page = gz.sub_once(r'<script type="text/javascript">\s*function browserRedirect\(\).*?</script>\n', "", page)
    page = gz._replace_between(page, BREADCRUMB_START, "</ul>", breadcrumb(lp.url, lp.name, lp.crumbs))
    items = "\n".join("                    " + i for i in lp.items)
    main = ('\n            <div class="oflow-hd bgc-fff pad4ing10">\n                <ul class="list">\n'
            f"{items}\n                </ul>\n")
    if lp.pager:
        main += list_pager(template, *lp.pager)
    main += "            </div>\n        "
    page = gz._replace_between(page, '<div class="main-content-wrap mt10 oflow-hd">',
                               "</div>\n        <!-- Main Content Wrap -->", main)
    page = gz._replace_between(page, "<!-- Only This Page -->", "<!-- /Only This Page -->", "\n    ")
    check_leftovers(page, lp.url, fragments)
    return page


def build_list_pages(reports: list[Report]) -> tuple[list[ListPage], list[dict]]:
    """Column root (one sub-column link), the sub-column over two pages, and index.html
    (page 2's 首页/上一页 target: the same page as the folder)."""
    newest = sorted(reports, key=lambda r: r.published, reverse=True)
    listed = [(r.published, list_item(r.list_href, r.title, r.date)) for r in newest[:3]]
    listed.append((NOTICE["published"], list_item(NOTICE["href"], NOTICE["title"], NOTICE["date"])))
    page1 = [li for _, li in sorted(listed, key=lambda x: x[0], reverse=True)]
    page2 = [list_item(r.list_href, r.title, r.date) for r in newest[3:]]
    modified = max(newest[0].published, NOTICE["published"]) + timedelta(minutes=3)
    crumbs = [("政务公开", "/zwgk/")]
    sub_crumbs = crumbs + [(COLUMN_NAME, COLUMN_PATH)]
    pages = [
        ListPage(COLUMN, COLUMN_NAME, crumbs, [list_item(SUB_PATH, SUB_NAME)], None, modified),
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
    clock = gz.Clock(RECORDED_AT)
    pages: dict[str, bytes] = {}
    out = []
    robots_modified = datetime(2023, 8, 17, 10, 25, 3, tzinfo=CST)
    out.append(gz.ok(HOST + "/robots.txt", b"User-agent: *\nDisallow:\n", "text/plain", robots_modified,
                     clock.tick()))
    by_url = {r.url: r for r in reports}

    def add_list(lp: ListPage):
        data = render_list_page(template, lp, fragments).encode("utf-8")
        pages[lp.url] = data
        out.append(gz.ok(lp.url, data, HTML, lp.last_modified, clock.tick()))

    def add_reports(lp: ListPage):
        for href in re.findall(r'<a href="([^"]+)"', "".join(lp.items)):
            url = urljoin(lp.url, href)
            if url in by_url:
                r = by_url[url]
                data = detail_page(template, r, fragments).encode("utf-8")
                pages[url] = data
                out.append(gz.ok(url, data, HTML, r.published + timedelta(seconds=41), clock.tick()))

    root, page1, page2, index = lists
    add_list(root)
    add_list(page1)
    add_reports(page1)
    add_list(page2)
    add_reports(page2)
    add_list(index)
    urls = [i["request"]["uri"] for i in out]
    assert len(urls) == len(set(urls)), "duplicate interaction"
    assert {r.url for r in reports} <= set(urls)
    return out, pages


# ---------------------------------------------------------------------------------------
# Manifest
# ---------------------------------------------------------------------------------------


def manifest(reports: list[Report], lists: list[ListPage], non_reports: list[dict]) -> dict:
    return {
        "column": COLUMN,
        "reports": [
            {
                "n": r.n,
                "url": r.url,
                "listed_as": r.list_href,
                "section": SECTION,
                "title": r.title,
                "agency": r.agency,
                "report_year": r.year,
                "pub_date": r.date,
                "source": r.source,
                "traditional": r.traditional,
                "paragraphs": [b.text for b in r.blocks if isinstance(b, gz.Para)],
                "tables": [[[c.text for c in row] for row in b.rows] for b in r.blocks if isinstance(b, gz.Table)],
                "attachments": [],
            }
            for r in reports
        ],
        "file_reports": [],
        "attachment_files": {},
        "non_reports": [n["url"] for n in non_reports],
        "list_pages": [lp.url for lp in lists],
    }


# ---------------------------------------------------------------------------------------
# Checks on the written files
# ---------------------------------------------------------------------------------------


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def verify_pages(template: str, reports: list[Report], pages: dict[str, bytes], data: dict,
                 manifest_data: dict) -> None:
    """Parse every page back: a detail page's div.TRS_Editor holds exactly the manifest's
    paragraphs and table rows, in order, under the report's title, date and source; the chrome
    outside the article is the template's; list links resolve to interactions, except the
    non-report."""
    import lxml.html

    in_cassette = {i["request"]["uri"] for i in data["interactions"]}
    chrome = [between(template, "<!-- TopBar -->", "<!-- /MainNav -->"),
              between(template, "<!-- Footer -->", "<!-- /Footer -->"),
              between(template, '<li class="article-infos-func right">', "</li>"),
              between(template, '<dl class="affairs-detail-qcode oflow-hd">', "</dl>")]
    for r, m in zip(reports, manifest_data["reports"], strict=True):
        text = pages[r.url].decode("utf-8")
        assert all(part in text for part in chrome), f"report {r.n}: template chrome changed"
        doc = lxml.html.fromstring(text)
        assert doc.findtext(".//title") == r.title + SITE_SUFFIX
        assert [h.text_content() for h in doc.cssselect(".detail-article-title h2")] == [r.title]
        meta = {e.get("name"): e.get("content") for e in doc.cssselect("meta[name]")}
        assert meta["ArticleTitle"] == r.title and meta["ContentSource"] == r.agency
        assert meta["PubDate"].startswith(r.date) and urljoin(r.url, meta["Url"]) == r.url
        header = squash(doc.cssselect("ul.detail-article-infos")[0].text_content())
        assert header.startswith(f"来源：{r.agency} 发表日期：{r.date} 打印"), header
        editors = doc.cssselect("div.TRS_Editor")
        assert len(editors) == 1
        paragraphs, tables = [], []
        for child in editors[0]:
            if child.tag == "p":
                paragraphs.append(child.text_content().strip())
            elif child.tag == "table":
                tables.append([[td.text_content().strip() for td in tr.findall("td")] for tr in child.iter("tr")])
            else:
                raise AssertionError(f"report {r.n}: unexpected <{child.tag}> in the body")
        assert paragraphs == m["paragraphs"], f"report {r.n}: paragraphs differ"
        assert tables == m["tables"], f"report {r.n}: tables differ"
        assert r.title in (m["paragraphs"][0] + (m["paragraphs"][1] if r.n == 2 else ""))
    reachable, listed = set(), set()
    for url in manifest_data["list_pages"]:
        doc = lxml.html.fromstring(pages[url].decode("utf-8"))
        for a in doc.cssselect("ul.list a") + doc.cssselect(".shanxi-gov-page-box a"):
            reachable.add(urljoin(url, a.get("href")))
        listed |= {urljoin(url, a.get("href")) for a in doc.cssselect("ul.list a")}
    non_reports = set(manifest_data["non_reports"])
    missing = reachable - in_cassette - non_reports
    assert not missing, f"listed but not in the cassette: {missing}"
    assert non_reports <= listed and not non_reports & in_cassette
    assert {r.url for r in reports} <= listed, "a report is not listed"
    assert C2 in reachable and C2 + "index_1.html" in reachable and C2 + "index.html" in reachable


# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", default=DEFAULT_SHARED,
                        help="the shared material; a relative path is taken from the repository root "
                             "(default %(default)s)")
    args = parser.parse_args(argv)
    shared = (ROOT / args.shared).resolve()
    template = gz.read_text(shared / TEMPLATE)
    fragments = template_article_fragments(template)
    assert len(fragments) > 20

    reports = build_reports(shared)
    lists, non_reports = build_list_pages(reports)
    interactions, pages = build_interactions(template, reports, lists, fragments)
    data = {"version": 1, "interactions": interactions}

    cassette_path = ROOT / CASSETTE_OUT
    cassette_path.parent.mkdir(parents=True, exist_ok=True)
    cassette_path.write_bytes(gz.dump_yaml(data))
    manifest_data = manifest(reports, lists, non_reports)
    manifest_path = ROOT / MANIFEST_OUT
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_bytes((json.dumps(manifest_data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))

    gz.verify_cassette(cassette_path, interactions)
    verify_pages(template, reports, pages, data, manifest_data)

    for i in interactions:
        headers = i["response"]["headers"]
        print(f'{i["response"]["status"]["code"]} {headers["Content-Type"][0]:26} '
              f'{headers["Content-Length"][0]:>7}  {i["request"]["uri"]}')
    print(f"wrote {CASSETTE_OUT} ({cassette_path.stat().st_size} bytes, {len(interactions)} interactions) "
          f"and {MANIFEST_OUT} ({len(reports)} reports)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
