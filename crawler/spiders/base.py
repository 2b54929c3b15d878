"""The crawling behaviour every portal spider shares.

A portal spider is configuration: ``portal = PORTALS[...]``. It walks the portal's
annual-report column: list pages (and their pagination and sub-columns, via the portal's
platform module) and every report page they link. Each HTTP exchange becomes an item:
``{"kind": "fetch"}`` for list pages and failures, ``{"kind": "page"}`` for report pages;
``crawler.pipelines.ArchivePipeline`` stores them with ``archive``.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from urllib.parse import urlsplit, urlunsplit

import scrapy
from scrapy.exceptions import CloseSpider

from archive.blocked import classify
from archive.decode import decode_html
from archive.meta import report_year
from archive.store import sha256
from crawler.platforms import get_platform
from crawler.platforms.common import Entry, folder_of, list_url
from crawler.extensions import NETWORK_ERRORS
from crawler.portals import Portal

_FOLDER_YEAR = re.compile(r"/(?:nb|mb)?((?:19|20)\d{2})n?/$")


def parse_years(value: str | None) -> tuple[int, int] | None:
    """``2019-2024`` / ``2021`` / ``2019,2021`` → (lowest, highest)."""
    if not value:
        return None
    years = [int(y) for y in re.findall(r"(?:19|20)\d{2}", str(value))]
    if not years or not re.fullmatch(r"\s*\d{4}\s*(?:[-,~]\s*\d{4}\s*)*", str(value)):
        raise ValueError(f"years must look like 2019-2024 or 2021, not {value!r}")
    return min(years), max(years)


class PortalSpider(scrapy.Spider):
    portal: Portal  # set by each portal spider

    custom_settings: dict = {}

    def __init__(self, *args, years: str | None = None, sections: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.platform = get_platform(self.portal.platform)
        self.years = parse_years(years)
        self.sections = self.parse_sections(sections)
        self.allowed_domains = list(self.portal.hosts)
        self.reports_seen: set[str] = set()
        self._reached_hosts: set[str] = set()

    @classmethod
    def parse_sections(cls, sections: str | None) -> list[str] | None:
        if not sections:
            return None
        wanted = [s.strip() for s in sections.split(",") if s.strip()]
        unknown = [s for s in wanted if s not in cls.portal.sections]
        if unknown:
            raise ValueError(
                f"unknown section(s) {', '.join(unknown)} for {cls.portal.name}; known: {', '.join(cls.portal.sections)}"
            )
        return wanted

    @classmethod
    def check_arguments(cls, years: str | None = None, sections: str | None = None, **others) -> None:
        """Raise ValueError for arguments the spider cannot use (before anything is crawled)."""
        parse_years(years)
        cls.parse_sections(sections)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.job_id = crawler.settings.get("ARCHIVE_JOB_ID") or (
            f"{spider.name}-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{int(time.time() * 1000) % 100000:05d}"
        )
        return spider

    # --- URLs -------------------------------------------------------------------------------
    def canonical(self, url: str) -> str:
        """One URL per report: the portal's canonical scheme and host, no fragment."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if host in self.portal.hosts:
            return urlunsplit((self.portal.scheme, self.portal.canonical_host, parts.path, parts.query, ""))
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))

    def section_of(self, url: str) -> str | None:
        path = urlsplit(self.canonical(url)).path
        root = urlsplit(self.portal.column).path
        if not path.startswith(root):
            return None
        first = path[len(root):].split("/", 1)[0]
        return first if first in self.portal.sections else None

    def wanted_section(self, url: str) -> bool:
        return self.sections is None or self.section_of(url) in self.sections

    def wanted_year(self, year: int | None) -> bool:
        if self.years is None or year is None:
            return True
        return self.years[0] <= year <= self.years[1]

    # --- requests ---------------------------------------------------------------------------
    async def start(self):
        if self.sections:
            starts = [self.portal.section_url(s) for s in self.sections]
        else:
            starts = [self.portal.column]
        for url in starts:
            yield self.list_request(url, found_on=None)

    def list_request(self, url: str, found_on: str | None) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_list,
            errback=self.on_error,
            meta={"found_on": found_on, "role": "list", "handle_httpstatus_all": True},
        )

    def report_request(self, entry: Entry, found_on: str) -> scrapy.Request:
        return scrapy.Request(
            entry.url,
            callback=self.parse_report,
            errback=self.on_error,
            meta={"found_on": found_on, "role": "report", "entry": entry, "handle_httpstatus_all": True},
        )

    # --- callbacks --------------------------------------------------------------------------
    def parse_list(self, response):
        self._reached_hosts.add(urlsplit(response.url).hostname)
        fetch = self.fetch_record(response)
        verdict = classify(response.status, _str_headers(response.headers), response.body)
        if verdict:
            self.crawler.stats.inc_value(f"archive/list_{verdict.kind}")
            self.logger.warning("List page %s not usable: %s", response.url, verdict.reason)
            yield {"kind": "fetch", "fetch": {**fetch, "outcome": f"list-{verdict.kind}", "reason": verdict.reason}}
            return
        text = decode_html(response.body, response.headers.get("Content-Type")).text
        page = self.platform.parse_list(response.url, text, self.portal.column)
        self.crawler.stats.inc_value("archive/list_pages")
        yield {"kind": "fetch", "fetch": {**fetch, "outcome": "list",
                                          "reason": f"{len(page.entries)} reports, {len(page.pages)} pages, {len(page.folders)} sub-columns"}}
        for folder in page.folders:
            if not self.wanted_section(folder):
                continue
            m = _FOLDER_YEAR.search(folder)
            if m and not self.wanted_year(int(m.group(1))):
                self.crawler.stats.inc_value("archive/skipped_year_folder")
                continue
            yield self.list_request(folder, found_on=response.url)
        for url in page.pages:
            yield self.list_request(list_url(url), found_on=response.url)
        for entry in page.skipped:
            self.crawler.stats.inc_value("archive/skipped_not_report")
            self.logger.debug("Not a report (title %r): %s", entry.title, entry.url)
        for entry in page.entries:
            if not self.wanted_section(entry.url):
                continue
            if not self.wanted_year(report_year(entry.title)):
                self.crawler.stats.inc_value("archive/skipped_year")
                continue
            canonical = self.canonical(entry.url)
            if canonical in self.reports_seen:
                continue
            self.reports_seen.add(canonical)
            yield self.report_request(entry, found_on=response.url)

    def parse_report(self, response):
        self._reached_hosts.add(urlsplit(response.url).hostname)
        entry: Entry = response.meta["entry"]
        fetch = self.fetch_record(response)
        yield {
            "kind": "page",
            "fetch": fetch,
            "status": response.status,
            "headers": _str_headers(response.headers),
            "body": response.body,
            "url": response.url,
            "containers": list(self.portal.containers) + list(self.platform.containers),
            "report": {
                "url": self.canonical(response.url),
                "portal": self.portal.name,
                "section": self.section_of(response.url),
                "list_title": entry.title,
                "list_date": entry.date,
                "found_on": response.meta.get("found_on"),
            },
        }

    def on_error(self, failure):
        request = failure.request
        reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        fetch = {
            "job_id": self.job_id, "spider": self.name, "url": request.url, "method": request.method,
            "outcome": "error", "reason": reason, "found_on": request.meta.get("found_on"),
            "fetched_at": _now(),
        }
        if failure.check(*NETWORK_ERRORS):
            self.crawler.stats.inc_value("archive/unreachable")
            host = urlsplit(request.url).hostname
            if host not in self._reached_hosts and not self.crawler.stats.get_value("archive/failed"):
                self.crawler.stats.set_value("archive/failed", "host unreachable")
                self.logger.error(
                    "Host %s is unreachable (%s) after %d retries. No network here? Replay the recorded crawl "
                    "offline instead: scrapy crawl %s -s CASSETTE=cassettes/%s.yaml -s CASSETTE_RECORD_MODE=none",
                    host, failure.getErrorMessage(), self.settings.getint("RETRY_TIMES"), self.name, self.name,
                )
        else:
            self.crawler.stats.inc_value("archive/fetch_errors")
        yield {"kind": "fetch", "fetch": fetch}
        if self.crawler.stats.get_value("archive/failed") == "host unreachable":
            raise CloseSpider("host_unreachable")

    # --- provenance ---------------------------------------------------------------------------
    def fetch_record(self, response) -> dict:
        request = response.request
        chain = list(request.meta.get("redirect_urls", [])) + [response.url]
        headers = _str_headers(response.headers)
        first = lambda name: (headers.get(name) or [None])[0]  # noqa: E731
        latency = request.meta.get("download_latency")
        return {
            "job_id": self.job_id,
            "spider": self.name,
            "url": chain[0],
            "final_url": response.url,
            "redirect_chain": chain if len(chain) > 1 else None,
            "method": request.method,
            "status": response.status,
            "content_type": first("Content-Type"),
            "content_length": _int(first("Content-Length")),
            "etag": first("ETag"),
            "last_modified": first("Last-Modified"),
            "response_headers": headers,
            "bytes": len(response.body),
            "sha256": sha256(response.body),
            "fetched_at": _now(),
            "duration_ms": int(latency * 1000) if latency is not None else None,
            "found_on": request.meta.get("found_on"),
            "flags": list(response.flags),
        }


def _str_headers(headers) -> dict[str, list[str]]:
    return {k.decode("latin-1"): [v.decode("latin-1") for v in vs] for k, vs in headers.items()}


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
