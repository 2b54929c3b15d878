"""Hanweb / 大汉 JCMS (Zhejiang, Jiangsu, Shandong …).

Columns ``/col/col<id>/index.html``; the first page embeds its items as
``<datastore><recordset><record><![CDATA[<li>…</li>]]></record>…`` (an HTML parser drops CDATA, so
the records are cut out first). Further items come from a POST to
``/module/web/jpage/dataproxy.jsp?startrecord=S&endrecord=E&perpage=P`` with the form fields the
page's ``<nextgroup>`` link carries (col, appid, webid, path, columnid, sourceContentType, unitid,
webname, permissiontype); the answer is the same datastore XML. ``totalRecord`` gives the count.
Detail pages ``/art/YYYY/M/D/art_<col>_<id>.html``; main text ``#zoom``, ``.bt-article-02``,
``td.bt_content``.
"""

from __future__ import annotations

import html as html_mod
import re
from urllib.parse import parse_qsl, urljoin, urlsplit

from archive.vocab import CONTAINERS

from .common import ListPage, PageRequest, Platform

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_TOTAL = re.compile(r"(?:totalRecord|<totalrecord>)\s*[=:]?\s*['\"]?(\d+)", re.I)
_PERPAGE = re.compile(r"perpage\s*[=:]\s*['\"]?(\d+)", re.I)
_FORM_FIELDS = ("col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname",
                "permissiontype")
PROXY = "/module/web/jpage/dataproxy.jsp"
PAGES_PER_CALL = 3  # dataproxy answers three pages of records per call


class HanwebPlatform(Platform):
    def parse_list(self, url: str, html: str, column: str) -> ListPage:
        records = _RECORD.findall(html)
        if records:
            # the records are the list: parse them as one HTML fragment
            page = super().parse_list(url, "<ul>" + "".join(records) + "</ul>", column)
            page.pages = []
            page.folders = super().parse_list(url, _RECORD.sub("", html), column).folders
        else:
            page = super().parse_list(url, html, column)
        return page

    def more_pages(self, url: str, html: str) -> list[PageRequest]:
        """The POSTs that fetch the records after those embedded in the first page."""
        total = _TOTAL.search(html)
        nextgroup = _NEXTGROUP.search(html)
        if not total or not nextgroup or urlsplit(url).path.startswith(PROXY):
            return []
        href = re.search(r"href=['\"]([^'\"]+)['\"]", nextgroup.group(1))
        if not href:
            return []
        query = dict(parse_qsl(urlsplit(html_mod.unescape(href.group(1))).query, keep_blank_values=True))
        form = {k: query[k] for k in _FORM_FIELDS if k in query}
        form.setdefault("col", "1")
        perpage_match = _PERPAGE.search(html)
        perpage = int(perpage_match.group(1)) if perpage_match else 15
        step = perpage * PAGES_PER_CALL
        start = len(_RECORD.findall(html)) + 1
        out = []
        for s in range(start, int(total.group(1)) + 1, step):
            e = min(s + step - 1, int(total.group(1)))
            out.append(PageRequest(urljoin(url, f"{PROXY}?startrecord={s}&endrecord={e}&perpage={perpage}"), form))
        return out


PLATFORM = HanwebPlatform(
    name="hanweb",
    detail_url=re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?$"),
    containers=CONTAINERS["hanweb"],
)
