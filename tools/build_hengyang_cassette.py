#!/usr/bin/env python3
"""Construct ``cassettes/hengyang.yaml`` and ``tests/data/hengyang_manifest.json``.

The cassette is a vcrpy (version 1) replay of the 衡阳 hengyang.gov.cn 政府信息公开年度报告 column
``/xxgk/szfxxgkml/zfxxgkndbg/`` (Hunan intensive government-site platform). It is CONSTRUCTED,
not recorded: no live site can be reached from our machines.

* real: the page template, a single-page clone of a real detail page of another Hunan city
  portal, 湘潭 (``corpus/raw/mhxqwer-qzhxiangtan.gov.cn/index.html``, see ``corpus/raw/MANIFEST.tsv``;
  saved by a browser as UTF-16LE with a BOM while its ``<meta charset>`` still says gb2312), and
  the report texts (seeds 000, 002, 003 and two report PDFs);
* constructed: the column's layout as ``docs/portals.md`` describes it (``szfgzbmndbg/<dept>/``
  with reports under the 2020-01-18 migration folder, ``szfxxgk/<YYYY>nd/szfgzbmxxgkndbg/`` from
  2022), every list page and its markup (no Hunan list page was available: ``ul.list-ul``, a pager
  of plain ``index_N.html`` links, the column root's boxes with 更多 links), robots.txt, the
  ``i<id>`` ids, publication times, HTTP headers, the header line in the 衡阳 form of ``docs/portals.md``
  (``发布时间：… 来源：… 浏览量： 【字体：大 中 小】``), and the placement of the reports (only seed 003
  is a 衡阳 report).

Encoding: every page is served as UTF-8 with ``Content-Type: text/html;charset=UTF-8`` while the
template's ``<meta charset="gb2312">`` is kept: the header must win (the bytes are not GB2312).

The manifest is the ground truth of what was put in: for every report its URL, metadata, every
body paragraph and every table row exactly as written into the HTML.

Usage (from the repository root)::

    python tools/build_hengyang_cassette.py [--shared ../shared]

Reuses ``tools/cassette_build/`` (body builders, table rendering, HTTP helpers, manifest,
checks). Needs ``pdfplumber``. The output is deterministic: byte-identical on every run.
"""

from __future__ import annotations

import html
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cassette_build as cc  # noqa: E402

CASSETTE_OUT = "cassettes/hengyang.yaml"
MANIFEST_OUT = "tests/data/hengyang_manifest.json"

# ---------------------------------------------------------------------------------------
# The site
# ---------------------------------------------------------------------------------------

HOST = "https://www.hengyang.gov.cn"
COLUMN = HOST + "/xxgk/szfxxgkml/zfxxgkndbg/"
CST = cc.CST
RECORDED_AT = datetime(2025, 3, 14, 1, 52, 9, tzinfo=timezone.utc)  # "Date" of the first exchange
HTML_TYPE = "text/html;charset=UTF-8"
NL = "\r\n"  # the template's line ends, kept on every page

TEMPLATE = "corpus/raw/mhxqwer-qzhxiangtan.gov.cn/index.html"
TEMPLATE_TITLE = "“从齐白石故乡吹来的风”书画展亮相澳门"
TITLE_SUFFIX = "_湘潭市人民政府网站"  # the template's <title> suffix (chrome, kept)
TEMPLATE_DOC_ID = "1335045"
TEMPLATE_GONE = (TEMPLATE_TITLE, TEMPLATE_DOC_ID, "齐白石", "2024-09-30", "2024.09.30", "09:24", "湘潭日报",
                 "新湘潭客户端", "欧阳予慧", "南光集团", "content_1335045")
TEMPLATE_COLUMN = ("部门动态", "政务类", "市直各部门政务动态信息")  # ColumnName / ColumnType / ColumnDescription

ZOOM_START = '<div class="zwh1" id="zoom">' + NL + "          "  # body: from <wbr> to </wbr>
ZOOM_END = NL + "\t\t  <table"  # the template's empty spacer table (chrome, kept)
MAIN_START = '    <div class="xilan-main">' + NL  # list pages: the article area is replaced
MAIN_END = "    </div>" + NL + "  </div>" + NL + "  " + NL + "\t<div id=\"foot_new\""
P_STYLE = "margin-top: 0px; margin-bottom: 0px; text-align: justify; line-height: 2.2;"  # the template's


@dataclass(frozen=True)
class Section:
    key: str  # first folder below the column
    folder: str  # the list page (below the column)
    name: str


SECTIONS = {
    "szfgzbmndbg": Section("szfgzbmndbg", "szfgzbmndbg/", "市政府工作部门"),
    "2024nd": Section("szfxxgk", "szfxxgk/2024nd/szfgzbmxxgkndbg/", "2024年度市政府工作部门"),
    "2023nd": Section("szfxxgk", "szfxxgk/2023nd/szfgzbmxxgkndbg/", "2023年度市政府工作部门"),
}


@dataclass
class Report:
    n: int
    section: Section
    path: str  # below the section's folder
    title: str
    agency: str
    year: int
    published: datetime  # CST
    source: str
    blocks: list

    @property
    def doc_id(self) -> str:
        return re.search(r"/i(\d+)\.html$", self.path).group(1)

    @property
    def url(self) -> str:
        return COLUMN + self.section.folder + self.path

    @property
    def date(self) -> str:
        return self.published.strftime("%Y-%m-%d")


NOTICE = {"title": "关于进一步做好政府信息公开工作的通知", "published": datetime(2017, 6, 12, 10, 3, 0, tzinfo=CST),
          "path": "szfb/20200118/i419802.html"}
NOTICE["url"] = COLUMN + "szfgzbmndbg/" + NOTICE["path"]


def build_reports(shared: Path) -> list[Report]:
    at = cc.at
    s000, s002, s003 = (cc.seed_path(shared, k) for k in ("000", "002", "003"))
    text000, text002, text003 = (cc.read_text(p) for p in (s000, s002, s003))
    title2 = "2013年广州市人力资源和社会保障局政府信息公开年度报告"
    b1 = cc.body_seed_002(text002)
    b2 = cc.body_seed_000(text000, title2)  # asserts that the seed's first line is this title
    b3 = cc.body_seed_003(text003)
    b4 = cc.body_from_pdf(shared / "corpus/raw/kirogovcompare/hzq2023_working.pdf")
    b5 = cc.body_from_pdf(shared / "corpus/raw/govnianbao/szfgs2024.pdf")
    dept, y23, y24 = SECTIONS["szfgzbmndbg"], SECTIONS["2023nd"], SECTIONS["2024nd"]
    reports = [
        # reports from before 2020 sit under the platform's migration folder 20200118/
        Report(1, dept, "hysrsj/20200118/i418652.html", b1[0].text, "松原市人力资源和社会保障局", 2015,
               at("2016-01-18 09:45:12"), "松原市人力资源和社会保障局", b1),
        Report(2, dept, "hysrsj/20200118/i418431.html", title2, "广州市人力资源和社会保障局", 2013,
               at("2014-03-11 10:08:25"), "广州市人力资源和社会保障局", b2),
        Report(3, dept, "hysrsj/20200118/i417906.html", b3[0].text + b3[1].text, "衡阳市劳动和社会保障局", 2008,
               at("2009-03-30 16:47:51"), "衡阳市劳动和社会保障局", b3),
        Report(4, y23, "20240125/i1873546.html", b4[0].text, "洪泽区人民政府", 2023, at("2024-01-25 10:15:32"),
               "淮安市洪泽区人民政府办公室", b4),
        Report(5, y24, "20250120/i2034718.html", b5[0].text, "淮安市人民政府", 2024, at("2025-01-20 16:42:18"),
               "淮安市人民政府办公室", b5),
    ]
    # the titles are the reports' own: check each against its text
    cc.check_titles(reports, {
        1: "松原市人力资源和社会保障局2015年度政府信息公开工作报告",
        3: "衡阳市劳动和社会保障局2008年政府信息公开年度报告",
        4: "洪泽区人民政府2023年政府信息公开工作年度报告",
        5: "淮安市人民政府2024年政府信息公开工作年度报告",
    })
    cc.check_listed_reports(reports, titles_in_scripts=True)
    cc.check_seed_coverage(text002, b1, skip=1)
    cc.check_seed_coverage(text000, b2, skip=6, skip_tail=5)
    cc.check_seed_coverage(text003, b3)
    return reports


# ---------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------

esc = cc.esc


def render_para(p) -> str:
    """A paragraph as the template's editor writes it: full-width indent, one style."""
    text = esc(p.text)
    if p.style == "prose":
        return f'<p style="{P_STYLE}">　　{text}</p>'
    if p.style == "heading":
        return f'<p style="{P_STYLE}"><strong>　　{text}</strong></p>'
    align = {"title": "center", "center": "center", "right": "right", "left": "left"}[p.style]
    inner = f"<strong>{text}</strong>" if p.style == "title" else text
    return f'<p style="{P_STYLE.replace("justify", align)}">{inner}</p>'


def render_body(blocks: list) -> str:
    return NL.join(render_para(b) if isinstance(b, cc.Para) else cc.render_table(b) for b in blocks)


def set_meta(page: str, name: str, value: str) -> str:
    """The template quotes some meta contents with ' and some with \"; keep its quoting."""
    return re.sub(rf"""(<meta name="{name}" content=)(['"])[^'"]*\2""",
                  lambda m: f"{m.group(1)}{m.group(2)}{html.escape(value)}{m.group(2)}", _one(page, name))


def _one(page: str, name: str) -> str:
    n = len(re.findall(rf'<meta name="{name}" content=', page))
    cc.check(n == 1, f"meta {name}: {n} matches")
    return page


def drop_meta(page: str, name: str) -> str:
    return cc.sub_once(rf"""<meta name="{name}" content=(['"])[^'"]*\1\s*/?>(\r\n)?""", "", _one(page, name))


def tts_copy(template: str, text: str) -> str:
    """The text-to-speech copy ``var ss = '…'``: as long as the template's, then ``...``."""
    m = re.search(r"var ss = '([^']*)\.\.\.';", template)
    keep = len(m.group(1))
    cc.check("'" not in text and "\\" not in text,
             "the text-to-speech copy would hold a quote or a backslash (it is a JS string)")
    return text[:keep] + ("..." if len(text) > keep else "")


def set_column(page: str, section: Section) -> str:
    for name, old, new in [("ColumnName", TEMPLATE_COLUMN[0], section.name), ("ColumnType", TEMPLATE_COLUMN[1], "政务公开"),
                           ("ColumnDescription", TEMPLATE_COLUMN[2], "政府信息公开年度报告"),
                           ("ColumnKeywords", TEMPLATE_COLUMN[0], "政府信息公开年度报告"), ("channel", TEMPLATE_COLUMN[0], section.name)]:
        cc.check(re.search(rf"""<meta name="{name}" content=['"]{old}['"]""", page),
                 f"meta {name}: the template no longer says {old!r}")
        page = set_meta(page, name, new)
    return page


def header_line(date: str, source: str) -> tuple[str, str]:
    """The two template lines of the header, in the 衡阳 form (docs/portals.md)."""
    return (f"          <span>发布时间：{date}</span> ",
            f"          <span>来源：{esc(source)}</span> <span>浏览量：<i id=\"hits\"></i></span>")


TEMPLATE_HEADER = ("          <span>湘潭市人民政府门户网站 www.xiangtan.gov.cn</span> ",
                   "          <span>发布时间：2024-09-30 09:24</span> ")


def detail_page(template: str, report: Report, fragments: list[str]) -> str:
    """The template with the report in it; everything outside its article stays as it was."""
    page = template
    page = cc.replace_all(page, f"<title>{TEMPLATE_TITLE}{TITLE_SUFFIX}</title>",
                          f"<title>{esc(report.title)}{TITLE_SUFFIX}</title>", 1)
    page = set_column(page, report.section)
    text = cc.plain_text(report.blocks)
    for name, value in [("published", report.published.strftime("%Y.%m.%d %H:%M:%S GMT+08:00")),
                        ("ArticleTitle", report.title), ("Description", " " + text[:64]),
                        ("PubDate", report.published.strftime("%Y-%m-%d %H:%M")),
                        ("ContentSource", report.source), ("Url", report.url)]:
        page = set_meta(page, name, value)
    page = cc.replace_all(page, f'<div class="ftheme">{TEMPLATE_TITLE}</div>',
                          f'<div class="ftheme">{esc(report.title)}</div>', 1)
    new_header = header_line(report.published.strftime("%Y-%m-%d %H:%M"), report.source)
    page = cc.replace_all(page, NL.join(TEMPLATE_HEADER), NL.join(new_header), 1)
    page = cc.replace_between(page, ZOOM_START, ZOOM_END, f"<wbr>{render_body(report.blocks)}</wbr>")
    page = cc.sub_once(r"<span>来 源：[^<]*</span> <em>责任编辑：[^<]*</em>",
                       f"<span>来 源：{esc(report.source)}</span> <em>责任编辑：</em>", page)
    page = cc.sub_once(r"var ss = '[^']*';", f"var ss = '{tts_copy(template, text)}';", page)
    page = cc.replace_all(page, TEMPLATE_DOC_ID, report.doc_id, 6)  # statistics, evaluation, comments
    check_leftovers(page, f"report {report.n}", fragments)
    return page


def template_article_fragments(template: str) -> list[str]:
    """Pieces (8+ characters) of the template article's own text, to prove none is left."""
    return cc.article_fragments(cc.between(template, ZOOM_START, ZOOM_END))


def check_leftovers(page: str, what: str, fragments: list[str]) -> None:
    """No trace of the template's article."""
    cc.check_leftovers(page, what, TEMPLATE_GONE + tuple(fragments))


# --- list pages --------------------------------------------------------------------------


@dataclass
class ListPage:
    url: str
    title: str
    section: Section | None  # None: the column root
    body: str  # what replaces the article area
    last_modified: datetime


def list_item(href: str, title: str, date: str) -> str:
    return (f'<li><a href="{html.escape(href)}" target="_blank" title="{html.escape(title)}">{esc(title)}</a>'
            f"<span>{date}</span></li>")


def item_of(r: Report, base: str) -> str:
    return list_item("./" + (r.section.folder + r.path)[len(base):], r.title, r.date)


def pager(count: int, current: int, total_items: int) -> str:
    """Plain links (a crawler needs no script): 首页 上一页 1 2 … 下一页 尾页; ``current`` 1-based."""
    def name(k: int) -> str:
        return "index.html" if k == 1 else f"index_{k}.html"

    parts = [f"<span>共{total_items}条 {count}页</span>"]
    if current > 1:
        parts += [f'<a href="{name(1)}">首页</a>', f'<a href="{name(current - 1)}">上一页</a>']
    else:
        parts += ["<span>首页</span>", "<span>上一页</span>"]
    parts += [f'<span class="current">{k}</span>' if k == current else f'<a href="{name(k)}">{k}</a>'
              for k in range(1, count + 1)]
    if current < count:
        parts += [f'<a href="{name(current + 1)}">下一页</a>', f'<a href="{name(count)}">尾页</a>']
    else:
        parts += ["<span>下一页</span>", "<span>尾页</span>"]
    return '      <div class="pages">' + " ".join(parts) + "</div>" + NL


def list_body(heading: str, items: list[str], pager_html: str = "") -> str:
    lis = "".join(f"          {li}{NL}" for li in items)
    return (f'      <div class="ftheme">{esc(heading)}</div>{NL}'
            f'      <ul class="list-ul">{NL}{lis}      </ul>{NL}{pager_html}')


def root_body(boxes: list[tuple[Section, list[str]]]) -> str:
    """The column root: one box per sub-column, its newest entries and a 更多 link."""
    out = [f'      <div class="ftheme">政府信息公开年度报告</div>{NL}']
    for section, items in boxes:
        lis = "".join(f"            {li}{NL}" for li in items)
        out.append(f'      <div class="ndbg-box">{NL}'
                   f'        <h3><a href="./{section.folder}">{esc(section.name)}</a>'
                   f'<a class="more" href="./{section.folder}">更多&gt;&gt;</a></h3>{NL}'
                   f'        <ul class="list-ul">{NL}{lis}        </ul>{NL}      </div>{NL}')
    return "".join(out)


ARTICLE_META = ("published", "ArticleTitle", "Description", "PubDate", "ContentSource", "Url")
# article-only script lines: the text-to-speech copy and its call, the view counter, the
# evaluation and comment scripts (they carry the document id)
LIST_DROPPED = ("var ss = '", "audioPlay(ss);", TEMPLATE_DOC_ID)


def render_list_page(template: str, lp: ListPage, fragments: list[str]) -> str:
    """A list page in the template's chrome: article-only meta tags and scripts (text-to-speech
    copy, view counter, evaluation, comments) removed, the article area replaced by the list."""
    page = template
    page = cc.replace_all(page, f"<title>{TEMPLATE_TITLE}{TITLE_SUFFIX}</title>",
                          f"<title>{esc(lp.title)}{TITLE_SUFFIX}</title>", 1)
    page = set_column(page, lp.section or Section("", "", "政府信息公开年度报告"))
    for name in ARTICLE_META:
        page = drop_meta(page, name)
    lines = page.split(NL)
    keep = [line for line in lines if not any(mark in line for mark in LIST_DROPPED)]
    cc.check(len(lines) - len(keep) == 5, f"{lp.url}: {len(lines) - len(keep)} article lines dropped, expected 5")
    page = NL.join(keep)
    page = cc.replace_between(page, MAIN_START, MAIN_END, lp.body)
    cc.check(TEMPLATE_DOC_ID not in page, f"{lp.url}: the template's document id is left")
    check_leftovers(page, lp.url, fragments)
    return page


def build_list_pages(reports: list[Report]) -> tuple[list[ListPage], list[dict]]:
    """The column root (boxes of the three sub-columns), 市政府工作部门 over two pages (and its
    index.html, page 2's 首页/上一页 target) with the notice on page 1, and the two year lists."""
    modified = max(r.published for r in reports) + timedelta(minutes=5)
    dept, y23, y24 = SECTIONS["szfgzbmndbg"], SECTIONS["2023nd"], SECTIONS["2024nd"]
    in_dept = sorted((r for r in reports if r.section is dept), key=lambda r: r.published, reverse=True)
    s1 = COLUMN + dept.folder
    notice = list_item("./" + NOTICE["path"], NOTICE["title"], f"{NOTICE['published']:%Y-%m-%d}")
    page1 = [notice] + [item_of(r, dept.folder) for r in in_dept[:2]]
    cc.check(NOTICE["published"] > in_dept[0].published,
             "the notice is not newer than the newest report (page 1 is newest first)")
    page2 = [item_of(r, dept.folder) for r in in_dept[2:]]
    total = len(in_dept) + 1

    def year_list(section: Section) -> ListPage:
        rs = [r for r in reports if r.section is section]
        return ListPage(COLUMN + section.folder, section.name, section,
                        list_body(section.name, [item_of(r, section.folder) for r in rs]), modified)

    boxes = [(y24, [item_of(r, "") for r in reports if r.section is y24]),
             (y23, [item_of(r, "") for r in reports if r.section is y23]),
             (dept, [item_of(r, "") for r in in_dept[:2]])]
    pages = [
        ListPage(COLUMN, "政府信息公开年度报告", None, root_body(boxes), modified),
        ListPage(s1, dept.name, dept, list_body(dept.name, page1, pager(2, 1, total)), modified),
        ListPage(s1 + "index_2.html", dept.name, dept, list_body(dept.name, page2, pager(2, 2, total)), modified),
        ListPage(s1 + "index.html", dept.name, dept, list_body(dept.name, page1, pager(2, 1, total)), modified),
        year_list(y24),
        year_list(y23),
    ]
    return pages, [NOTICE]


# ---------------------------------------------------------------------------------------
# HTTP exchanges and the cassette
# ---------------------------------------------------------------------------------------


def build_interactions(template: str, reports: list[Report], lists: list[ListPage],
                       fragments: list[str]) -> tuple[list[dict], dict[str, bytes]]:
    """All exchanges, in the order a crawl makes them, and each URL's page bytes."""
    clock = cc.Clock(RECORDED_AT)
    pages: dict[str, bytes] = {}
    out = []
    out.append(cc.robots_txt(HOST, datetime(2022, 4, 2, 9, 30, 11, tzinfo=CST), clock.tick()))
    by_url = {r.url: r for r in reports}

    def add(url: str, page: str, modified: datetime):
        data = page.encode("utf-8")
        pages[url] = data
        exchange = cc.ok(url, data, HTML_TYPE, modified, clock.tick())
        out.append(exchange)

    for lp in lists:
        add(lp.url, render_list_page(template, lp, fragments), lp.last_modified)
        for r in cc.linked_reports(lp.url, lp.body, by_url):
            if r.url not in pages:
                add(r.url, detail_page(template, r, fragments), r.published + timedelta(seconds=37))
    cc.check({r.url for r in reports} <= cc.interaction_urls(out), "a report is not in the cassette")
    return out, pages


# ---------------------------------------------------------------------------------------
# Manifest
# ---------------------------------------------------------------------------------------


def manifest(reports: list[Report], lists: list[ListPage], non_reports: list[dict]) -> dict:
    """The ground truth (the schema of ``tests/data/guangzhou_manifest.json``, plus the decoding)."""
    return cc.manifest(COLUMN, [cc.manifest_report(r, r.section.key, "./" + r.section.folder + r.path)
                                for r in reports],
                       [n["url"] for n in non_reports], [lp.url for lp in lists],
                       encoding={"encoding": "utf-8", "encoding_method": "http-header"})


# ---------------------------------------------------------------------------------------
# Checks on the written files
# ---------------------------------------------------------------------------------------


def template_lines_changed(template: str, page: str) -> set[int]:
    """0-based template lines that the page does not keep as they were (an insertion counts
    as a change of the line it goes before)."""
    changed, inserted = cc.diff_template_lines(template.split(NL), page.split(NL))
    return changed | {k for k, _ in inserted}


def lines_with(template: str, marks: list[str]) -> set[int]:
    """The template lines that hold one of ``marks`` (each is found)."""
    return cc.lines_with(template.split(NL), marks)


DETAIL_MARKS = ['<meta name="published"', '<meta name="channel"', '<meta name="Column', '<meta name="ArticleTitle"',
                '<meta name="Description"', '<meta name="PubDate"', '<meta name="ContentSource"', "<title>",
                '<div class="ftheme">', TEMPLATE_HEADER[0].strip(), TEMPLATE_HEADER[1].strip(), "<wbr>", "</wbr>",
                "来 源：", "var ss = ", TEMPLATE_DOC_ID]


def verify_pages(template: str, reports: list[Report], pages: dict[str, bytes], data: dict,
                 manifest_data: dict) -> None:
    """Parse every page back from its UTF-8 bytes (which the kept gb2312 declaration does not
    describe): a detail page's #zoom holds exactly the manifest's paragraphs and table rows, in
    order, under the report's title, date and source; only the article's lines differ from the
    template; list links resolve to interactions, except the non-report."""
    import lxml.html

    in_cassette = {i["request"]["uri"] for i in data["interactions"]}
    cc.check_content_type(data["interactions"], pages, HTML_TYPE)
    (first,), (last,) = lines_with(template, ["<wbr>"]), lines_with(template, ["</wbr>"])
    allowed = lines_with(template, DETAIL_MARKS) | set(range(first, last + 1))  # the body's lines
    for r, m in zip(reports, manifest_data["reports"], strict=True):
        raw = pages[r.url]
        text = raw.decode("utf-8")
        cc.check('<meta charset="gb2312">' in text, f"report {r.n}: the gb2312 charset declaration is gone")
        cc.assert_undecodable(raw, "gb2312", f"report {r.n}")
        cc.check(template_lines_changed(template, text) <= allowed, f"report {r.n}: template chrome changed")
        doc = lxml.html.fromstring(text)
        cc.check(doc.findtext(".//title") == r.title + TITLE_SUFFIX,
                 f"report {r.n}: <title> is not the title + {TITLE_SUFFIX!r}")
        cc.check([cc.squash(h.text_content()) for h in doc.cssselect("div.ftheme")] == [r.title],
                 f"report {r.n}: div.ftheme is not the title")
        meta = cc.meta_tags(doc)
        cc.check(meta["ArticleTitle"] == r.title and meta["ContentSource"] == r.source and meta["Url"] == r.url,
                 f"report {r.n}: ArticleTitle, ContentSource or Url meta tag wrong")
        cc.check(meta["PubDate"] == r.published.strftime("%Y-%m-%d %H:%M"),
                 f"report {r.n}: PubDate meta tag wrong: {meta['PubDate']!r}")
        header = cc.squash(doc.cssselect("div.flot-ly")[0].text_content())
        cc.check(header.startswith(f"发布时间：{r.published:%Y-%m-%d %H:%M} 来源：{r.source} 浏览量： 【字体："),
                 f"report {r.n}: header line wrong: {header!r}")
        zoom = doc.cssselect("#zoom")
        cc.check(len(zoom) == 1, f"report {r.n}: {len(zoom)} #zoom elements, expected 1")
        cc.check_body(zoom[0].find("wbr"), r.blocks, m, f"report {r.n}")
    reachable, listed = set(), set()
    lines = template.split(NL)
    main = set(range(lines.index(MAIN_START.rstrip(NL)) + 1, lines.index(MAIN_END.split(NL)[0], lines.index(MAIN_START.rstrip(NL)))))
    list_allowed = (lines_with(template, [f'<meta name="{n}"' for n in ARTICLE_META + ("channel",)] + ['<meta name="Column', "<title>"])
                    | lines_with(template, list(LIST_DROPPED)) | main)
    for url in manifest_data["list_pages"]:
        text = pages[url].decode("utf-8")
        cc.check(template_lines_changed(template, text) <= list_allowed, f"{url}: template chrome changed")
        doc = lxml.html.fromstring(text)
        cc.check(doc.findtext(".//title").endswith(TITLE_SUFFIX), f"{url}: <title> does not end in {TITLE_SUFFIX!r}")
        cc.check(not doc.cssselect("#zoom") and not doc.cssselect('meta[name="ArticleTitle"]'),
                 f"{url}: a list page has an article body or ArticleTitle")
        cc.check(TEMPLATE_DOC_ID not in text and "var ss" not in text,
                 f"{url}: the template's document id or text-to-speech copy is left")
        reachable |= cc.links(url, doc, "div.xilan-main a")
        listed |= cc.links(url, doc, "ul.list-ul a")
        for li in doc.cssselect("ul.list-ul li"):
            a = li.find("a")
            cc.check(a.get("title") == a.text_content() and re.fullmatch(r"\d{4}-\d{2}-\d{2}", li.findtext("span")),
                     f"{url}: list item {a.text_content()!r}: title attribute or date wrong")
    cc.check_links(reachable, listed, in_cassette, set(manifest_data["non_reports"]), {r.url for r in reports})
    s1 = COLUMN + SECTIONS["szfgzbmndbg"].folder
    cc.check({s1 + "index_2.html", s1 + "index.html"} <= reachable,
             "the pages of szfgzbmndbg/ (index_2.html, index.html) are not linked")
    cc.check(pages[s1] == pages[s1 + "index.html"], "szfgzbmndbg/ and its index.html differ")


# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------


def read_template(path: Path) -> str:
    """The template as saved: UTF-16LE with a BOM (the only way to read it right)."""
    raw = path.read_bytes()
    cc.check(raw[:2] == b"\xff\xfe", "the template is no longer UTF-16LE with a BOM")
    return raw[2:].decode("utf-16-le")


def main(argv=None) -> int:
    shared = cc.parse_shared(__doc__, argv)
    template = read_template(shared / TEMPLATE)
    fragments = template_article_fragments(template)
    cc.check(len(fragments) > 10, f"only {len(fragments)} fragments of the template's article to look for")

    reports = build_reports(shared)
    lists, non_reports = build_list_pages(reports)
    interactions, pages = build_interactions(template, reports, lists, fragments)
    data = {"version": 1, "interactions": interactions}
    manifest_data = manifest(reports, lists, non_reports)
    cassette_path = cc.write_outputs(CASSETTE_OUT, data, MANIFEST_OUT, manifest_data)

    cc.verify_cassette(cassette_path, interactions)
    verify_pages(template, reports, pages, data, manifest_data)

    cc.print_interactions(interactions, width=24)
    cc.print_written(CASSETTE_OUT, cassette_path, interactions, MANIFEST_OUT, reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
