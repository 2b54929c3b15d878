"""Fallback for columns on software we do not know: any link whose text names an annual report
(年度报告, 年报 …) is a report, whatever its URL; pagination by the pager's links."""

import re

from urllib.parse import urlsplit

from archive.meta import is_report_title

from .common import Entry, Platform, _row_date, links


class GenericPlatform(Platform):
    def entries(self, url, sel):
        found: dict[str, Entry] = {}
        host = urlsplit(url).hostname
        for a, target, title in links(url, sel):
            if urlsplit(target).hostname != host:
                continue
            if is_report_title(title):
                found.setdefault(target, Entry(target, title, _row_date(a)))
        return list(found.values()), []


PLATFORM = GenericPlatform(name="generic", detail_url=re.compile(r"(?!)"))
