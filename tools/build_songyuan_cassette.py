#!/usr/bin/env python3
"""Construct ``cassettes/songyuan.yaml`` and ``tests/data/songyuan_manifest.json``.

The cassette is a vcrpy (version 1) replay of the 松原 (Jilin) 政府信息公开年度报告 column
``https://www.jlsy.gov.cn/xxgk/sysrmzf/syrmzfbgs/ndbg/`` (host unverified), an older TRS WCM
site SERVED IN GBK: every HTML page is GBK bytes, declares ``<meta charset="gb2312">`` (as old
sites do, although some characters on it are GBK-only) and is sent as ``Content-Type: text/html``
with no charset. It is CONSTRUCTED, not recorded: no live site can be reached from our machines.

* real: the page template, a single-page clone of a real TRS WCM article page of the 云南省人民政府
  portal (``corpus/raw/mhxqwer-lxhyn.gov.cn/index.html``, see ``corpus/raw/MANIFEST.tsv``; no real
  松原 page was available), and the report texts (seeds 000, 002, 003, 004 and one report PDF);
* constructed: the list pages (two pages and ``index.html``), robots.txt, document ids,
  publication times, HTTP headers, the GBK re-encoding, and the placement of the reports in the
  column (only seed 002 is a 松原 report).

On detail pages the template's article (``<title>``, the ``h3`` title, the ``articletitle``/
``pubdate``/``contentsource`` meta tags, the TRS monitor's ``docId``/``doctitle``, the 来源/date
header line and the ``div.TRS_Editor`` body) is replaced by the report; every other line of the
template stays as it was (checked line by line), apart from the ``<meta charset>``.

The manifest is the ground truth of what was put in: for every report its URL, metadata, every
body paragraph and every table row exactly as written into the HTML.

Usage (from the repository root)::

    python tools/build_songyuan_cassette.py [--shared ../shared]

Reuses ``tools/cassette_build/`` (body builders, HTML rendering, HTTP helpers, manifest,
checks). Needs ``pdfplumber``. The output is deterministic: byte-identical on every run.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cassette_build as cc  # noqa: E402

CASSETTE_OUT = "cassettes/songyuan.yaml"
MANIFEST_OUT = "tests/data/songyuan_manifest.json"

# ---------------------------------------------------------------------------------------
# The site
# ---------------------------------------------------------------------------------------

HOST = "https://www.jlsy.gov.cn"  # unverified (docs/portals.md)
COLUMN = HOST + "/xxgk/sysrmzf/syrmzfbgs/ndbg/"
SECTION = "ndbg"
CST = cc.CST
RECORDED_AT = datetime(2025, 3, 13, 2, 21, 40, tzinfo=timezone.utc)  # "Date" of the first exchange

HTML_TYPE = "text/html"  # no charset: the page's own <meta> (gb2312) is all a client gets
DECLARED = "gb2312"
ENCODING = "gbk"

TEMPLATE = "corpus/raw/mhxqwer-lxhyn.gov.cn/index.html"
# What the template page was about; every trace of it is replaced (and checked to be gone).
TEMPLATE_TITLE = "昆明完成“智慧城市”顶层设计"
TEMPLATE_SOURCE = "云南日报"
TEMPLATE_PUBDATE = "2016-08-11 08:13"
TEMPLATE_DATETIME = "2016-08-11 08:13:00"
TEMPLATE_DOC_ID = "165674"
TEMPLATE_GONE = (TEMPLATE_TITLE, TEMPLATE_SOURCE, TEMPLATE_DOC_ID, "2016-08-11", "08:13", "智慧城市",
                 "昆明完成", "十三五", "李效华")
TEMPLATE_CHARSET = '    <meta charset="UTF-8">\n'
TITLE_SUFFIX = "_州市动态_云南省人民政府门户网站"  # the template's <title> suffix (chrome, kept)

# TRS_Editor body: the template writes it on one line, closed by ``</div> `` and the div.mart end
EDITOR_START = "<div class=TRS_Editor>"
EDITOR_END = "</div> \n\t\t\t\t</div>\n"

# ---------------------------------------------------------------------------------------
# The reports
# ---------------------------------------------------------------------------------------


@dataclass
class Report:
    n: int
    doc_id: int  # TRS document id (6 digits, constructed)
    title: str
    agency: str
    year: int
    published: datetime  # CST
    source: str
    blocks: list

    @property
    def date(self) -> str:
        return self.published.strftime("%Y-%m-%d")

    @property
    def path(self) -> str:
        return f"{self.published:%Y%m}/t{self.published:%Y%m%d}_{self.doc_id}.html"

    @property
    def url(self) -> str:
        return COLUMN + self.path

    @property
    def list_href(self) -> str:
        return "./" + self.path


NOTICE = {"title": "关于做好2024年政务公开工作的通知", "published": datetime(2024, 5, 20, 9, 12, 30, tzinfo=CST),
          "doc_id": 478206}
NOTICE["href"] = f"./{NOTICE['published']:%Y%m}/t{NOTICE['published']:%Y%m%d}_{NOTICE['doc_id']}.html"
NOTICE["url"] = COLUMN + NOTICE["href"][2:]
NOTICE["date"] = f"{NOTICE['published']:%Y-%m-%d}"


def build_reports(shared: Path) -> list[Report]:
    at = cc.at
    s000, s002, s003, s004 = (cc.seed_path(shared, k) for k in ("000", "002", "003", "004"))
    text000, text002, text003, text004 = (cc.read_text(p) for p in (s000, s002, s003, s004))
    title2 = "2013年广州市人力资源和社会保障局政府信息公开年度报告"
    b1 = cc.body_seed_002(text002)
    b2 = cc.body_seed_000(text000, title2)  # asserts that the seed's first line is this title
    b3, notes004 = cc.body_seed_004(text004)
    b4 = cc.body_from_pdf(shared / "corpus/raw/kirogovcompare/hzq2023_working.pdf")
    b5 = cc.body_seed_003(text003)
    reports = [
        Report(1, 183954, b1[0].text, "松原市人力资源和社会保障局", 2015, at("2016-02-19 09:36:14"),
               "松原市人力资源和社会保障局", b1),
        Report(2, 139826, title2, "广州市人力资源和社会保障局", 2013, at("2014-03-11 10:08:25"),
               "广州市人力资源和社会保障局", b2),
        Report(3, 402318, b3[0].text, "广州市番禺区人力资源和社会保障局", 2021, at("2022-01-28 15:20:06"),
               "广州市番禺区人力资源和社会保障局", b3),
        Report(4, 463175, b4[0].text, "洪泽区人民政府", 2023, at("2024-01-25 10:15:32"),
               "淮安市洪泽区人民政府办公室", b4),
        Report(5, 102417, b5[0].text + b5[1].text, "衡阳市劳动和社会保障局", 2008, at("2009-03-30 16:47:51"),
               "衡阳市劳动和社会保障局", b5),
    ]
    # the titles are the reports' own: check each against its text
    cc.check_titles(reports, {
        1: "松原市人力资源和社会保障局2015年度政府信息公开工作报告",
        3: "广州市番禺区人力资源和社会保障局 2021 年政府信息公开工作年度报告",
        4: "洪泽区人民政府2023年政府信息公开工作年度报告",
        5: "衡阳市劳动和社会保障局2008年政府信息公开年度报告",
    })
    cc.check_listed_reports(reports, titles_in_scripts=True)
    for r in reports:
        cc.check(len(str(r.doc_id)) == 6, f"report {r.n}: doc id {r.doc_id} is not 6 digits")
    cc.check_seed_coverage(text002, b1, skip=1)
    cc.check_seed_coverage(text000, b2, skip=6, skip_tail=5)
    cc.check_seed_coverage(text004, b3, dropped=notes004["dropped_cells"])
    cc.check_seed_coverage(text003, b5)
    return reports


# ---------------------------------------------------------------------------------------
# GBK
# ---------------------------------------------------------------------------------------


def in_gbk(ch: str) -> bool:
    try:
        ch.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def in_gb2312(ch: str) -> bool:
    try:
        ch.encode(DECLARED)
    except UnicodeEncodeError:
        return False
    return True


def block_texts(blocks: list) -> list[str]:
    return [t for b in blocks for t in ([b.text] if isinstance(b, cc.Para) else [c.text for row in b.rows for c in row])]


def charset_findings(reports: list[Report]) -> dict:
    """Characters of the report texts that GB2312 lacks but GBK has, and those GBK lacks
    (written as character references; none is dropped)."""
    found = {"gbk_only": [], "not_gbk": []}
    for r in reports:
        for text in block_texts(r.blocks):
            for ch in dict.fromkeys(text):
                if not in_gbk(ch):
                    found["not_gbk"].append((r.n, ch, text))
                elif not in_gb2312(ch):
                    found["gbk_only"].append((r.n, ch, text))
    return found


def gbk_safe(markup: str) -> str:
    """Characters GBK cannot encode become character references (U+00A0 as ``&nbsp;``), which
    parse back to the same character; only the report bodies hold any."""
    return "".join(c if in_gbk(c) else ("&nbsp;" if c == "\xa0" else f"&#x{ord(c):X};") for c in markup)


def to_gbk(page: str, what: str) -> bytes:
    data = page.encode(ENCODING)  # strict: every character must have been made encodable
    cc.check(data.decode(ENCODING) == page, f"{what}: GBK round trip differs")
    return data


# ---------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------

esc = cc.esc


def template_article_fragments(template: str) -> list[str]:
    """Pieces (8+ characters) of the template article's own text, to prove none is left."""
    return cc.article_fragments(cc.between(template, EDITOR_START, EDITOR_END))


def check_leftovers(page: str, what: str, fragments: list[str]) -> None:
    """No trace of the template's article."""
    cc.check_leftovers(page, what, TEMPLATE_GONE + tuple(fragments))


def set_charset(page: str) -> str:
    return cc.replace_all(page, TEMPLATE_CHARSET, f'    <meta charset="{DECLARED}">\n', 1)


def detail_page(template: str, report: Report, fragments: list[str]) -> str:
    """The template with the report in it; everything outside its article stays as it was."""
    page = set_charset(template)
    title = esc(report.title)
    page = cc.replace_all(page, f"<title>{TEMPLATE_TITLE}{TITLE_SUFFIX}</title>",
                          f"<title>{title}{TITLE_SUFFIX}</title>", 1)
    for name, value in [("articletitle", report.title), ("pubdate", report.published.strftime("%Y-%m-%d %H:%M")),
                        ("contentsource", report.source)]:
        page = cc.set_meta(page, name, value)
    page = cc.replace_all(page, f"params.docId='{TEMPLATE_DOC_ID}';", f"params.docId='{report.doc_id}';", 1)
    page = cc.replace_all(page, f"params.doctitle='{TEMPLATE_TITLE}';", f"params.doctitle='{report.title}';", 1)
    page = cc.replace_all(page, f"\t\t\t\t\t{TEMPLATE_TITLE}\n\n\t\t\t\t</h3>", f"\t\t\t\t\t{title}\n\n\t\t\t\t</h3>", 1)
    page = cc.replace_all(page, f"\t\t\t\t\t来源：{TEMPLATE_SOURCE}\n", f"\t\t\t\t\t来源：{esc(report.source)}\n", 1)
    page = cc.replace_all(page, f"\t\t\t\t\t{TEMPLATE_DATETIME} \n",
                          f"\t\t\t\t\t{report.published:%Y-%m-%d %H:%M:%S} \n", 1)
    page = cc.replace_between(page, EDITOR_START, EDITOR_END, gbk_safe(cc.render_body(report.blocks)))
    check_leftovers(page, f"report {report.n}", fragments)
    return page


@dataclass
class ListPage:
    url: str
    items: list[str]  # <li> of the list
    pager: tuple[int, int]  # (count, current)
    last_modified: datetime


def pager(count: int, current: int) -> str:
    """The TRS pager: the ``createPageHTML`` call that draws it in a browser, plus the static
    links a browser without JavaScript (or a crawler) follows."""
    links = [f'<a href="{cc.page_name(k)}">{label}</a>' for label, k in cc.pager_links(count, current)]
    script = cc.create_page_html(count, current)
    return ('\t\t\t<div class="page">\n' + "".join(f"\t\t\t\t{x}\n" for x in [script] + links) + "\t\t\t</div>\n")


LIST_START = '\t\t\t\t<div class="siteright"></div>\n\t\t\t</div>\n'  # after the column box (chrome, kept)
LIST_END = "\n\t\t\t</div>\n\t\t\t\t\n\t\t</div>\n      </center>"
ARTICLE_META = ("articletitle", "pubdate", "contentsource", "keywords", "author")


def render_list_page(template: str, lp: ListPage, fragments: list[str]) -> str:
    """A list page in the template's chrome: the article-only parts (article meta tags, the
    monitor's docId/doctitle) are removed, and the article area (title, header line, body,
    print/share bar, related documents) is replaced by ``ul.list`` and the pager."""
    page = set_charset(template)
    page = cc.replace_all(page, f"<title>{TEMPLATE_TITLE}{TITLE_SUFFIX}</title>",
                          f"<title>{TITLE_SUFFIX[1:]}</title>", 1)
    for name in ARTICLE_META:
        page = cc.sub_once(rf'<meta name="{name}" content="[^"]*">\n', "", page)
    page = cc.sub_once(r"params\.docId='\d+';\nparams\.doctitle='[^']*';\n", "", page)
    items = "".join(f"\t\t\t\t{li}\n" for li in lp.items)
    main = f'\t\t\t<ul class="list">\n{items}\t\t\t</ul>\n' + pager(*lp.pager)
    page = cc.replace_between(page, LIST_START, LIST_END, main)
    check_leftovers(page, lp.url, fragments)
    return page


def build_list_pages(reports: list[Report]) -> tuple[list[ListPage], list[dict]]:
    """The column over two pages, newest first, and index.html (page 2's 首页/上一页 target:
    the same page as the column). The notice (not a report) is on page 1."""
    page1, page2, modified = cc.split_listing(reports, NOTICE)
    pages = [
        ListPage(COLUMN, page1, (2, 0), modified),
        ListPage(COLUMN + "index_1.html", page2, (2, 1), modified),
        ListPage(COLUMN + "index.html", page1, (2, 0), modified),
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
    out.append(cc.robots_txt(HOST, datetime(2021, 6, 8, 14, 2, 51, tzinfo=CST), clock.tick()))
    by_url = {r.url: r for r in reports}

    def add(url: str, data: bytes, modified: datetime):
        pages[url] = data
        exchange = cc.ok(url, data, HTML_TYPE, modified, clock.tick())
        cc.check(isinstance(exchange["response"]["body"]["string"], bytes), f"{url}: stored as text")
        out.append(exchange)

    def add_list(lp: ListPage):
        add(lp.url, to_gbk(render_list_page(template, lp, fragments), lp.url), lp.last_modified)

    def add_reports(lp: ListPage):
        for r in cc.linked_reports(lp.url, "".join(lp.items), by_url):
            add(r.url, to_gbk(detail_page(template, r, fragments), r.url), r.published + timedelta(seconds=41))

    page1, page2, index = lists
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
    return cc.manifest(COLUMN, [cc.manifest_report(r, SECTION, r.list_href) for r in reports],
                       [n["url"] for n in non_reports], [lp.url for lp in lists])


# ---------------------------------------------------------------------------------------
# Checks on the written files
# ---------------------------------------------------------------------------------------


def changed_lines(template: str, page: str) -> list[int]:
    """0-based numbers of the template lines a detail page changes (it changes lines in place)."""
    old, new = template.split("\n"), page.split("\n")
    cc.check(len(old) == len(new), "a detail page has other lines than the template")
    return [k for k, (a, b) in enumerate(zip(old, new)) if a != b]


def allowed_detail_lines(template: str) -> set[int]:
    marks = [TEMPLATE_CHARSET.strip(), '<meta name="articletitle"', '<meta name="pubdate"',
             '<meta name="contentsource"', "params.docId=", "params.doctitle=", "<title>",
             f"\t\t\t\t\t{TEMPLATE_TITLE}", f"来源：{TEMPLATE_SOURCE}", TEMPLATE_DATETIME, EDITOR_START]
    return cc.lines_with(template.split("\n"), marks, once=True)


def verify_pages(template: str, reports: list[Report], pages: dict[str, bytes], data: dict,
                 manifest_data: dict) -> None:
    """Parse every page back from its GBK bytes: the page declares gb2312 and is sent without a
    charset; a detail page's div.TRS_Editor holds exactly the manifest's paragraphs and table rows,
    in order, under the report's title, date and source, and only the article's lines differ from
    the template; list links resolve to interactions, except the non-report."""
    import lxml.html

    in_cassette = {i["request"]["uri"] for i in data["interactions"]}
    cc.check_content_type(data["interactions"], pages, HTML_TYPE)
    allowed = allowed_detail_lines(template)
    for r, m in zip(reports, manifest_data["reports"], strict=True):
        raw = pages[r.url]
        text = raw.decode(ENCODING)
        cc.check(raw.decode("gb18030") == text, f"report {r.n}: GBK and GB18030 decode the page differently")
        cc.check(f'<meta charset="{DECLARED}">' in text and "charset=\"UTF-8\"" not in text,
                 f"report {r.n}: charset declaration is not {DECLARED!r} alone")
        cc.check(set(changed_lines(template, text)) <= allowed, f"report {r.n}: template chrome changed")
        doc = lxml.html.fromstring(text)
        cc.check(doc.findtext(".//title") == r.title + TITLE_SUFFIX,
                 f"report {r.n}: <title> is not the title + {TITLE_SUFFIX!r}")
        cc.check([cc.squash(h.text_content()) for h in doc.cssselect("h3.h3class")] == [r.title],
                 f"report {r.n}: h3.h3class is not the title")
        meta = cc.meta_tags(doc)
        cc.check(meta["articletitle"] == r.title and meta["contentsource"] == r.source,
                 f"report {r.n}: articletitle or contentsource meta tag wrong")
        cc.check(meta["pubdate"] == r.published.strftime("%Y-%m-%d %H:%M"),
                 f"report {r.n}: pubdate meta tag wrong: {meta['pubdate']!r}")
        header = cc.squash(doc.cssselect("div.datetime")[0].text_content())
        cc.check(header.startswith(f"来源：{r.source} {r.published:%Y-%m-%d %H:%M:%S} 【字体"),
                 f"report {r.n}: header line wrong: {header!r}")
        cc.check(f"params.docId='{r.doc_id}';" in text and f"params.doctitle='{r.title}';" in text,
                 f"report {r.n}: the TRS monitor's docId or doctitle wrong")
        editors = doc.cssselect("div.TRS_Editor")
        cc.check(len(editors) == 1, f"report {r.n}: {len(editors)} div.TRS_Editor, expected 1")
        cc.check_body(editors[0], r.blocks, m, f"report {r.n}")
    reachable, listed = set(), set()
    for url in manifest_data["list_pages"]:
        text = pages[url].decode(ENCODING)
        cc.check(f'<meta charset="{DECLARED}">' in text, f"{url}: charset declaration is not {DECLARED!r}")
        doc = lxml.html.fromstring(text)
        cc.check(doc.findtext(".//title") == TITLE_SUFFIX[1:], f"{url}: <title> is not {TITLE_SUFFIX[1:]!r}")
        cc.check(not doc.cssselect("div.TRS_Editor") and not doc.cssselect('meta[name="articletitle"]'),
                 f"{url}: a list page has an article body or articletitle")
        reachable |= cc.links(url, doc, "ul.list a") | cc.links(url, doc, "div.page a")
        listed |= cc.links(url, doc, "ul.list a")
        for li in doc.cssselect("ul.list li"):
            a = li.find("a")
            cc.check(a.get("title") == a.text_content() and re.fullmatch(r"\d{4}-\d{2}-\d{2}", li.findtext("span")),
                     f"{url}: list item {a.text_content()!r}: title attribute or date wrong")
        # chrome after the list is the template's, byte for byte
        cc.check(text.endswith(template[template.index(LIST_END):]), f"{url}: the chrome after the list differs")
    cc.check_links(reachable, listed, in_cassette, set(manifest_data["non_reports"]), {r.url for r in reports})
    cc.check({COLUMN + "index_1.html", COLUMN + "index.html"} <= reachable,
             "the column's pages (index_1.html, index.html) are not linked")
    cc.check(pages[COLUMN] == pages[COLUMN + "index.html"], "the column root and its index.html differ")
    cc.check(re.search(r'createPageHTML\(2, 0, "index", "html"\);', pages[COLUMN].decode(ENCODING)),
             "page 1: the createPageHTML(2, 0, …) pager call is missing")
    cc.check(re.search(r'createPageHTML\(2, 1, "index", "html"\);', pages[COLUMN + "index_1.html"].decode(ENCODING)),
             "page 2: the createPageHTML(2, 1, …) pager call is missing")


def verify_gbk_only(reports: list[Report], pages: dict[str, bytes], findings: dict) -> None:
    """At least one page holds a character GBK has and GB2312 lacks: decoding it as its declared
    gb2312 fails, decoding as GBK/GB18030 works."""
    cc.check(findings["gbk_only"], "no report text holds a GBK-only character")
    for n, ch, _ in findings["gbk_only"]:
        raw = pages[reports[n - 1].url]
        cc.check(ch in raw.decode(ENCODING), f"report {n}: the GBK-only character {ch!r} does not decode as GBK")
        cc.assert_undecodable(raw, DECLARED, f"report {n}")


# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------


def main(argv=None) -> int:
    shared = cc.parse_shared(__doc__, argv)
    template = cc.read_text(shared / TEMPLATE)
    cc.check(all(in_gbk(ch) for ch in set(template)), "the template's chrome is not all GBK")
    fragments = template_article_fragments(template)
    cc.check(len(fragments) > 10, f"only {len(fragments)} fragments of the template's article to look for")

    reports = build_reports(shared)
    findings = charset_findings(reports)
    lists, non_reports = build_list_pages(reports)
    interactions, pages = build_interactions(template, reports, lists, fragments)
    data = {"version": 1, "interactions": interactions}
    manifest_data = manifest(reports, lists, non_reports)
    cassette_path = cc.write_outputs(CASSETTE_OUT, data, MANIFEST_OUT, manifest_data)

    cc.verify_cassette(cassette_path, interactions)
    verify_pages(template, reports, pages, data, manifest_data)
    verify_gbk_only(reports, pages, findings)

    cc.print_interactions(interactions, width=11)
    for n, ch, text in findings["gbk_only"]:
        print(f"GBK-only (not GB2312) U+{ord(ch):04X} {ch} in report {n}: {text[:30]!r}")
    for n, ch, text in findings["not_gbk"]:
        print(f"not in GBK, written as a character reference: U+{ord(ch):04X} in report {n}: {text[:30]!r}")
    cc.print_written(CASSETTE_OUT, cassette_path, interactions, MANIFEST_OUT, reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
