"""List-page parsing shared by all platforms.

Detail links are recognised by URL shape (the platform's ``detail_url`` pattern) and by the
words of their title (年度报告/年报…), never by one CSS class, so that a template change does
not silently empty a crawl. Pagination is read from the pager's links (下一页, 尾页, page
numbers) and from page-count scripts (``createPageHTML(total, current, "index", "html")``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

from parsel import Selector

from archive.meta import is_report_title, parse_date
from archive.vocab import FILE_PATH

_CREATE_PAGE = re.compile(r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]")
_PAGER_WORDS = ("下一页", "下页", "尾页", "末页", "上一页", "首页", "next", "last")


@dataclass(frozen=True)
class Entry:
    url: str
    title: str
    date: str | None = None


@dataclass
class ListPage:
    entries: list[Entry] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # other pages of this list
    folders: list[str] = field(default_factory=list)  # sub-columns below this list
    skipped: list[Entry] = field(default_factory=list)  # detail-shaped links that are not reports


def folder_of(url: str) -> str:
    """``…/gq/index_2.html`` → ``…/gq/``; ``…/gq/`` → itself."""
    parts = urlsplit(url)
    path = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


@lru_cache(maxsize=1 << 16)
def list_url(url: str) -> str:
    """One URL per list page: ``…/index.html`` is the folder itself. (Remembered: every page of a
    numbered list names all the others, N² calls for a column of N pages.)"""
    parts = urlsplit(url)
    if re.search(r"/index\.s?html?$", parts.path):
        return folder_of(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


@dataclass(frozen=True)
class PageRequest:
    """A further list page fetched by POSTing ``form`` (Hanweb's dataproxy.jsp)."""
    url: str
    form: dict


@dataclass(frozen=True)
class Platform:
    name: str
    detail_url: re.Pattern  # URL shape of a detail (article) page
    containers: tuple[str, ...] = ()
    # page k (1-based, k ≥ 2) of a list → file name; TRS: index_{k-1}, NFCMS: index_{k}
    page_name: str = "{name}_{k}.{ext}"
    page_offset: int = 0  # k + offset goes into page_name

    def is_detail(self, url: str) -> bool:
        return bool(self.detail_url.search(urlsplit(url).path))

    def page_number(self, url: str) -> int:
        """1 for the folder / index.html, k for the k-th page of the list."""
        name = urlsplit(url).path.rsplit("/", 1)[-1]
        m = re.fullmatch(r"[\w-]+?_(\d+)\.\w+", name)
        return int(m.group(1)) - self.page_offset if m else 1

    def paged_url(self, folder: str, k: int, name: str = "index", ext: str = "html") -> str:
        if k <= 1:
            return folder
        return folder + self.page_name.format(name=name, k=k + self.page_offset, ext=ext)

    # --- list pages -----------------------------------------------------------------------
    def parse_list(self, url: str, html: str, column: str) -> ListPage:
        sel = Selector(text=html)
        page = ListPage()
        page.entries, page.skipped = self.entries(url, sel)
        page.pages = self.pagination(url, sel)
        page.folders = self.folders(url, sel, column)
        return page

    def entries(self, url: str, sel: Selector) -> tuple[list[Entry], list[Entry]]:
        found: dict[str, Entry] = {}
        skipped: dict[str, Entry] = {}
        for a, target, title in links(url, sel):
            if not (self.is_detail(target) or FILE_PATH.search(urlsplit(target).path)):
                continue
            entry = Entry(target, title, _row_date(a))
            if is_report_title(title):
                found.setdefault(target, entry)
            else:
                skipped.setdefault(target, entry)
        return list(found.values()), [e for u, e in skipped.items() if u not in found]

    def pagination(self, url: str, sel: Selector) -> list[str]:
        folder = folder_of(url)
        pages: list[str] = []
        for a in sel.xpath("//a[@href]"):
            href = a.attrib.get("href", "").strip()
            text = _squash(_text(a))
            target = urljoin(url, href)
            if folder_of(target) != folder or self.is_detail(target):
                continue
            name = urlsplit(target).path.rsplit("/", 1)[-1]
            if re.fullmatch(r"index(_\d+)?\.s?html?", name) and (text.isdigit() or any(w in text.lower() for w in _PAGER_WORDS)):
                pages.append(list_url(target))
        for script in sel.xpath("//script/text()").getall():
            m = _CREATE_PAGE.search(script)
            if m:
                total, name, ext = int(m.group(1)), m.group(3), m.group(4)
                pages.extend(self.paged_url(folder, k, name, ext) for k in range(1, min(total, 10000) + 1))
        own = list_url(url)
        return [p for p in dict.fromkeys(pages) if p != own]

    def folders(self, url: str, sel: Selector, column: str) -> list[str]:
        """Sub-columns: folder links inside the column, below the current list's folder."""
        here = folder_of(url)
        out: list[str] = []
        for href in sel.xpath("//a/@href").getall():
            target = urljoin(url, href.strip())
            if self.is_detail(target) or FILE_PATH.search(urlsplit(target).path):
                continue
            target_folder = folder_of(target)
            if not target_folder.startswith(column) or target_folder == here or not target_folder.startswith(here):
                continue
            if list_url(target) != target_folder:  # only folder or folder/index.html links
                continue
            out.append(target_folder)
        return list(dict.fromkeys(out))


def links(url: str, sel: Selector):
    """``(anchor, absolute URL without fragment, title)`` of every followable link of a page;
    the title is the link's ``title`` attribute, else its text."""
    for a in sel.xpath("//a[@href]"):
        href = a.attrib.get("href", "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        title = _squash(a.attrib.get("title") or _text(a))
        yield a, urljoin(url, href).split("#")[0], title


def _squash(s: str) -> str:
    return re.sub(r"[\s\u3000\xa0]+", " ", s or "").strip()


def _text(a) -> str:
    """A link's text (its ``.//text()``), read from its lxml element: an XPath query and a
    Selector per text node were a third of a list page's parsing."""
    return "".join(a.root.itertext())


_ROW_TAGS = frozenset(("li", "tr", "dd", "dl", "div"))


def _row_date(a) -> str | None:
    """The date printed next to a list link (in its nearest <li>, <tr>, <dd>, <dl> or <div>), if any."""
    for ancestor in a.root.iterancestors():
        if ancestor.tag in _ROW_TAGS:
            return parse_date(" ".join(ancestor.itertext()))
    return None
