"""The crawling behaviour every portal spider shares.

A portal spider is configuration: ``portal = PORTALS[...]``. It walks the portal's
annual-report column: list pages (and their pagination and sub-columns, via the portal's
platform module) and every report page they link. Each HTTP exchange becomes an item of
``crawler.items`` (``FetchItem`` for list pages and failures, ``PageItem`` for report pages,
``FileItem`` for documents); ``crawler.pipelines.ArchivePipeline`` stores them. What to fetch
on a re-crawl is ``crawler.policy.IncrementalPolicy``'s decision.
"""

from __future__ import annotations

import os
import re
import time
from datetime import datetime, timezone
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.settings import SETTINGS_PRIORITIES
from w3lib.url import safe_url_string

from archive import __version__
from archive.blocked import Verdict, classify
from archive.decode import DecodeError, decode_html
from archive.http import header_value, normalise_headers
from archive.ingest import examine, is_file_response
from archive.meta import parse_years, report_year
from archive.records import ListLinks, Report, UrlState
from archive.store import Archive, default_path
from archive.workers import Budget, CleaningError, shared as shared_workers
from crawler.extensions import NETWORK_ERRORS
from crawler.items import FetchItem, FileItem, LinkItem, PageItem
from crawler.middlewares import REFUSED
from crawler.platforms import get_platform
from crawler.platforms.common import Entry, list_url
from crawler.policy import IncrementalPolicy
from crawler.portals import Portal
from crawler.provenance import failed_fetch, fetch_record

# Statuses the callbacks see (to record them and their reason); redirects are still followed.
SEE_STATUSES = [304] + list(range(400, 600))
# a year folder anywhere below the column: 2019n/, nb2020/, mb2021/, 2022/, 2023nd/ (年度)
_FOLDER_YEAR = re.compile(r"/(?:nb|mb)?((?:19|20)\d{2})(?:nd|n)?/")
_FLAGS = ("0", "1", "true", "false", "yes", "no", "on", "off", "")
NO_CONTACT = "contact unset"
_DONE = object()  # an attachment URL whose download this crawl has had


def user_agent(contact: str | None) -> str:
    return (f"annual-report-archive/{__version__} (government information-disclosure report archive; "
            f"contact: {contact or NO_CONTACT})")


def offline_hint(spider: str) -> str:
    """How to replay a spider's recorded crawl (the column spider has no cassette of its own)."""
    if spider.startswith("column:"):
        return ("replay a recorded column instead: scrapy crawl column -a url=<column URL> "
                "-s CASSETTE=<its cassette>.yaml -s CASSETTE_RECORD_MODE=none")
    return f"replay the recorded crawl instead: scrapy crawl {spider} -s CASSETTE=cassettes/{spider}.yaml " \
           "-s CASSETTE_RECORD_MODE=none"


class PortalSpider(scrapy.Spider):
    portal: Portal  # set by each portal spider

    custom_settings: dict = {}

    def __init__(self, *args, years: str | None = None, sections: str | None = None,
                 full: str | None = None, revalidate: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.full = _flag(full)
        self.revalidate = _flag(revalidate)
        self.platform = get_platform(self.portal.platform)
        self.column_root = getattr(self, "column_root", None) or self.portal.column  # where the walk starts
        self.years = parse_years(years)
        self.sections = self.parse_sections(sections)
        self.allowed_domains = [h.split(":")[0] for h in self.portal.hosts]
        self.listed = 0  # report entries seen on list pages (0 at the end: the column is empty or broken)
        self.owed = 0  # requests for what earlier crawls did not store
        self._attachments: dict[str, list | object] = {}  # URL → reports waiting for its download, or _DONE
        # list pages requested in this crawl, and those any list page has named: a numbered list
        # names all its pages on every page (createPageHTML); each is requested, and stored as
        # one of a page's links, once — not once per page that names it
        self._lists_requested: set[str] = set()
        self._pages_named: set[str] = set()
        self._reached_hosts: set[str] = set()

    @classmethod
    def update_settings(cls, settings):
        """The User-Agent names whoever runs the crawl (``-s ARCHIVE_CONTACT=…`` or the
        ``ARCHIVE_CONTACT`` environment variable), unless ``USER_AGENT`` itself is given."""
        super().update_settings(settings)
        if not settings.get("ARCHIVE_CONTACT") and os.environ.get("ARCHIVE_CONTACT"):
            settings.set("ARCHIVE_CONTACT", os.environ["ARCHIVE_CONTACT"], priority="spider")
        if (settings.getpriority("USER_AGENT") or 0) <= SETTINGS_PRIORITIES["project"]:
            settings.set("USER_AGENT", user_agent(settings.get("ARCHIVE_CONTACT")), priority="spider")

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
            if value is not None and str(value).strip().lower() not in _FLAGS:
                raise ValueError(f"{name} takes 1 or 0, not {value!r}")

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.job_id = crawler.settings.get("ARCHIVE_JOB_ID") or (
            f"{spider.name}-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{int(time.time() * 1000) % 100000:05d}"
        )
        return spider

    # --- what belongs to the walk -------------------------------------------------------------
    def canonical(self, url: str) -> str:
        return self.portal.canonical(url)

    def section_of(self, url: str) -> str | None:
        return self.portal.section_of(url)

    def wanted_section(self, url: str) -> bool:
        return self.sections is None or self.section_of(url) in self.sections

    def wanted_year(self, year: int | None) -> bool:
        if self.years is None or year is None:
            return True
        return self.years[0] <= year <= self.years[1]

    def _wanted_folder(self, folder: str) -> bool:
        root = self.column_root
        below = folder[len(root) - 1:] if folder.startswith(root) else folder
        m = _FOLDER_YEAR.search(below)
        if m and not self.wanted_year(int(m.group(1))):
            self.crawler.stats.inc_value("archive/skipped_year_folder")
            return False
        return True

    # --- requests ---------------------------------------------------------------------------
    async def start(self):
        self.archive = Archive(self.settings.get("ARCHIVE_DB") or default_path())
        self.cleaner = self._cleaner()
        self.policy = IncrementalPolicy(self.archive, self.name, full=self.full, revalidate=self.revalidate,
                                        revalidate_days=self.settings.getfloat("ARCHIVE_REVALIDATE_DAYS", 0))
        self.logger.info("%s", self.policy.begin(self.job_id, filtered=self.years is not None,
                                                 resumed=bool(self.settings.get("JOBDIR"))))
        if not self.settings.get("ARCHIVE_CONTACT") and not self.replaying:
            self.logger.warning("ARCHIVE_CONTACT is not set: site operators cannot tell who runs this crawl. "
                                "Set it (-s ARCHIVE_CONTACT=you@example.org, or the environment variable).")
        # Always from the column root, with or without a section filter: sections hold year
        # folders whose names cannot be built (2019n/, mb2021/, 2023nd/…), only found on the
        # column's pages; the filter then keeps the wanted sections' sub-columns and reports.
        yield self.list_request(self.column_root, found_on=None)
        for state, found_on in self.policy.due_for_revalidation(self.wanted_section):
            self.crawler.stats.inc_value("archive/revalidated")
            yield self.report_request(Entry(state.url, state.list_title or "", state.list_date), found_on, state)
        for request in self.owed_requests():
            yield request

    def owed_requests(self):
        """What earlier crawls owe (``IncrementalPolicy.owed``): listed reports not stored, and
        attachments of stored pages not stored — requested whatever a resumed JOBDIR's duplicate
        filter remembers, since remembering a request is not having its response."""
        for (url, title, date), found_on, state in self.policy.owed(self.portal.name, self.canonical,
                                                                     self.wanted_section):
            if not self.wanted_year(report_year(title)):
                continue
            self.crawler.stats.inc_value("archive/owed_reports")
            self.owed += 1
            request = self.report_request(Entry(url, title, date), found_on, state)
            yield request.replace(dont_filter=True)
        if not self.settings.getbool("ARCHIVE_ATTACHMENTS", True):
            return
        for a in self.archive.owed_attachments(self.portal.name):
            if not self.wanted_section(a["report_url"]):
                continue
            self.crawler.stats.inc_value("archive/owed_attachments")
            self.owed += 1
            key = safe_url_string(a["url"])
            waiting = self._attachments.get(key)
            if waiting is not None:
                waiting.append((a["report_url"], a.get("name")))
                continue
            self._attachments[key] = []
            yield self._attachment_request(a["url"], a["found_on"], a["report_url"], a.get("name")
                                           ).replace(dont_filter=True)

    def _cleaner(self):
        """The pool that cleans report pages (``archive.workers``), or None to clean in this process."""
        workers = self.settings.getint("ARCHIVE_CLEAN_WORKERS", 0)
        if workers < 0:
            return None
        return shared_workers(workers or None, Budget(self.settings.getfloat("ARCHIVE_CLEAN_TIMEOUT", 60),
                                                      self.settings.getint("ARCHIVE_CLEAN_MEMORY", 1 << 30)))

    @property
    def replaying(self) -> bool:
        return bool(self.settings.get("CASSETTE")) and self.settings.get("CASSETTE_RECORD_MODE", "none") == "none"

    def _request(self, url: str, callback, role: str, found_on: str | None, state: UrlState | None = None,
                 formdata: dict | None = None, **meta) -> scrapy.Request:
        """Every request of the walk: conditional where the URL is known, the same meta keys;
        ``formdata``: a POSTed form (Hanweb's further list pages)."""
        kind, extra = (scrapy.Request, {}) if formdata is None else (scrapy.FormRequest, {"formdata": formdata})
        meta.setdefault("download_maxsize", self.settings.getint("ARCHIVE_MAX_PAGE_BYTES"))  # pages; files set theirs
        return kind(url, callback=callback, errback=self.on_error, headers=self.policy.conditional_headers(state),
                    meta={"found_on": found_on, "role": role, "state": state,
                          "handle_httpstatus_list": SEE_STATUSES, **meta}, **extra)

    def _state(self, url: str, kind: str, fetch, **fields) -> UrlState:
        """What the next crawl needs to know of a URL just fetched."""
        return UrlState(url=url, kind=kind, spider=self.name, etag=fetch.etag, last_modified=fetch.last_modified,
                        sha256=fetch.sha256, last_status=fetch.status, **fields)

    def list_request(self, url: str, found_on: str | None) -> scrapy.Request:
        self._lists_requested.add(list_url(url))
        return self._request(url, self.parse_list, "list", found_on, self.archive.state(url))

    def _list_requests(self, urls, found_on: str):
        """Requests for the list pages among ``urls`` not yet requested in this crawl."""
        for url in urls:
            if list_url(url) not in self._lists_requested:
                yield self.list_request(url, found_on)

    def _newly_named(self, pages: list[str]) -> list[str]:
        """The pages of ``pages`` no earlier list page of this crawl named (what this one adds)."""
        new = [p for p in pages if p not in self._pages_named]
        self._pages_named.update(new)
        return new

    def report_request(self, entry: Entry, found_on: str | None, state: UrlState | None) -> scrapy.Request:
        return self._request(entry.url, self.parse_report, "report", found_on, state, entry=entry)

    def _fetch(self, response):
        return fetch_record(response, self.job_id, self.name)

    # --- list pages ---------------------------------------------------------------------------
    def refused(self, response) -> FetchItem | None:
        """The record of a redirect ``RedirectGuard`` did not follow (off the portal, a loop)."""
        reason = response.meta.get(REFUSED)
        if not reason:
            return None
        role = response.meta.get("role") or "page"
        if role == "list":
            self.policy.walk_complete = False
        self.logger.warning("%s %s: %s", role.capitalize(), response.url, reason)
        return FetchItem(self._fetch(response).but(outcome=f"{role}-redirect-refused", reason=reason))

    def parse_list(self, response, text: str | None = None):
        """A list page; ``text``: its body already decoded (the column spider decodes the first
        page to detect the platform)."""
        if refused := self.refused(response):
            yield refused
            return
        self._reached_hosts.add(urlsplit(response.url).hostname)
        fetch = self._fetch(response)
        state: UrlState | None = response.meta.get("state")
        if response.status == 304 and state and state.links:
            yield from self._unchanged_list(response, fetch, state)
            return
        verdict = classify(response.status, normalise_headers(response.headers), response.body)
        if verdict is None and text is None:
            try:
                text = decode_html(response.body, header_value(response.headers, "Content-Type")).text
            except DecodeError as exc:
                verdict = Verdict("not-html", str(exc))
        if verdict:
            self.policy.walk_complete = False
            self.crawler.stats.inc_value(f"archive/list_{verdict.kind}")
            self.logger.warning("List page %s not usable: %s", response.url, verdict.reason)
            yield FetchItem(fetch.but(outcome=f"list-{verdict.kind}", reason=verdict.reason))
            return
        yield from self._list(response, fetch, text)

    def _list(self, response, fetch, text: str):
        page = self.platform.parse_list(response.url, text, self.column_root)
        self.crawler.stats.inc_value("archive/list_pages")
        # Decide everything before yielding: the pipeline updates state as items arrive.
        requests, listed, changed = self._decide(page.entries, response.url)
        for entry in page.skipped:
            self.crawler.stats.inc_value("archive/skipped_not_report")
            self.logger.debug("Not a report (title %r): %s", entry.title, entry.url)
        folders = [f for f in page.folders if self.wanted_section(f) and self._wanted_folder(f)]
        pages = [list_url(u) for u in page.pages]
        # stored: the pages this one adds to what the crawl knows (a 304 next time follows them)
        links = {"folders": folders, "pages": self._newly_named(pages),
                 "entries": [(e.url, e.title, e.date) for e in page.entries]}
        state = self._state(list_url(response.url), "list", fetch, links=ListLinks(**links))
        reason = (f"{len(page.entries)} reports ({changed} new or changed), {len(pages)} pages, "
                  f"{len(folders)} sub-columns")
        yield FetchItem(fetch.but(outcome="list", reason=reason), state, listed)
        yield from self._list_requests(folders, found_on=response.url)
        yield from self._follow_pages(response.url, pages, nothing_new=(changed == 0))
        more_pages = getattr(self.platform, "more_pages", None)  # Hanweb: POSTs to dataproxy.jsp
        if more_pages and self.policy.follow_more_pages(changed):
            for page_request in more_pages(response.url, text):
                yield self._request(page_request.url, self.parse_list, "list", response.url,
                                    formdata=page_request.form)
        yield from requests

    def _decide(self, entries: list[Entry], found_on: str) -> tuple[list, list[str], int]:
        """Which listed reports to fetch (the policy decides), which are listed, how many are new
        or changed."""
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
            decision, state = self.policy.entry(canonical, entry.title, entry.date)
            # already requested from another list (a column root that shows each sub-column's
            # newest entries): still new on this list, so its next page may hold more new reports
            changed += decision in ("new", "changed", "again-fresh")
            if decision in ("new", "changed"):
                if decision == "changed":
                    self.crawler.stats.inc_value("archive/list_entry_changed")
                requests.append(self.report_request(entry, found_on, state))
            elif decision == "unchanged":
                self.crawler.stats.inc_value("archive/skipped_unchanged")
        return requests, listed, changed

    def _unchanged_list(self, response, fetch, state: UrlState):
        """HTTP 304 on a list page: its entries are those stored last time. Follow its
        sub-columns; on a full walk also fetch any of its entries not stored yet (a crawl
        killed after this page was listed but before its reports were fetched)."""
        links = state.links
        self.crawler.stats.inc_value("archive/list_not_modified")
        entries = [Entry(*e) for e in links.entries]
        if self.policy.full_walk:
            requests, listed, _ = self._decide(entries, response.url)
        else:
            requests, listed = [], [self.canonical(e.url) for e in entries]
            self.listed += len(entries)
        kept = UrlState(url=list_url(response.url), kind="list", spider=self.name, last_status=304)
        yield FetchItem(fetch.but(outcome="list-not-modified", reason="HTTP 304"), kept, listed)
        yield from self._list_requests(links.folders, found_on=response.url)
        self._pages_named.update(links.pages)
        yield from self._follow_pages(response.url, links.pages, nothing_new=True)
        yield from requests

    def _follow_pages(self, url: str, pages: list[str], nothing_new: bool):
        follow = self.policy.next_pages(url, pages, nothing_new, self.platform.page_number)
        if not follow and pages and not self.policy.full_walk:
            self.crawler.stats.inc_value("archive/pagination_stopped")
        yield from self._list_requests(follow, found_on=url)

    # --- report pages and files ------------------------------------------------------------------
    def _report(self, response, entry: Entry) -> Report:
        found_on = response.meta.get("found_on")
        return Report(
            url=self.canonical(response.url), portal=self.portal.name, column=self.column_root,
            # a file listed in a column may live elsewhere on the host (/attachment/…): the list tells
            section=self.section_of(response.url) or self.section_of(found_on or ""),
            list_title=entry.title, list_date=entry.date, found_on=found_on)

    async def parse_report(self, response):
        if refused := self.refused(response):
            yield refused
            return
        self._reached_hosts.add(urlsplit(response.url).hostname)
        entry: Entry = response.meta["entry"]
        fetch = self._fetch(response)
        previous: UrlState | None = response.meta.get("state")
        state = self._state(self.canonical(response.url), "report", fetch, list_title=entry.title,
                            list_date=entry.date)
        if response.status == 304:
            self.crawler.stats.inc_value("archive/reports/not_modified")
            state.sha256 = None
            yield FetchItem(fetch.but(outcome="report-not-modified", reason="HTTP 304"), state)
            return
        report = self._report(response, entry)
        headers = normalise_headers(response.headers)
        if is_file_response(response.url, headers, response.body):
            # the list entry points straight at a file: the report is that file
            yield FileItem(fetch, response.body, header_value(headers, "Content-Type"), entry.title, state, report)
            return
        try:
            examined = await self._examine(response, headers)
        except CleaningError as exc:  # a defect of the cleaner: recorded; the next run fetches it again
            self.crawler.stats.inc_value("archive/reports/cleaning_failed")
            self.logger.error("Cleaning %s failed: %s", response.url, exc)
            yield FetchItem(fetch.but(outcome="report-error", reason=f"cleaning failed: {exc}"))
            return
        yield PageItem(fetch, state, report, examined, response.body)
        if examined.is_report_page and self.settings.getbool("ARCHIVE_ATTACHMENTS", True):
            page_unchanged = previous is not None and previous.sha256 == fetch.sha256
            for request in self._attachment_requests(response, examined.cleaned.attachments, report.url,
                                                     page_unchanged):
                yield request

    async def _examine(self, response, headers: dict):
        """Decode and clean a report page: in the worker pool (within its budget), or here."""
        containers = list(self.portal.containers) + list(self.platform.containers)
        if self.cleaner is None:
            return examine(response.status, headers, response.body, response.url, containers)
        return await self.cleaner.examine(response.status, headers, response.body, response.url, containers)

    def _attachment_requests(self, response, attachments: list[dict], report_url: str, page_unchanged: bool):
        for attachment in attachments:
            url, name = attachment["url"], attachment.get("name")
            if page_unchanged and self.archive.state(url):
                continue  # same page as last time, file already fetched
            key = safe_url_string(url)  # as the request will carry it
            waiting = self._attachments.get(key)
            if waiting is not None:  # another report's page linked it first: downloaded once
                if waiting is _DONE:
                    yield LinkItem(report_url, key, name)
                else:
                    waiting.append((report_url, name))
                continue
            self._attachments[key] = []
            yield self._attachment_request(url, response.url, report_url, name)

    def _attachment_request(self, url: str, found_on: str, report_url: str, name: str | None) -> scrapy.Request:
        return self._request(url, self.parse_attachment, "attachment", found_on, report_url=report_url, name=name,
                             download_maxsize=self.settings.getint("ARCHIVE_MAX_ATTACHMENT_BYTES"))

    def parse_attachment(self, response):
        if refused := self.refused(response):
            yield refused
            return
        fetch = self._fetch(response)
        headers = normalise_headers(response.headers)
        asked = fetch.url  # as requested (the first URL of a redirect chain)
        others = self._attachments.get(asked) or []
        self._attachments[asked] = _DONE
        linked = [(response.meta.get("report_url"), response.meta.get("name")), *others]
        if response.status == 304:  # the file as stored: each report that links it is linked to it
            yield FetchItem(fetch.but(outcome="attachment-not-modified", reason="HTTP 304"))
            for report_url, name in linked:
                yield LinkItem(report_url, asked, name)
            return
        verdict = classify(response.status, headers, response.body) if response.status != 200 or not response.body else None
        if verdict:
            self.crawler.stats.inc_value(f"archive/attachments/{verdict.kind}")
            yield FetchItem(fetch.but(outcome=f"attachment-{verdict.kind}", reason=verdict.reason))
            return
        state = self._state(response.url, "attachment", fetch)
        yield FileItem(fetch, response.body, header_value(headers, "Content-Type"), response.meta.get("name"),
                       state, linked_from=response.meta.get("report_url"), also_linked_from=others)

    # --- the end, and failures ---------------------------------------------------------------------
    @property
    def walk_complete(self) -> bool:
        return getattr(self, "policy", None) is not None and self.policy.walk_complete

    def closed(self, reason):
        if reason == "finished" and not self.listed and not self.owed and \
                not self.crawler.stats.get_value("archive/failed"):
            if self.crawler.stats.get_value("archive/list_blocked"):
                self.crawler.stats.set_value("archive/failed", "blocked by an anti-bot challenge")
                self.logger.warning(
                    "The column %s answered an anti-bot challenge (not its list): blocked by an anti-bot "
                    "challenge. Nothing was stored; the fetch rows say which page and why.", self.column_root)
                return
            self.crawler.stats.set_value("archive/failed", "no reports found")
            self.logger.warning(
                "No report found on %s: the column moved, its markup changed, or its list is loaded by "
                "JavaScript. Nothing was stored; check the column page.", self.column_root)

    def on_error(self, failure):
        request = failure.request
        fetch = failed_fetch(request, self.job_id, self.name, failure_reason(failure))
        if request.meta.get("role") == "list":
            self.policy.walk_complete = False
        if failure.check(*NETWORK_ERRORS):
            self.crawler.stats.inc_value("archive/unreachable")
            host = urlsplit(request.url).hostname
            if host not in self._reached_hosts and not self.crawler.stats.get_value("archive/failed"):
                self.crawler.stats.set_value("archive/failed", "host unreachable")
                self.logger.error("Host %s is unreachable (%s) after %d retries. No network here? %s",
                                  host, failure.getErrorMessage(), self.settings.getint("RETRY_TIMES"),
                                  offline_hint(self.name))
        else:
            self.crawler.stats.inc_value("archive/fetch_errors")
        yield FetchItem(fetch)
        if self.crawler.stats.get_value("archive/failed") == "host unreachable":
            raise CloseSpider("host_unreachable")


def failure_reason(failure) -> str:
    """A failed request's reason, never empty: some failures carry no message."""
    name = failure.type.__name__
    message = failure.getErrorMessage().strip()
    if not message or message == name:
        limit = failure.request.meta.get("download_maxsize") if getattr(failure, "request", None) else None
        cancelled = "download cancelled" + (f" (larger than the {limit} bytes allowed, or endless)" if limit else "")
        message = {
            "CancelledError": cancelled,
            "DownloadCancelledError": cancelled,
            "ResponseDataLossError": "the connection closed before the whole body arrived",
            "ResponseNeverReceived": "the connection closed before any response",
            "ConnectionLost": "the connection was lost",
        }.get(name, repr(failure.value) if str(failure.value) else "no message")
    return f"{name}: {message}"


def _flag(value) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")
