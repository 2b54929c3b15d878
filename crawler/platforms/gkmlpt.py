"""Guangdong 政府信息公开目录平台 (gkmlpt): gz.gov.cn (SID 200001), rsj.gz.gov.cn, panyu.gov.cn.

``/gkmlpt/index`` holds ``window._CONFIG = {SID: …, TREE: […]}``; a category lists through the JSON
API ``/gkmlpt/api/all/<category>?page=N&sid=<SID>`` → ``classify.post_count`` and ``articles[]``
(id, title, date, url, attachments …). Detail pages ``/gkmlpt/content/<id//1e6>/<id//1e3>/post_<id>.html``,
their text in ``_CONFIG.DETAIL.content`` (read by ``archive.embedded``). The category id of each
site's annual-report section is not known from here: a column URL must name it
(``/gkmlpt/index#<category>`` or the API URL); the column spider passes it on as ``category``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from archive.meta import is_report_title, parse_date
from archive.registry import gkmlpt_category
from archive.vocab import CONTAINERS

from .common import Entry, ListPage, Platform

_SID = re.compile(r"SID\s*[:=]\s*['\"]?(\d+)")


@dataclass(frozen=True)
class GkmlptPlatform(Platform):
    category: str | None = None  # the 公开目录 category this crawl lists

    def parse_list(self, url: str, html: str, column: str) -> ListPage:
        try:
            data = json.loads(html)
        except ValueError:
            # the /gkmlpt/index page: its SID and the category give the JSON listing
            api = api_url(url, html, self.category) if self.category else None
            return ListPage(folders=[api] if api else [])
        page = ListPage()
        for art in data.get("articles") or []:
            title, link = art.get("title") or "", art.get("url") or ""
            date = art.get("date")
            if isinstance(date, (int, float)):  # epoch seconds in some versions
                date = datetime.fromtimestamp(date, timezone.utc).date().isoformat()
            entry = Entry(link, title, parse_date(str(date)) if date else None)
            (page.entries if is_report_title(title) else page.skipped).append(entry)
        count = int(((data.get("classify") or {}).get("post_count")) or 0)
        per_page = max(len(data.get("articles") or []), 1)
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        current = int(query.get("page", 1))
        if current == 1:
            for k in range(2, -(-count // per_page) + 1):
                page.pages.append(urlunsplit(parts._replace(query=urlencode({**query, "page": k}))))
        return page

    def page_number(self, url: str) -> int:
        return int(dict(parse_qsl(urlsplit(url).query)).get("page", 1))


# The category a gkmlpt URL names: ``/gkmlpt/index#2801`` or ``/gkmlpt/api/all/2801?…`` (the
# registry checks its rows with the same rule).
category_of = gkmlpt_category


def api_url(index_url: str, index_html: str, category: str | int) -> str | None:
    """The JSON listing of ``category`` on the site whose /gkmlpt/index page is given."""
    m = _SID.search(index_html)
    if not m:
        return None
    parts = urlsplit(index_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/gkmlpt/api/all/{category}", urlencode({"page": 1, "sid": m.group(1)}), ""))


PLATFORM = GkmlptPlatform(
    name="gkmlpt",
    detail_url=re.compile(r"/gkmlpt/content/\d+/\d+/post_\d+\.html$"),
    containers=CONTAINERS["gkmlpt"],
)
