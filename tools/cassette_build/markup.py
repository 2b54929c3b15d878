"""HTML: rendering a body in the CMS editor's markup, exact-count string surgery on a fixed
template (``sub_once``, ``replace_all``, ``replace_between``, ``set_meta``), list items and pager
links."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta

from .base import check
from .bodies import Block, Para, Table


PARA_CSS = "margin-bottom: 10px; line-height: 1.75em;"
FONT = '<span style="font-family: 宋体, SimSun;">{}</span>'
INDENT = "\u3000\u3000"
CELL_P = '<p style="text-align: center;"><span style="font-family: 宋体, SimSun; font-size: 14px;">{}</span></p>'


def esc(text: str) -> str:
    """Escape text for HTML element content (quotes left as they are)."""
    return html.escape(text, quote=False)


def render_para(p: Para) -> str:
    """A paragraph in the NFCMS editor's markup (宋体, indented prose and headings)."""
    text = esc(p.text)
    if p.style == "prose":
        return f'<p style="text-align: justify; {PARA_CSS}">{FONT.format(INDENT + text)}</p>'
    if p.style == "heading":
        return f'<p style="text-align: justify; {PARA_CSS}"><strong>{FONT.format(INDENT + text)}</strong></p>'
    if p.style == "title":
        return f'<p style="text-align: center; {PARA_CSS}"><strong>{FONT.format(text)}</strong></p>'
    align = {"center": "center", "right": "right", "left": "left"}[p.style]
    return f'<p style="text-align: {align}; {PARA_CSS}">{FONT.format(text)}</p>'


def render_table(t: Table) -> str:
    """A table with its spans; Word-pasted cells hold their text in a centred ``<p>``."""
    out = ['<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse: collapse;"><tbody>']
    for row in t.rows:
        out.append("<tr>")
        for c in row:
            span = f' rowspan="{c.rowspan}"' if c.rowspan > 1 else ""
            span += f' colspan="{c.colspan}"' if c.colspan > 1 else ""
            inner = esc(c.text)
            if t.word_paste and c.text:
                inner = CELL_P.format(inner)
            out.append(f'<td{span} valign="middle" style="border: 1px solid #000000; padding: 3px;">{inner}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def render_body(blocks: list[Block]) -> str:
    """The body's HTML: its paragraphs and tables, one after the other."""
    return "".join(render_para(b) if isinstance(b, Para) else render_table(b) for b in blocks)


def plain_text(blocks: list[Block]) -> str:
    """The body as the CMS's text-to-speech copy holds it (tags stripped, no separators)."""
    out = []
    for b in blocks:
        if isinstance(b, Para):
            out.append((INDENT if b.style in ("prose", "heading") else "") + b.text)
        else:
            out.append("".join(c.text for row in b.rows for c in row))
    return "".join(out)


def sub_once(pattern: str, repl: str, text: str, count: int = 1, flags=re.S) -> str:
    """re.sub that insists on finding exactly ``count`` matches (the template is fixed)."""
    new, n = re.subn(pattern, lambda _: repl, text, flags=flags)
    check(n == count, f"{pattern!r}: {n} matches, expected {count}")
    return new


def replace_all(text: str, old: str, new: str, count: int) -> str:
    """str.replace that insists on exactly ``count`` occurrences (the template is fixed)."""
    n = text.count(old)
    check(n == count, f"{old!r}: {n} occurrences, expected {count}")
    return text.replace(old, new)


def set_meta(page: str, name: str, value: str) -> str:
    """Set the content of the page's only ``<meta name=…>`` of that name."""
    new = f'<meta name="{name}" content="{html.escape(value)}"'
    return sub_once(rf'<meta name="{name}" content="[^"]*"', new, page)


def replace_between(page: str, start: str, end: str, inner: str) -> str:
    """Replace what lies between the only occurrence of ``start`` and the next ``end``."""
    n = page.count(start)
    check(n == 1, f"{start!r} occurs {n} times")
    i = page.index(start) + len(start)
    j = page.index(end, i)
    return page[:i] + inner + page[j:]


def between(page: str, start: str, end: str) -> str:
    """What lies between the only occurrence of ``start`` and the next ``end``."""
    n = page.count(start)
    check(n == 1, f"{start!r} occurs {n} times")
    i = page.index(start) + len(start)
    return page[i:page.index(end, i)]


def list_item(href: str, title: str, date: str | None = None) -> str:
    """A list entry ``<li><a href title>title</a><span>date</span></li>`` (no span without a date)."""
    span = f"<span>{date}</span>" if date else ""
    return f'<li><a href="{html.escape(href)}" title="{html.escape(title)}">{esc(title)}</a>{span}</li>'


def page_name(k: int, first: int = 0) -> str:
    """The file of list page ``k`` (0-based): ``index.html``, then ``index_<k + first>.html``
    (TRS numbers the second page 1, NFCMS 2)."""
    return "index.html" if k == 0 else f"index_{k + first}.html"


def pager_links(count: int, current: int) -> list[tuple[str, int]]:
    """The static pager links of page ``current`` of ``count`` (0-based) as (label, page):
    首页/上一页 unless it is the first page, 下一页/尾页 unless it is the last."""
    links = []
    if current > 0:
        links += [("首页", 0), ("上一页", current - 1)]
    if current < count - 1:
        links += [("下一页", current + 1), ("尾页", count - 1)]
    return links


def create_page_html(count: int, current: int) -> str:
    """The ``createPageHTML`` call with which the CMS draws its pager in a browser."""
    return f'<script type="text/javascript">createPageHTML({count}, {current}, "index", "html");</script>'


def split_listing(reports: list, notice: dict, first: int = 3) -> tuple[list[str], list[str], datetime]:
    """A column listed newest first over two pages (items by ``list_item``): the ``first``
    newest reports and the ``notice`` (a non-report: ``href``, ``title``, ``date``,
    ``published``) in date order on page 1, the other reports on page 2. Also returns the
    pages' Last-Modified, three minutes after the newest entry."""
    newest = sorted(reports, key=lambda r: r.published, reverse=True)
    listed = [(r.published, list_item(r.list_href, r.title, r.date)) for r in newest[:first]]
    listed.append((notice["published"], list_item(notice["href"], notice["title"], notice["date"])))
    page1 = [li for _, li in sorted(listed, key=lambda x: x[0], reverse=True)]
    page2 = [list_item(r.list_href, r.title, r.date) for r in newest[first:]]
    modified = max(newest[0].published, notice["published"]) + timedelta(minutes=3)
    return page1, page2, modified
