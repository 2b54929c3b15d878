"""Which CMS family serves a column, from its first page: URL shape, markup, scripts.

``detect(url, html)`` returns ``(platform name, reason)``; the reason says what was seen, so a
crawl can log why it chose a platform (and a user can override it with ``-a platform=``).
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[str, str, re.Pattern, str], ...] = (
    # (platform, where, pattern, what it means)
    ("gkmlpt", "url", re.compile(r"/gkmlpt/"), "URL under /gkmlpt/ (Guangdong 公开目录平台)"),
    ("hanweb", "url", re.compile(r"/col/col\d+/"), "URL /col/col<id>/ (Hanweb JCMS column)"),
    ("hanweb", "html", re.compile(r"<datastore>|/module/web/jpage/dataproxy\.jsp", re.I),
     "<datastore> records / dataproxy.jsp (Hanweb JCMS)"),
    ("nfcms", "html", re.compile(r"NFCMS|/content/post_\d+\.html"), "content/post_<id>.html links or NFCMS markers"),
    ("trs", "html", re.compile(r"createPageHTML\s*\(|TRS_Editor|['\"]\.?/?\d{6}/t\d{8}_\d+\.s?html?['\"]"),
     "createPageHTML() pager or ./YYYYMM/tYYYYMMDD_<id>.html links (TRS WCM)"),
    ("hunan", "html", re.compile(r"/\d{8}/i\d+\.html?['\"]"), "…/YYYYMMDD/i<id>.html links (Hunan platform)"),
)


def detect(url: str, html: str) -> tuple[str, str]:
    for platform, where, rx, why in _RULES:
        if rx.search(url if where == "url" else html):
            return platform, why
    return "generic", "no known CMS markers: links whose text names an annual report"
