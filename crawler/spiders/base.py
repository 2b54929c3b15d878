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

from archive.blocked import Verdict, classify
from archive.decode import DecodeError, decode_html
from archive.ingest import examine, is_file_response
from archive.meta import parse_years, report_year
from archive.store import Archive, default_path, sha256
from crawler.platforms import get_platform
from crawler.platforms.common import Entry, list_url
from crawler.extensions import NETWORK_ERRORS
from crawler.portals import Portal

# Statuses the callbacks see (to record them and their reason); redirects are still followed.
SEE_STATUSES = [304] + list(range(400, 600))
# a year folder anywhere below the column: 2019n/, nb2020/, mb2021/, 2022/, 2023nd/ (年度)
_FOLDER_YEAR = re.compile(r"/(?:nb|mb)?((?:19|20)\d{2})(?:nd|n)?/")


class PortalSpider(scrapy.Spider):
    portal: Portal  # set by each portal spider

    custom_settings: dict = {}

    def __init__(self, *args, years: str | None = None, sections: str | None = None,
                 full: str | None = None, revalidate: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.full = _flag(full)
        self.revalidate = _flag(revalidate)
        self.platform = get_platform(self.portal.platform)
        self.years = parse_years(years)
        self.sections = self.parse_sections(sections)
        self.allowed_domains = [h.split(":")[0] for h in self.portal.hosts]
        self.reports_seen: set[str] = set()
        self.fresh: set[str] = set()  # reports found new or changed on a list in this crawl
        self.listed = 0  # report entries seen on list pages (0 at the end: the column is empty or broken)
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
        for name in ("full", "revalidate"):
            value = others.get(name)
            if value is not None and str(value).strip().lower() not in ("0", "1", "true", "false", "yes", "no", "on", "off", ""):
                raise ValueError(f"{name} takes 1 or 0, not {value!r}")

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
        if parts.netloc.lower() in self.portal.hosts or (parts.hostname or "") in self.portal.hosts:
            return urlunsplit((self.portal.scheme, self.portal.canonical_host, parts.path, parts.query, ""))
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))

    def section_of(self, url: str) -> str | None:
        path = urlsplit(self.canonical(url)).path
        root = urlsplit(self.portal.column).path
        if not path.startswith(root):
            return None
        first = path[len(root):].split("/", 1)[0]
        return first if first in self.portal.sections else self.portal.default_section

    def wanted_section(self, url: str) -> bool:
        return self.sections is None or self.section_of(url) in self.sections

    def wanted_year(self, year: int | None) -> bool:
        if self.years is None or year is None:
            return True
        return self.years[0] <= year <= self.years[1]

    # --- requests ---------------------------------------------------------------------------
    async def start(self):
        self.archive = Archive(self.settings.get("ARCHIVE_DB") or default_path())
        # Early stop is safe only if the previous crawl walked to its end; after a crash or
        # kill (no finish reason), walk every list page again and fetch what is missing.
        previous_complete = self.archive.last_crawl_complete(self.name, exclude_job=self.job_id)
        self.full_walk = self.full or not previous_complete
        # "gone" can only be told after seeing every list page of every section (no year filter)
        # A JOBDIR resume skips pages the earlier run fetched, so it cannot tell either.
        self.walk_complete = self.full_walk and self.years is None and not self.settings.get("JOBDIR")
        self.logger.info(
            "%s walk%s%s", "Full" if self.full_walk else "Incremental",
            "" if previous_complete else " (previous crawl did not finish)",
            ", revalidating every report" if self.revalidate else "",
        )
        # Always from the column root, with or without a section filter: sections hold year
        # folders whose names cannot be built (2019n/, mb2021/, 2023nd/…), only found on the
        # column's pages; the filter then keeps the wanted sections' sub-columns and reports.
        yield self.list_request(self.portal.column, found_on=None)
        for request in self.revalidation_requests():
            yield request

    def revalidation_requests(self):
        """Known reports due for a conditional GET (``-a revalidate=1``: all of them), wherever
        they sit in the lists: an early-stopped walk never reaches old pages."""
        days = 0 if self.revalidate else self.settings.getfloat("ARCHIVE_REVALIDATE_DAYS", 0)
        if not self.revalidate and not days:
            return
        for state in self.archive.states_to_revalidate(self.name, days):
            if not self.wanted_section(state["url"]):
                continue
            self.reports_seen.add(state["url"])
            self.crawler.stats.inc_value("archive/revalidated")
            entry = Entry(state["url"], state.get("list_title") or "", state.get("list_date"))
            yield self.report_request(entry, state.get("found_on"), state)

    def _conditional(self, state: dict | None) -> dict:
        headers = {"Cache-Control": "max-age=0"}
        if state and state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state and state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        return headers

    def list_request(self, url: str, found_on: str | None) -> scrapy.Request:
        state = self.archive.state(url)
        return scrapy.Request(
            url,
            callback=self.parse_list,
            errback=self.on_error,
            headers=self._conditional(state),
            meta={"found_on": found_on, "role": "list", "state": state, "handle_httpstatus_list": SEE_STATUSES},
        )

    def report_request(self, entry: Entry, found_on: str, state: dict | None) -> scrapy.Request:
        return scrapy.Request(
            entry.url,
            callback=self.parse_report,
            errback=self.on_error,
            headers=self._conditional(state),
            meta={"found_on": found_on, "role": "report", "entry": entry, "state": state,
                  "handle_httpstatus_list": SEE_STATUSES},
        )

    def _list_state(self, response, fetch: dict, links: dict) -> dict:
        return {"url": list_url(response.url), "kind": "list", "spider": self.name,
                "etag": fetch.get("etag"), "last_modified": fetch.get("last_modified"),
                "sha256": fetch.get("sha256"), "last_status": response.status, "links": links}

    # --- callbacks --------------------------------------------------------------------------
    def parse_list(self, response, text: str | None = None):
        """A list page; ``text``: its body already decoded (the column spider decodes the first
        page to detect the platform)."""
        self._reached_hosts.add(urlsplit(response.url).hostname)
        fetch = self.fetch_record(response)
        state = response.meta.get("state")
        if response.status == 304 and state and state.get("links"):
            yield from self._unchanged_list(response, fetch, state)
            return
        verdict = classify(response.status, _str_headers(response.headers), response.body)
        if verdict is None and text is None:
            try:
                text = decode_html(response.body, response.headers.get("Content-Type")).text
            except DecodeError as exc:
                verdict = Verdict("not-html", str(exc))
        if verdict:
            self.walk_complete = False
            self.crawler.stats.inc_value(f"archive/list_{verdict.kind}")
            self.logger.warning("List page %s not usable: %s", response.url, verdict.reason)
            yield {"kind": "fetch", "fetch": {**fetch, "outcome": f"list-{verdict.kind}", "reason": verdict.reason}}
            return
        page = self.platform.parse_list(response.url, text, self.portal.column)
        self.crawler.stats.inc_value("archive/list_pages")

        # Decide everything before yielding: the pipeline updates state as items arrive.
        requests, listed, changed = self._decide(page.entries, response.url)
        for entry in page.skipped:
            self.crawler.stats.inc_value("archive/skipped_not_report")
            self.logger.debug("Not a report (title %r): %s", entry.title, entry.url)

        folders = [f for f in page.folders if self.wanted_section(f) and self._wanted_folder(f)]
        pages = [list_url(u) for u in page.pages]
        links = {"folders": folders, "pages": pages,
                 "entries": [[e.url, e.title, e.date] for e in page.entries]}
        yield {"kind": "fetch", "listed": listed, "state": self._list_state(response, fetch, links),
               "fetch": {**fetch, "outcome": "list",
                         "reason": f"{len(page.entries)} reports ({changed} new or changed), {len(pages)} pages, "
                                   f"{len(folders)} sub-columns"}}
        for folder in folders:
            yield self.list_request(folder, found_on=response.url)
        yield from self._follow_pages(response.url, pages, stop=(changed == 0))
        more_pages = getattr(self.platform, "more_pages", None)  # Hanweb: POSTs to dataproxy.jsp
        if more_pages and (self.full_walk or changed):
            for page_request in more_pages(response.url, text):
                yield scrapy.FormRequest(
                    page_request.url, formdata=page_request.form, callback=self.parse_list, errback=self.on_error,
                    meta={"found_on": response.url, "role": "list", "state": None,
                          "handle_httpstatus_list": SEE_STATUSES})
        yield from requests

    def _decide(self, entries: list[Entry], found_on: str) -> tuple[list, list[str], int]:
        """Which listed reports to fetch: new ones, and those whose list entry changed."""
        requests, listed, changed = [], [], 0
        self.listed += len(entries)
        for entry in entries:
            if not self.wanted_section(entry.url):
                continue
            if not self.wanted_year(report_year(entry.title)):
                self.crawler.stats.inc_value("archive/skipped_year")
                continue
            canonical = self.canonical(entry.url)
            listed.append(canonical)
            if canonical in self.reports_seen:
                # Already requested from another list (a column root that shows each
                # sub-column's newest entries): still new on this list, so its next page may
                # hold more new reports; only known, unchanged entries allow an early stop.
                changed += canonical in self.fresh
                continue
            self.reports_seen.add(canonical)
            known = self.archive.known_report(canonical)
            rstate = self.archive.state(canonical)
            if known is None or rstate is None:
                changed += 1
                self.fresh.add(canonical)
                requests.append(self.report_request(entry, found_on, None))
            elif (entry.title, entry.date) != (rstate.get("list_title"), rstate.get("list_date")):
                changed += 1
                self.fresh.add(canonical)
                self.crawler.stats.inc_value("archive/list_entry_changed")
                requests.append(self.report_request(entry, found_on, rstate))
            else:
                self.crawler.stats.inc_value("archive/skipped_unchanged")
        return requests, listed, changed

    def _unchanged_list(self, response, fetch, state):
        """HTTP 304 on a list page: its entries are those stored last time. Follow its
        sub-columns; on a full walk also fetch any of its entries not stored yet (a crawl
        killed after this page was listed but before its reports were fetched)."""
        links = state["links"]
        self.crawler.stats.inc_value("archive/list_not_modified")
        entries = [Entry(*e) for e in links.get("entries") or []]
        requests, listed, _ = self._decide(entries, response.url) if self.full_walk else ([], [], 0)
        if not self.full_walk:
            listed = [self.canonical(e.url) for e in entries]
            self.listed += len(entries)
        yield {"kind": "fetch", "listed": listed,
               "state": {"url": list_url(response.url), "kind": "list", "spider": self.name, "last_status": 304},
               "fetch": {**fetch, "outcome": "list-not-modified", "reason": "HTTP 304"}}
        for folder in links.get("folders") or []:
            yield self.list_request(folder, found_on=response.url)
        yield from self._follow_pages(response.url, links.get("pages") or [], stop=True)
        yield from requests

    def _follow_pages(self, url: str, pages: list[str], stop: bool):
        """Full walk: every page. Incremental: the next page, unless this one held nothing new."""
        if self.full_walk:
            for p in pages:
                yield self.list_request(p, found_on=url)
            return
        if stop:
            self.crawler.stats.inc_value("archive/pagination_stopped")
            return
        here = self.platform.page_number(url)
        later = sorted((self.platform.page_number(p), p) for p in pages if self.platform.page_number(p) > here)
        if later:
            yield self.list_request(later[0][1], found_on=url)

    def _wanted_folder(self, folder: str) -> bool:
        below = folder[len(self.portal.column) - 1:] if folder.startswith(self.portal.column) else folder
        m = _FOLDER_YEAR.search(below)
        if m and not self.wanted_year(int(m.group(1))):
            self.crawler.stats.inc_value("archive/skipped_year_folder")
            return False
        return True

    def parse_report(self, response):
        self._reached_hosts.add(urlsplit(response.url).hostname)
        entry: Entry = response.meta["entry"]
        fetch = self.fetch_record(response)
        canonical = self.canonical(response.url)
        previous = response.meta.get("state") or {}
        state = {"url": canonical, "kind": "report", "spider": self.name, "etag": fetch.get("etag"),
                 "last_modified": fetch.get("last_modified"), "sha256": fetch.get("sha256"),
                 "last_status": response.status, "list_title": entry.title, "list_date": entry.date}
        if response.status == 304:
            self.crawler.stats.inc_value("archive/reports/not_modified")
            yield {"kind": "fetch", "state": {**state, "sha256": None},
                   "fetch": {**fetch, "outcome": "report-not-modified", "reason": "HTTP 304"}}
            return
        report = {
            "url": canonical,
            "portal": self.portal.name,
            # a file listed in a column may live elsewhere on the host (/attachment/…): the list tells
            "section": self.section_of(response.url) or self.section_of(response.meta.get("found_on") or ""),
            "list_title": entry.title,
            "list_date": entry.date,
            "found_on": response.meta.get("found_on"),
        }
        headers = _str_headers(response.headers)
        if is_file_response(response.url, headers, response.body):
            # the list entry points straight at a file: the report is that file
            yield {"kind": "file", "fetch": fetch, "state": state, "body": response.body, "headers": headers,
                   "name": entry.title, "report": report}
            return
        examined = examine(response.status, headers, response.body, response.url,
                           list(self.portal.containers) + list(self.platform.containers))
        yield {"kind": "page", "fetch": fetch, "state": state, "examined": examined, "body": response.body,
               "url": response.url, "report": report}
        if not examined.is_report_page or not self.settings.getbool("ARCHIVE_ATTACHMENTS", True):
            return
        page_unchanged = previous.get("sha256") == fetch.get("sha256")
        for attachment in examined.cleaned.attachments:
            if page_unchanged and self.archive.state(attachment["url"]):
                continue  # same page as last time, file already fetched
            yield scrapy.Request(
                attachment["url"], callback=self.parse_attachment, errback=self.on_error,
                meta={"found_on": response.url, "role": "attachment", "report_url": canonical,
                      "name": attachment.get("name"), "handle_httpstatus_list": SEE_STATUSES,
                      "download_maxsize": self.settings.getint("ARCHIVE_MAX_ATTACHMENT_BYTES")},
            )

    def parse_attachment(self, response):
        fetch = self.fetch_record(response)
        headers = _str_headers(response.headers)
        verdict = classify(response.status, headers, response.body) if response.status != 200 or not response.body else None
        if verdict:
            self.crawler.stats.inc_value(f"archive/attachments/{verdict.kind}")
            yield {"kind": "fetch", "fetch": {**fetch, "outcome": f"attachment-{verdict.kind}", "reason": verdict.reason}}
            return
        state = {"url": response.url, "kind": "attachment", "spider": self.name, "etag": fetch.get("etag"),
                 "last_modified": fetch.get("last_modified"), "sha256": fetch.get("sha256"),
                 "last_status": response.status}
        yield {"kind": "file", "fetch": fetch, "state": state, "body": response.body, "headers": headers,
               "name": response.meta.get("name"), "linked_from": response.meta.get("report_url")}

    def closed(self, reason):
        if reason == "finished" and not self.listed and not self.crawler.stats.get_value("archive/failed"):
            self.crawler.stats.set_value("archive/failed", "no reports found")
            self.logger.warning(
                "No report found on %s: the column moved, its markup changed, or its list is loaded by "
                "JavaScript. Nothing was stored; check the column page.", self.portal.column)

    def on_error(self, failure):
        request = failure.request
        reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        fetch = {
            "job_id": self.job_id, "spider": self.name, "url": request.url, "method": request.method,
            "outcome": "error", "reason": reason, "found_on": request.meta.get("found_on"),
            "fetched_at": _now(),
        }
        if request.meta.get("role") == "list":
            self.walk_complete = False
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
        lower = {k.lower(): v for k, v in headers.items()}
        first = lambda name: (lower.get(name.lower()) or [None])[0]  # noqa: E731
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


def _flag(value) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


def _str_headers(headers) -> dict[str, list[str]]:
    return {k.decode("latin-1"): [v.decode("latin-1") for v in vs] for k, vs in headers.items()}


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
