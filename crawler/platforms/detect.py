"""Which CMS family serves a column, from its first page: URL shape, markup, scripts.

``detect(url, html)`` returns ``(platform name, reason)``; the reason says what was seen, so a
crawl can log why it chose a platform (and a user can override it with ``-a platform=``).

Evidence, strongest first: the page's own URL (a gkmlpt catalogue, a Hanweb column, or a detail
URL shape of one family); markers only one family writes (Hanweb's ``<datastore>`` records and
dataproxy.jsp, TRS's ``createPageHTML`` pager and ``TRS_Editor`` class, NFCMS markers); then the
shapes of the page's links, counted per family — a column lists its own detail pages, while a
navigation bar may link a few pages of other sites, so the family most links belong to wins.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

# (platform, pattern on the page URL's path, what it means)
_URL_RULES: tuple[tuple[str, re.Pattern, str], ...] = (
    ("gkmlpt", re.compile(r"/gkmlpt/"), "URL under /gkmlpt/ (Guangdong 公开目录平台)"),
    ("hanweb", re.compile(r"/col/col\d+/|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?$"),
     "URL /col/col<id>/ or /art/Y/M/D/art_<col>_<id>.html (Hanweb JCMS)"),
    ("nfcms", re.compile(r"/content/(?:\d+/)*post_\d+\.html$"), "URL …/content/post_<id>.html (NFCMS)"),
    ("trs", re.compile(r"/t\d{8}_\d+\.s?html?$"), "URL …/tYYYYMMDD_<id>.html (TRS WCM)"),
    ("hunan", re.compile(r"/\d{8}/i\d+\.html?$"), "URL …/YYYYMMDD/i<id>.html (Hunan platform)"),
)

# markup only one family writes
_MARKERS: tuple[tuple[str, re.Pattern, str], ...] = (
    ("hanweb", re.compile(r"<datastore>|/module/web/jpage/dataproxy\.jsp", re.I),
     "<datastore> records / dataproxy.jsp (Hanweb JCMS)"),
    # NFCMS writes its own variables (window.NFCMS_SITE_ID …) into every page; a TRS_Editor class
    # may come with article HTML pasted from a TRS site, so it counts after them
    ("nfcms", re.compile(r"NFCMS_[A-Z_]+\s*="), "NFCMS page variables (NFCMS_SITE_ID …)"),
    ("trs", re.compile(r"createPageHTML\s*\(|TRS_Editor"), "createPageHTML() pager or TRS_Editor (TRS WCM)"),
)

# link shapes per family, as they appear in href attributes
_LINK_SHAPES: tuple[tuple[str, re.Pattern], ...] = (
    ("hanweb", re.compile(r"/col/col\d+/|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?")),
    ("nfcms", re.compile(r"/content/(?:\d+/)*post_\d+\.html")),
    ("trs", re.compile(r"(?:^|/)\d{6}/t\d{8}_\d+\.s?html?")),
    ("hunan", re.compile(r"/\d{8}/i\d+\.html?")),
)
_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.I)


def detect(url: str, html: str) -> tuple[str, str]:
    path = urlsplit(url).path
    for platform, rx, why in _URL_RULES:
        if rx.search(path):
            return platform, why
    for platform, rx, why in _MARKERS:
        if rx.search(html):
            return platform, why
    votes: Counter = Counter()
    for href in _HREF.findall(html):
        for platform, rx in _LINK_SHAPES:
            if rx.search(href):
                votes[platform] += 1
                break
    ranked = votes.most_common(2)
    if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):  # a tie says nothing
        best = ranked[0][0]
        counted = ", ".join(f"{p} {k}" for p, k in votes.most_common())
        return best, f"most links have the {best} detail/column shape ({counted})"
    return "generic", "no known CMS markers: links whose text names an annual report"
