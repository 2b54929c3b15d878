"""Finding a portal's annual-report column the way a person would: what a link's words and URL
promise, what a fetched page shows, and when a page is the column.

A person on a government homepage follows 政务公开 → 政府信息公开 → 政府信息公开年报 (or the site map,
网站地图, or the 公开目录), and knows the column when they see it: a page named for the reports that
lists them, year after year. Here:

* ``link_promise(text, url)`` — how much a link promises, and as what: ``column`` (its words name the
  annual-report column: 政府信息公开年报, 信息公开年度报告, 政务公开年报, 工作年报, 年度报告 …), ``hub``
  (a page on the way: 政府信息公开, 政务公开, 信息公开, 公开目录, 网站地图, 法定主动公开内容 …), or
  nothing. A link text with a year in it is an entry (one report, or a news item), not a column; 工作报告
  (政府工作报告, 年度工作报告), 统计, 决算, 解读 … are other things.
* ``examine(url, html)`` — a fetched page: its platform (``crawler.platforms.detect``) and report
  entries (the platform's list parser, and the generic one), its own name, whether it is an article,
  its links, sub-columns, a 公开目录 (gkmlpt) catalogue's categories, a meta-refresh target.
* ``judge(page, named)`` — is the page the column? Confirmed when it lists information-disclosure
  report entries (titles naming 信息公开/政务公开 and a report, with a year) and either is named as the
  column (by the link followed or its own title) or its entries are mostly such reports; never an
  article page. The score (0–100) weighs the name, the number of entries and their share.

Pure functions of text: the ``discover`` spider (``crawler/spiders/discover.py``) fetches, this decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

from parsel import Selector

from archive.meta import is_report_title, meta_tags, report_year
from archive.vocab import FILE_PATH
from crawler.platforms import get_platform
from crawler.platforms.common import Entry, folder_of, list_url
from crawler.platforms.detect import detect

# --- words ---------------------------------------------------------------------------------------
# a link (or page) named for the annual-report column; the score says how plainly
COLUMN_NAMES: tuple[tuple[re.Pattern, int], ...] = tuple((re.compile(p), s) for p, s in (
    (r"政府信息公开(工作)?(年度报告|年报)", 100),
    (r"政府信息公開(工作)?(年度報告|年報)", 100),
    (r"(信息公开|政务公开|政务信息公开|信息公開|政務公開)(工作)?(年度报告|年报|年度報告|年報)", 95),
    (r"公开(工作)?年报|工作年报|公开年度报告", 90),
    (r"^(年度报告|年报|年度報告|年報)(专栏|栏目)?$", 80),
    (r"(年度报告|年报)$", 70),
))
# words that make a name something else: a work report, statistics, budgets, an interpretation …
NOT_THE_COLUMN = re.compile(r"工作报告|工作報告|统计|統計|决算|預算|预算|审计|財務|财务|解读|解讀|图解|年鉴|公报|"
                            r"申请|指南|制度|发展报告|白皮书|社会责任|质量报告|信用")
# pages on the way there, by their link's words
HUB_NAMES: tuple[tuple[re.Pattern, int], ...] = tuple((re.compile(p), s) for p, s in (
    (r"^政府信息公开(专栏|平台|专题)?$|^政府信息公開$", 220),
    (r"^(政务公开|信息公开|政務公開|信息公開)(专栏|平台)?$", 190),
    (r"政府信息公开目录|信息公开目录|公开目录|政务公开目录", 180),
    (r"^(网站地图|站点地图|网站导航|網站地圖)$", 170),
    (r"法定主动公开内容|主动公开", 130),
    (r"^公开$|^政务$|^信息公开专栏$", 140),
    (r"政府信息公开|政务公开|信息公开", 110),
))
# URL paths that name the column (zfxxgknb, xxgkndbg, ndbg …) or a hub (zwgk, xxgk, wzdt, sitemap …)
COLUMN_PATH = re.compile(r"/(zfxxgk)?(xxgk|gk|zwgk)?(nb|ndbg|gzndbg|ndgzbg)(/|\.s?html?$|_|$)", re.I)
HUB_PATH = re.compile(r"/(zwgk|xxgk|zfxxgk|gkml|zfxxgkml|xxgkml|zwgkzl|wzdt|sitemap|map|wzdh)"
                      r"(/|/index\.s?html?|\.s?html?)?$", re.I)
_YEAR = re.compile(r"(?:19|20)\d{2}")
# a report entry is an information-disclosure report: these words with 报告/年报, and a year
_DISCLOSURE = re.compile(r"信息公开|政务公开|政府信息|信息公開|政務公開|政府信息公開")
_REPORT = re.compile(r"报告|年报|報告|年報")
_NOT_A_REPORT = re.compile(r"解读|解讀|图解|圖解|通知|会议|會議|召开|培训|新闻|发布会|答记者问|工作要点|要点|实施方案|"
                           r"考核|评估|检查|督查|部署|学习|调研")
_SEPARATORS = re.compile(r"\s*[-_|－—]+\s*")
_REFRESH = re.compile(r"""<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["']?\s*\d+\s*;\s*url\s*=\s*['"]?([^"'>\s]+)""",
                      re.I)
_JS_LOCATION = re.compile(r"""(?:window\.|document\.|top\.)?location(?:\.href)?\s*=\s*["']([^"']+)["']""", re.I)
_GKMLPT_SID = re.compile(r"""["']?SID["']?\s*[:=]\s*['"]?(\d+)""")
# a category of the catalogue's TREE: {id: 2801, name: '政府信息公开年报'} (either order, JSON or JS quoting)
_TREE_NODE = re.compile(r"""["']?id["']?\s*:\s*["']?(\d+)["']?\s*,[^{}\[\]]*?["']?name["']?\s*:\s*["']([^"']+)["']|"""
                        r"""["']?name["']?\s*:\s*["']([^"']+)["']\s*,[^{}\[\]]*?["']?id["']?\s*:\s*["']?(\d+)""")


def squash(text: str | None) -> str:
    return re.sub(r"[\s\u3000\xa0]+", "", text or "")


def column_name_score(text: str | None) -> int:
    """0–100: how plainly ``text`` names the annual-report column; 0 for anything with a year in it
    (that is an entry), for other kinds of report, and for long texts (titles, sentences)."""
    t = squash(text)
    if not t or len(t) > 24 or _YEAR.search(t) or NOT_THE_COLUMN.search(t):
        return 0
    return max((score for rx, score in COLUMN_NAMES if rx.search(t)), default=0)


def hub_score(text: str | None, url: str = "") -> int:
    """How much a link promises a page on the way to the column (政府信息公开, 网站地图 …)."""
    t = squash(text)
    by_words = 0
    if t and len(t) <= 16 and not _YEAR.search(t):
        by_words = max((score for rx, score in HUB_NAMES if rx.search(t)), default=0)
        if by_words and re.search(r"申请|指南|制度|依申请", t):
            by_words = 30  # pages about the procedure, beside the column at best
    by_url = 100 if url and HUB_PATH.search(urlsplit(url).path) else 0
    return max(by_words, by_url)


@dataclass(frozen=True)
class Promise:
    kind: str  # "column", "hub", "catalogue" (a gkmlpt /gkmlpt/index), or "" (nothing)
    score: int  # column: 0–100 by the name (URL-only: 60); hub: 30–220
    name: str  # the link's words


def link_promise(text: str | None, url: str, title: str | None = None) -> Promise:
    """What following a link promises, by its words (text or title attribute) and its URL."""
    name = squash(text) or squash(title)
    if _YEAR.search(name) or len(name) > 24:
        return Promise("", 0, name)  # an entry (a report, a news item), not a way to the column
    named = max(column_name_score(text), column_name_score(title))
    path = urlsplit(url).path
    if named:
        return Promise("column", named, name)
    if "/gkmlpt/" in path and re.search(r"/gkmlpt/(index|policy)?$", path):
        return Promise("catalogue", 180, name)
    if COLUMN_PATH.search(path) and not _YEAR.search(name) and not NOT_THE_COLUMN.search(name) and len(name) <= 24:
        return Promise("column", 60, name)
    hub = max(hub_score(text, url), hub_score(title))
    if hub:
        return Promise("hub", hub, name)
    return Promise("", 0, name)


_PAGER_WORDS = re.compile(r"^(\d+|下一页|下页|上一页|上页|首页|尾页|末页|next|prev|last|first|>>?|<<?|»|«)$", re.I)


def is_pager_link(page_url: str, url: str, text: str | None) -> bool:
    """A link to another page of the same list (…/index_2.html, a page number, 下一页): the list,
    not a new column."""
    if folder_of(url) != folder_of(page_url):
        return False
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return bool(re.fullmatch(r"index(_\d+)?\.\w+", name) and name != urlsplit(page_url).path.rsplit("/", 1)[-1]
                or _PAGER_WORDS.match(squash(text)))


def is_disclosure_report(title: str | None) -> bool:
    """An entry of the column: an information-disclosure report of a year (not news about one)."""
    t = squash(title)
    return bool(t and _YEAR.search(t) and _DISCLOSURE.search(t) and _REPORT.search(t)
                and is_report_title(t) and not _NOT_A_REPORT.search(t))


def is_plain_report(title: str | None) -> bool:
    """A report-titled entry of a year without the disclosure words (「2023年度报告」): counted
    only on a page named as the column."""
    t = squash(title)
    return bool(t and _YEAR.search(t) and is_report_title(t) and not _NOT_A_REPORT.search(t)
                and not NOT_THE_COLUMN.search(t) and not is_disclosure_report(t))


# --- a fetched page ------------------------------------------------------------------------------
@dataclass
class Link:
    url: str
    text: str
    title: str = ""


@dataclass
class Page:
    url: str
    platform: str
    platform_why: str
    name: str  # ColumnName, else the title's first part
    is_article: bool
    why_article: str
    reports: list[Entry] = field(default_factory=list)  # information-disclosure report entries
    plain: list[Entry] = field(default_factory=list)  # report-titled entries without those words
    listed: int = 0  # article-like links of the page (entries of any kind)
    links: list[Link] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)  # sub-columns below the page's folder
    site: dict = field(default_factory=dict)  # SiteName, SiteIDCode, SiteDomain, title
    catalogue: tuple[str, list[tuple[str, str]]] | None = None  # gkmlpt: (SID, [(category id, name)])
    refresh: str | None = None  # a meta refresh / script redirect target

    @property
    def years(self) -> list[int]:
        return sorted({y for e in self.reports + self.plain if (y := report_year(e.title))})


def same_site(url: str, host: str) -> bool:
    """Is ``url`` on the site of ``host`` (host[:port]; www.X and X are one site; http and https)?"""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    return _site_key(parts.netloc) == _site_key(host)


def _site_key(netloc: str) -> str:
    netloc = netloc.rsplit("@", 1)[-1].lower()
    host, _, port = netloc.partition(":")
    if port in ("80", "443"):
        port = ""
    host = host[4:] if host.startswith("www.") else host
    return f"{host}:{port}" if port else host


def _page_name(meta: dict, sel: Selector) -> str:
    if meta.get("ColumnName"):
        return squash(meta["ColumnName"])
    title = " ".join(sel.xpath("//title//text()").getall())
    parts = [p for p in _SEPARATORS.split(title.strip()) if p]
    return squash(parts[0]) if parts else ""


def examine(url: str, html: str) -> Page:
    sel = Selector(text=html)
    meta = meta_tags_of(sel)
    name = _page_name(meta, sel)
    detected, why = detect(url, html)
    platform = get_platform(detected)
    title_text = squash(" ".join(sel.xpath("//title//text()").getall()))
    if meta.get("ArticleTitle"):
        is_article, why_article = True, "it has an ArticleTitle meta tag"
    elif detected != "generic" and platform.is_detail(url):
        is_article, why_article = True, f"its URL has the {detected} detail-page shape"
    elif title_text and (is_disclosure_report(_SEPARATORS.split(title_text)[0]) or
                         is_plain_report(_SEPARATORS.split(title_text)[0])):
        is_article, why_article = True, "its title names one report"
    else:
        is_article, why_article = False, ""
    page = Page(url=url, platform=detected, platform_why=why, name=name, is_article=is_article,
                why_article=why_article)
    host = urlsplit(url).netloc
    column = folder_of(url)
    entries: dict[str, Entry] = {}
    for candidate in (detected, "generic") if detected != "generic" else ("generic",):
        try:
            listed = get_platform(candidate).parse_list(url, html, column)
        except ValueError:
            continue
        for e in listed.entries:
            if same_site(e.url, host):
                entries.setdefault(e.url, e)
        if candidate == detected:
            page.folders = [f for f in listed.folders if same_site(f, host)]
    page.reports = [e for e in entries.values() if is_disclosure_report(e.title)]
    page.plain = [e for e in entries.values() if is_plain_report(e.title)]
    seen: set[str] = set()
    articles = 0
    for a in sel.xpath("//a[@href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:", "tel:")):
            continue
        target = urljoin(url, href).split("#")[0]
        text = squash("".join(a.xpath(".//text()").getall()))
        if target in seen:
            continue
        seen.add(target)
        if same_site(target, host) and (len(text) >= 8 or is_report_title(text)):
            articles += 1  # an article-like link: a list entry of some kind
        if same_site(target, host) and not FILE_PATH.search(urlsplit(target).path):
            page.links.append(Link(target, text, squash(a.attrib.get("title"))))
    page.listed = max(articles, len(page.reports) + len(page.plain))
    page.site = {k: meta[k] for k in ("SiteName", "SiteIDCode", "SiteDomain") if meta.get(k)}
    if title_text:
        page.site["title"] = title_text
    page.catalogue = gkmlpt_catalogue(html)
    m = _REFRESH.search(html)
    target = m.group(1) if m else None
    if target is None and len(squash(sel.xpath("string(//body)").get())) < 200:
        js = _JS_LOCATION.search(html)  # a near-empty page that sends the browser elsewhere
        target = js.group(1) if js else None
    if target:
        page.refresh = urljoin(url, target)
    return page


def meta_tags_of(sel: Selector) -> dict[str, str]:
    """The page's standard meta tags (``archive.meta.meta_tags`` on the parsed tree)."""
    return meta_tags(sel.root) if hasattr(sel.root, "iter") else {}


def gkmlpt_catalogue(html: str) -> tuple[str, list[tuple[str, str]]] | None:
    """A 公开目录 (gkmlpt) index page's SID and its categories (id, name), from ``window._CONFIG``.
    The TREE's exact layout is not verified on a live site: any ``{id: …, name: …}`` pair in the
    config counts, nested or not."""
    start = html.find("_CONFIG")
    if start < 0:
        return None
    script = html[start:start + 500_000]
    sid = _GKMLPT_SID.search(script)
    if not sid:
        return None
    tree = script[script.find("TREE"):] if "TREE" in script else ""
    nodes = []
    for m in _TREE_NODE.finditer(tree):
        cid, name = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        nodes.append((cid, name))
    return sid.group(1), list(dict.fromkeys(nodes))


def catalogue_api(index_url: str, sid: str, category: str) -> str:
    parts = urlsplit(index_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/gkmlpt/api/all/{category}", f"page=1&sid={sid}", ""))


def catalogue_column(index_url: str, category: str) -> str:
    parts = urlsplit(index_url)
    return urlunsplit((parts.scheme, parts.netloc, "/gkmlpt/index", "", category))


def examine_listing(url: str, body: str) -> Page:
    """A gkmlpt JSON listing (``/gkmlpt/api/all/<category>``): its articles as entries."""
    listed = get_platform("gkmlpt").parse_list(url, body, url)
    entries = listed.entries + listed.skipped
    page = Page(url=url, platform="gkmlpt", platform_why="the 公开目录 (gkmlpt) JSON listing", name="",
                is_article=False, why_article="")
    page.reports = [e for e in entries if is_disclosure_report(e.title)]
    page.plain = [e for e in entries if is_plain_report(e.title)]
    page.listed = len(entries)
    return page


# --- the verdict ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    confirmed: bool
    score: float
    why: str


def judge(reports: int, plain: int, listed: int, named: int, is_article: bool = False,
          why_article: str = "") -> Verdict:
    """Is a page (with what its sub-columns showed) the annual-report column?

    ``reports``: information-disclosure report entries; ``plain``: other report-titled entries of a
    year; ``listed``: every article-like entry of the page(s); ``named``: how plainly the link
    followed or the page's own name names the column (``column_name_score``, 0 if not)."""
    if is_article:
        return Verdict(False, 0.0, f"an article, not a list ({why_article})")
    share = (reports + plain) / listed if listed else 0.0
    counted = reports + (plain if named >= 70 else 0) * 0.5
    score = round(40 * named / 100 + 4 * min(counted, 10) + 20 * min(share, 1.0), 1)
    if reports >= 2 and (named >= 70 or share >= 0.5):
        confirmed = True
    elif reports >= 1 and named >= 70 and share >= 0.3:
        confirmed = True
    elif named >= 70 and reports + plain >= 2 and share >= 0.5:
        confirmed = True
    else:
        confirmed = False
    name = f"named as the column ({named})" if named else "not named as the column"
    why = (f"{reports} information-disclosure report entries, {plain} other report-titled, "
           f"{reports + plain} of {listed} entries; {name}")
    if not confirmed:
        if reports + plain == 0:
            why += "; no report entry in the page's HTML (an empty column, or a list loaded by script?)"
        elif reports < 2 and named < 70:
            why += "; too few reports for a page not named as the column"
        else:
            why += "; the reports are a small part of what the page lists"
    return Verdict(confirmed, score, why)


def column_url(url: str) -> str:
    """The URL a column is recorded under: the list page as one URL per page (``index.html`` is
    its folder)."""
    return list_url(url)
