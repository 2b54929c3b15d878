#!/usr/bin/env python3
"""Construct ``cassettes/panyu.yaml`` and ``tests/data/panyu_manifest.json``.

The cassette is a vcrpy (version 1) replay of the panyu.gov.cn 区政府信息公开年报 column
(``/zwgk/zfxxgk/zfxxgknb/``) with its sub-columns ``bm/`` (部门) and ``zj/`` (镇街), whose year
folders are named inconsistently on the real site (``bm/2019n/``, ``bm/mb2021/``, ``zj/nb2020/``).
It is CONSTRUCTED, not recorded: no live site can be reached from our machines.

* real: the page template, a saved copy of a real NFCMS detail page of the sister district
  黄埔区 (``corpus/raw/mhxqwer-jchhp.gov.cn/index.html``, see ``corpus/raw/MANIFEST.tsv``), and
  the report texts (seeds 000, 002, 003, 004 and the PDF ``kirogovcompare/hzq2024_working.pdf``);
* constructed: every list page, robots.txt, post ids, publication times, HTTP headers, the
  placement of the reports in the column, and one listed notice that is not a report.

Detail pages are the template with its article swapped for a report (page title, h1,
ArticleTitle/PubDate/ContentSource meta tags plus a ``Url`` meta tag, the 来源/发布时间 header
line, the post id, the body inside ``#zoomcon``); the rest of the template, 黄埔区's site chrome
included, is left as it is, and a line diff against the template checks that. List pages are
the template's chrome with the article area replaced by ``ul.list`` and a pager.

The manifest (same schema as ``tests/data/guangzhou_manifest.json``) is the ground truth of
what was put in. Report bodies, rendering, HTTP helpers and the common checks come from
``tools/cassette_build/``, shared with the other cassette builders.

Usage (from the repository root)::

    python tools/build_panyu_cassette.py [--shared ../shared]

Needs ``pdfplumber``. The output is deterministic: running it twice gives identical files.
"""

from __future__ import annotations

import copy
import html
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urljoin

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cassette_build as cc  # noqa: E402

CASSETTE_OUT = "cassettes/panyu.yaml"
MANIFEST_OUT = "tests/data/panyu_manifest.json"
GZ_MANIFEST = "tests/data/guangzhou_manifest.json"  # only its schema is compared

# ---------------------------------------------------------------------------------------
# The site
# ---------------------------------------------------------------------------------------

HOST = "https://www.panyu.gov.cn"
COLUMN = HOST + "/zwgk/zfxxgk/zfxxgknb/"
COLUMN_NAME = "区政府信息公开年报"
CST = cc.CST
RECORDED_AT = datetime(2025, 3, 12, 1, 47, 22, tzinfo=timezone.utc)  # "Date" of the first exchange

SECTION_NAMES = {"bm": "部门", "zj": "镇街"}
FOLDER_NAMES = {"bm/2019n/": "2019年", "bm/mb2021/": "2021年", "zj/nb2020/": "2020年"}

TEMPLATE = "corpus/raw/mhxqwer-jchhp.gov.cn/index.html"
# The template's own article (黄埔区 site, 2018); every trace of it is replaced, checked below.
TEMPLATE_TITLE = "黄埔区图书馆成功举行书香相伴“妆”点女人心——女性化妆技巧公益讲座"
TEMPLATE_PUBDATE = "2018-03-20 00:55:40"
TEMPLATE_SOURCE = "本网"
TEMPLATE_POST_ID = "1717877"
TEMPLATE_LEFTOVERS = (TEMPLATE_TITLE, TEMPLATE_POST_ID, "2018-03-20", "00:55:40", TEMPLATE_SOURCE, "书香",
                      "妆", "图书馆", "魏乐禹", "Atason", "三&middot;八", "<o:p>", 'class="p0"')
TITLE_SUFFIX = "_政府信息公开_广州市黄埔区人民政府门户网站"  # the template's <title> after the article title

# Markers put into the skeleton page where the report's values go (private-use characters)
M_TITLE, M_PUBDATE, M_SOURCE, M_URL, M_POST, M_BODY = (f"\ue000{k}\ue001" for k in
                                                       ("TITLE", "PUBDATE", "SOURCE", "URL", "POST", "BODY"))
M_ATTR = "\ue002"  # suffix: the value goes into an attribute


# ---------------------------------------------------------------------------------------
# The reports
# ---------------------------------------------------------------------------------------


@dataclass
class Report:
    n: int
    folder: str  # under the column, e.g. "bm/2019n/"
    post_id: int
    title: str
    agency: str
    year: int
    published: datetime  # CST
    blocks: list
    traditional: bool = False
    attachments: list[dict] = field(default_factory=list)

    @property
    def section(self) -> str:
        return self.folder.split("/")[0]

    @property
    def source(self) -> str:
        return self.agency  # the header line reads 来源：<agency>

    @property
    def url(self) -> str:
        return f"{COLUMN}{self.folder}content/post_{self.post_id}.html"

    @property
    def list_href(self) -> str:
        return f"content/post_{self.post_id}.html"

    @property
    def date(self) -> str:
        return self.published.strftime("%Y-%m-%d")


at = cc.at

# A listed item that is not a report; its page is not in the cassette.
NON_REPORT = {"url": COLUMN + "bm/2019n/content/post_9561208.html", "href": "content/post_9561208.html",
              "title": "关于做好2024年政务公开工作的通知", "date": "2024-04-12",
              "published": at("2024-04-12 10:20:15")}


def build_reports(shared: Path) -> tuple[list[Report], dict]:
    """The five reports, with their bodies (built by the common body builders)."""
    notes: dict = {}
    s000, s002, s003, s004 = (cc.seed_path(shared, k) for k in ("000", "002", "003", "004"))
    text004 = cc.read_text(s004)
    blocks4, notes["seed004"] = cc.body_seed_004(text004)
    title0 = "2013年广州市人力资源和社会保障局政府信息公开年度报告"
    blocks0 = cc.body_seed_000(cc.read_text(s000), title0)
    blocks3 = cc.body_seed_003(cc.read_text(s003))
    blocks2 = cc.body_seed_002(cc.read_text(s002))
    blocks5 = cc.body_from_pdf(shared / "corpus/raw/kirogovcompare/hzq2024_working.pdf")
    reports = [
        Report(1, "bm/mb2021/", 7806415, blocks4[0].text, "广州市番禺区人力资源和社会保障局", 2021,
               at("2022-01-26 16:05:33"), blocks4),
        Report(2, "bm/2019n/", 5641873, title0, "广州市人力资源和社会保障局", 2013,
               at("2014-03-11 10:08:25"), blocks0),
        Report(3, "bm/2019n/", 5641902, blocks3[0].text + blocks3[1].text, "衡阳市劳动和社会保障局", 2008,
               at("2009-03-27 09:16:52"), blocks3),
        Report(4, "bm/2019n/", 5641935, blocks2[0].text, "松原市人力资源和社会保障局", 2015,
               at("2016-01-22 14:37:09"), blocks2),
        Report(5, "zj/nb2020/", 5647218, blocks5[0].text, "淮安市洪泽区人民政府", 2024,
               at("2025-01-24 11:26:48"), blocks5),
    ]
    # the titles are the reports' own, as their texts give them
    cc.check_titles(reports, {
        1: "广州市番禺区人力资源和社会保障局 2021 年政府信息公开工作年度报告",
        3: "衡阳市劳动和社会保障局2008年政府信息公开年度报告",
        4: "松原市人力资源和社会保障局2015年度政府信息公开工作报告",
        5: "淮安市洪泽区人民政府2024年政府信息公开工作年度报告",
    })
    cc.check_listed_reports(reports)
    cc.check_seed_coverage(text004, blocks4, dropped=notes["seed004"]["dropped_cells"])
    cc.check_seed_coverage(cc.read_text(s000), blocks0, skip=6, skip_tail=5)
    cc.check_seed_coverage(cc.read_text(s003), blocks3)
    cc.check_seed_coverage(cc.read_text(s002), blocks2, skip=1)
    return reports, notes


# ---------------------------------------------------------------------------------------
# The template
# ---------------------------------------------------------------------------------------


def read_template(shared: Path) -> str:
    """Read the template as bytes; it declares ``<meta charset="utf-8">`` and has no BOM."""
    data = (shared / TEMPLATE).read_bytes()
    cc.check(not data.startswith(b"\xef\xbb\xbf"), "the template starts with a UTF-8 BOM")
    cc.check(re.search(rb'<meta charset="utf-8">', data[:1024]),
             "the template does not declare <meta charset=\"utf-8\"> in its first 1024 bytes")
    return data.decode("utf-8")  # strict: fails on any byte that is not UTF-8


def fill(skeleton: str, values: dict[str, str]) -> str:
    """Put the report's values where the markers are: escaped for an attribute (marker
    followed by M_ATTR) or for text."""
    page = skeleton
    for marker, value in values.items():
        page = page.replace(marker + M_ATTR, html.escape(value, quote=True))
        page = page.replace(marker, cc.esc(value) if marker != M_BODY else value)
    cc.check("\ue000" not in page and "\ue002" not in page, "a placeholder mark is left on the page")
    return page


def detail_skeleton(template: str) -> str:
    """The template with markers where the article was. Checked: nothing of the article left."""
    page = template
    page = cc.replace_all(page, f"<title>{TEMPLATE_TITLE}{TITLE_SUFFIX}</title>",
                          f"<title>{M_TITLE}{TITLE_SUFFIX}</title>", 1)
    page = cc.replace_all(page, f'<meta name="ArticleTitle" content="{TEMPLATE_TITLE}">',
                          f'<meta name="ArticleTitle" content="{M_TITLE}{M_ATTR}">', 1)
    page = cc.replace_all(page, f'<meta name="PubDate" content="{TEMPLATE_PUBDATE}">',
                          f'<meta name="PubDate" content="{M_PUBDATE}{M_ATTR}">', 1)
    # the template has no Url meta tag: one is added after ContentSource
    page = cc.replace_all(page, f'\t\t\t<meta name="ContentSource" content="{TEMPLATE_SOURCE}">\n',
                          f'\t\t\t<meta name="ContentSource" content="{M_SOURCE}{M_ATTR}">\n'
                          f'\t\t\t<meta name="Url" content="{M_URL}{M_ATTR}">\n', 1)
    page = cc.replace_all(page, f"<h1>\n\t\t\t\t\t\t{TEMPLATE_TITLE}\n\t\t\t\t\t</h1>",
                          f"<h1>\n\t\t\t\t\t\t{M_TITLE}\n\t\t\t\t\t</h1>", 1)
    # header line: 来源：… 发布时间：YYYY-MM-DD HH:MM:SS 阅读次数：- 字体大小：
    page = cc.replace_all(page, f'<span class="article-source">信息来源：{TEMPLATE_SOURCE}</span>',
                          f'<span class="article-source">来源：{M_SOURCE}</span>', 1)
    page = cc.replace_all(page, f'<span class="article-create_time">发布时间：{TEMPLATE_PUBDATE}</span>',
                          f'<span class="article-create_time">发布时间：{M_PUBDATE}</span>', 1)
    page = cc.replace_all(page, '<span class="article-vistit">浏览量：', '<span class="article-vistit">阅读次数：', 1)
    page = cc.replace_all(page, "&nbsp;&nbsp;&nbsp;字体【&nbsp;", "&nbsp;&nbsp;&nbsp;字体大小：【&nbsp;", 1)
    # the post id (NFCMS script in the head and in the visit counter, statistics call)
    page = cc.replace_all(page, TEMPLATE_POST_ID, M_POST, 3)
    # the body between the CMS's 正文开始/正文结束 comments; the video-player script before it
    # and the 附件下载 (相关附件) block after #zoomcon stay
    page = cc.replace_between(page, "<!--正文开始-->\n", "\n\t\t\t\t\t\t\t<!--正文结束-->", "\t\t\t\t\t\t\t" + M_BODY)
    cc.check_leftovers(page, "the detail skeleton", TEMPLATE_LEFTOVERS)
    return page


def detail_page(skeleton: str, r: Report) -> str:
    return fill(skeleton, {M_TITLE: r.title, M_PUBDATE: r.published.strftime("%Y-%m-%d %H:%M:%S"),
                           M_SOURCE: r.source, M_URL: r.url, M_POST: str(r.post_id),
                           M_BODY: cc.render_body(r.blocks)})


def check_detail_diff(template: str, page: str, r: Report) -> None:
    """Line diff of a detail page against the template: only the article's lines changed
    (and the one added Url meta line)."""
    old, new = template.split("\n"), page.split("\n")
    start = old.index("\t\t\t\t\t\t\t<!--正文开始-->")
    end = old.index("\t\t\t\t\t\t\t<!--正文结束-->")
    article_markers = (TEMPLATE_TITLE, TEMPLATE_PUBDATE, TEMPLATE_POST_ID, f'content="{TEMPLATE_SOURCE}"',
                       "信息来源：", "字体【")
    allowed = set(range(start + 1, end)) | cc.lines_with(old, article_markers)
    changed, inserted = cc.diff_template_lines(old, new)
    for k in sorted(changed):
        cc.check(k in allowed, f"report {r.n}: template line {k + 1} changed: {old[k][:80]!r}")
    for _, lines in inserted:
        cc.check(all(x.startswith('\t\t\t<meta name="Url" content=') for x in lines),
                 f"report {r.n}: inserted lines other than the Url meta tag: {lines}")


def list_skeleton(template: str) -> str:
    """The template's chrome for a list page: the article's meta tags and post id go, the
    article area (``div.container`` bar its location bar) becomes a marker."""
    page = template
    for name in ("ArticleTitle", "PubDate", "ContentSource"):
        page = cc.sub_once(rf'\t\t\t<meta name="{name}" content="[^"]*">\n', "", page)
    page = cc.replace_all(page, f"<title>{TEMPLATE_TITLE}{TITLE_SUFFIX}</title>",
                          f"<title>{M_TITLE}{TITLE_SUFFIX}</title>", 1)
    location = re.search(r'\t\t\t<div class="location">.*?\n\t\t\t</div>\n', page, re.S).group(0)
    main = (location + '\t\t\t<div class="contentpage-wrap">\n'
            '\t\t\t\t<div class="list-wrap">\n' + M_BODY + '\n\t\t\t\t</div>\n\t\t\t</div>\n\t\t</div>\n')
    page = cc.replace_between(page, '\t\t<div class="container">\n', '\t\t<script src="static/js/jquery.share.min.js">', main)
    page = cc.replace_all(page, f'window.NFCMS_PUB_TYPE="post";window.NFCMS_POST_ID="{TEMPLATE_POST_ID}";', "", 1)
    cc.check_leftovers(page, "the list chrome", TEMPLATE_LEFTOVERS + ('id="zoomcon"', "article-info"))
    return page


# ---------------------------------------------------------------------------------------
# List pages
# ---------------------------------------------------------------------------------------


@dataclass
class ListPage:
    url: str
    title: str
    items: list[tuple[str, str, str | None]]  # href, title, date (None for a sub-column link)
    pages: tuple[int, int]  # createPageHTML(total, current)
    last_modified: datetime


def pager(total: int, current: int) -> str:
    """Static links (page 1 is ``index.html``, page k ``index_k.html``) and the
    ``createPageHTML`` call that draws the pager in a browser."""
    links = [f'<a href="{cc.page_name(k, 1)}">{label}</a>' for label, k in cc.pager_links(total, current)]
    return "\t\t\t\t\t<div class=\"page\">" + "".join(links) + cc.create_page_html(total, current) + "</div>"


def render_list_page(skeleton: str, lp: ListPage) -> str:
    ul = ('\t\t\t\t\t<ul class="list">\n'
          + "".join(f"\t\t\t\t\t\t{cc.list_item(*i)}\n" for i in lp.items) + "\t\t\t\t\t</ul>\n")
    return fill(skeleton, {M_TITLE: lp.title, M_BODY: ul + pager(*lp.pages)})


def build_list_pages(reports: list[Report]) -> list[ListPage]:
    by_folder: dict[str, list[Report]] = {}
    for r in reports:
        by_folder.setdefault(r.folder, []).append(r)
    minute3 = timedelta(minutes=3)

    def newest(folders, extra=()):
        return max([r.published for f in folders for r in by_folder[f]] + list(extra)) + minute3

    def items(rs):
        return [(r.list_href, r.title, r.date) for r in rs]

    notice = (NON_REPORT["href"], NON_REPORT["title"], NON_REPORT["date"])
    bm_folders, zj_folders = ["bm/2019n/", "bm/mb2021/"], ["zj/nb2020/"]
    r = {x.n: x for x in reports}
    page1 = [notice] + items([r[2], r[3]])  # order on the page: the notice, then seed 000, seed 003
    page2 = items([r[4]])
    all_folders = bm_folders + zj_folders
    notice_time = [NON_REPORT["published"]]
    return [
        ListPage(COLUMN, COLUMN_NAME, [("bm/", SECTION_NAMES["bm"], None), ("zj/", SECTION_NAMES["zj"], None)],
                 (1, 0), newest(all_folders, notice_time)),
        ListPage(COLUMN + "bm/", SECTION_NAMES["bm"],
                 [("2019n/", FOLDER_NAMES["bm/2019n/"], None), ("mb2021/", FOLDER_NAMES["bm/mb2021/"], None)],
                 (1, 0), newest(bm_folders, notice_time)),
        ListPage(COLUMN + "bm/2019n/", FOLDER_NAMES["bm/2019n/"], page1, (2, 0), newest(["bm/2019n/"], notice_time)),
        ListPage(COLUMN + "bm/2019n/index_2.html", FOLDER_NAMES["bm/2019n/"], page2, (2, 1),
                 newest(["bm/2019n/"], notice_time)),
        ListPage(COLUMN + "bm/2019n/index.html", FOLDER_NAMES["bm/2019n/"], page1, (2, 0),
                 newest(["bm/2019n/"], notice_time)),
        ListPage(COLUMN + "bm/mb2021/", FOLDER_NAMES["bm/mb2021/"], items(by_folder["bm/mb2021/"]), (1, 0),
                 newest(["bm/mb2021/"])),
        ListPage(COLUMN + "zj/", SECTION_NAMES["zj"], [("nb2020/", FOLDER_NAMES["zj/nb2020/"], None)], (1, 0),
                 newest(zj_folders)),
        ListPage(COLUMN + "zj/nb2020/", FOLDER_NAMES["zj/nb2020/"], items(by_folder["zj/nb2020/"]), (1, 0),
                 newest(["zj/nb2020/"])),
    ]


# ---------------------------------------------------------------------------------------
# HTTP exchanges, cassette, manifest
# ---------------------------------------------------------------------------------------


def build_interactions(template: str, reports: list[Report], lists: list[ListPage]) -> tuple[list[dict], dict]:
    """All exchanges in crawl order; also each URL's page bytes for the checks."""
    clock = cc.Clock(RECORDED_AT)
    html_type = "text/html; charset=utf-8"
    detail, chrome = detail_skeleton(template), list_skeleton(template)
    lists_by_url = {lp.url: lp for lp in lists}
    reports_by_url = {r.url: r for r in reports}
    pages: dict[str, bytes] = {}
    out = [cc.robots_txt(HOST, datetime(2023, 8, 17, 15, 2, 11, tzinfo=CST), clock.tick())]

    def add_list(url: str) -> None:
        lp = lists_by_url[url]
        data = render_list_page(chrome, lp).encode("utf-8")
        pages[url] = data
        out.append(cc.ok(url, data, html_type, lp.last_modified, clock.tick()))
        for href, _, date in lp.items:  # the reports the page lists, in the order listed
            target = urljoin(url, href)
            if date and target in reports_by_url and target not in pages:
                r = reports_by_url[target]
                page = detail_page(detail, r)
                check_detail_diff(template, page, r)
                pages[target] = page.encode("utf-8")
                out.append(cc.ok(target, pages[target], html_type, r.published + timedelta(seconds=41),
                                 clock.tick()))

    for url in ["", "bm/", "bm/2019n/", "bm/2019n/index_2.html", "bm/2019n/index.html", "bm/mb2021/",
                "zj/", "zj/nb2020/"]:
        add_list(COLUMN + url)
    cc.check(set(lists_by_url) | set(reports_by_url) | {HOST + "/robots.txt"} == cc.interaction_urls(out),
             "the cassette holds other URLs than the list pages, the reports and robots.txt")
    return out, pages


def manifest(reports: list[Report], lists: list[ListPage]) -> dict:
    """The ground truth (the schema of ``tests/data/guangzhou_manifest.json``)."""
    return cc.manifest(COLUMN, [cc.manifest_report(r, r.section, r.list_href, r.traditional, r.attachments)
                                for r in reports],
                       [NON_REPORT["url"]], [lp.url for lp in lists])


# ---------------------------------------------------------------------------------------
# Checks on the written files
# ---------------------------------------------------------------------------------------


def verify_pages(reports: list[Report], lists: list[ListPage], pages: dict[str, bytes], data: dict,
                 man: dict) -> None:
    """Parse every page back. Detail pages: title, h1, meta tags, header line, and #zoomcon
    holding exactly the manifest's paragraphs and table rows (with the blocks' spans), in
    order. List pages: every link (items and pager) resolves to an interaction, except the
    non-report, and every report and list page is reachable from the column page."""
    import lxml.html

    in_cassette = {i["request"]["uri"] for i in data["interactions"]}
    for r, m in zip(reports, man["reports"], strict=True):
        doc = lxml.html.fromstring(pages[r.url].decode("utf-8"))
        cc.check(doc.findtext(".//title") == r.title + TITLE_SUFFIX,
                 f"report {r.n}: <title> is not the title + {TITLE_SUFFIX!r}")
        cc.check([h.text_content().strip() for h in doc.iter("h1")] == [r.title],
                 f"report {r.n}: the h1 is not the title")
        meta = cc.meta_tags(doc)
        cc.check(meta["ArticleTitle"] == r.title and meta["Url"] == r.url and meta["ContentSource"] == r.source,
                 f"report {r.n}: ArticleTitle, Url or ContentSource meta tag wrong")
        cc.check(meta["PubDate"] == r.published.strftime("%Y-%m-%d %H:%M:%S"),
                 f"report {r.n}: PubDate meta tag wrong: {meta['PubDate']!r}")
        info_div = copy.deepcopy(doc.cssselect(".article-info-div")[0])
        for script in info_div.findall(".//script"):
            script.drop_tree()  # what a reader sees (the visit counter shows "-")
        info = " ".join(info_div.text_content().split())
        cc.check(info == f"来源：{r.source} 发布时间：{meta['PubDate']} 阅读次数：-",
                 f"report {r.n}: header line wrong: {info!r}")
        cc.check("字体大小：【" in doc.cssselect(".article-font")[0].text_content(),
                 f"report {r.n}: the 字体大小 control is gone")
        # comments and the video-player script stand among the body's blocks
        cc.check_body(doc.get_element_by_id("zoomcon"), r.blocks, m, f"report {r.n}",
                      ignore=lambda child: not isinstance(child.tag, str) or child.tag == "script")
        cc.check(doc.get_element_by_id("rel_v") is not None and not doc.cssselect("#rel_v li"),
                 f"report {r.n}: the 附件下载 block (#rel_v) is missing or not empty")
    links: dict[str, set[str]] = {}
    for lp in lists:
        doc = lxml.html.fromstring(pages[lp.url].decode("utf-8"))
        cc.check(len(doc.cssselect("ul.list li")) == len(lp.items),
                 f"{lp.url}: {len(doc.cssselect('ul.list li'))} list items, expected {len(lp.items)}")
        cc.check(cc.create_page_html(*lp.pages) in pages[lp.url].decode("utf-8"),
                 f"{lp.url}: the createPageHTML pager call is missing")
        links[lp.url] = cc.links(lp.url, doc, "ul.list a, div.page a")
    reachable = set().union(*links.values())
    cc.check_links(reachable, reachable, in_cassette, set(man["non_reports"]), {r.url for r in reports})
    seen, todo = {COLUMN}, [COLUMN]  # everything is reachable from the column page
    while todo:
        for u in links.get(todo.pop(), ()):
            if u not in seen and u in in_cassette:
                seen.add(u)
                todo.append(u)
    cc.check(seen == in_cassette - {HOST + "/robots.txt"},
             f"not reachable by links from the column root: {in_cassette - seen}")


def verify_schema(man: dict) -> None:
    """Same keys as the guangzhou manifest."""
    ref = json.loads((cc.ROOT / GZ_MANIFEST).read_bytes().decode("utf-8"))
    cc.check(set(man) == set(ref), f"manifest keys differ from the guangzhou manifest's: {set(man) ^ set(ref)}")
    cc.check(all(set(r) == set(ref["reports"][0]) for r in man["reports"]),
             "report entry keys differ from the guangzhou manifest's")


# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------


def main(argv=None) -> int:
    shared = cc.parse_shared(__doc__, argv)
    template = read_template(shared)

    reports, notes = build_reports(shared)
    lists = build_list_pages(reports)
    interactions, pages = build_interactions(template, reports, lists)
    data = {"version": 1, "interactions": interactions}
    man = manifest(reports, lists)
    cassette_path = cc.write_outputs(CASSETTE_OUT, data, MANIFEST_OUT, man)

    cc.verify_cassette(cassette_path, interactions)
    verify_pages(reports, lists, pages, data, man)
    verify_schema(man)

    cc.print_interactions(interactions)
    print(cc.seed_004_summary(notes["seed004"]))
    cc.print_written(CASSETTE_OUT, cassette_path, interactions, MANIFEST_OUT, reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
