"""Fallback for columns on software we do not know: any link whose text names an annual report
(年度报告, 年报 …) is a report, whatever its URL; pagination by the pager's links."""

import re

from .common import Entry, Platform, _row_date, _squash
from archive.meta import is_report_title
from urllib.parse import urljoin, urlsplit


class GenericPlatform(Platform):
    def entries(self, url, sel):
        found: dict[str, Entry] = {}
        host = urlsplit(url).hostname
        for a in sel.xpath("//a[@href]"):
            href = a.attrib.get("href", "").strip()
            if not href or href.startswith(("javascript:", "#", "mailto:")):
                continue
            target = urljoin(url, href).split("#")[0]
            if urlsplit(target).hostname != host:
                continue
            title = _squash(a.attrib.get("title") or "".join(a.xpath(".//text()").getall()))
            if is_report_title(title):
                found.setdefault(target, Entry(target, title, _row_date(a)))
        return list(found.values()), []


PLATFORM = GenericPlatform(name="generic", detail_url=re.compile(r"(?!)"))
