"""One annual-report column walked in a crawl: everything a spider does for one portal.

A ``Walk`` knows its portal (column, hosts, sections), its CMS platform, its incremental policy,
and the key its crawl state is kept under (``url_state.spider``, ``fetches.spider``,
``crawls.spider``: the portal spider's name, so a portal walked alone or among hundreds shares
its state). It makes the walk's requests and reads their responses: list pages (pagination and
sub-columns through the platform module), report pages, attachments, failures. A portal spider
has one walk; ``crawlall``'s spider has one per portal of the registry, all at once, each request
carrying the key of its walk (``meta["walk"]``). What a crawl shares — the archive reader, the
cleaning pool, the requests already made — stays with the spider.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import scrapy
from w3lib.url import safe_url_string

from archive.blocked import Verdict, classify
from archive.decode import DecodeError, decode_html
from archive.http import header_value, normalise_headers
from archive.ingest import examine, is_file_response
from archive.meta import report_year
from archive.records import ListLinks, Report, UrlState
from archive.workers import CleaningError
from crawler.extensions import NETWORK_ERRORS
from crawler.items import FetchItem, FileItem, LinkItem, PageItem
from crawler.middlewares import REFUSED
from crawler.platforms.common import Entry, list_url
from crawler.policy import IncrementalPolicy
from crawler.portals import Portal
from crawler.provenance import failed_fetch, fetch_record

if TYPE_CHECKING:
    from crawler.spiders.base import PortalSpider

# Statuses the callbacks see (to record them and their reason); redirects are still followed.
SEE_STATUSES = [304] + list(range(400, 600))
# a year folder anywhere below the column: 2019n/, nb2020/, mb2021/, 2022/, 2023nd/ (年度)
_FOLDER_YEAR = re.compile(r"/(?:nb|mb)?((?:19|20)\d{2})(?:nd|n)?/")
_DONE = object()  # an attachment URL whose download this crawl has had


class Walk:
    def __init__(self, spider: PortalSpider, portal: Portal, platform, column_root: str, key: str, job_id: str,
                 sections: list[str] | None = None):
        self.spider, self.portal, self.platform = spider, portal, platform
        self.column_root, self.key, self.job_id, self.sections = column_root, key, job_id, sections
        settings = spider.settings
        self.policy = IncrementalPolicy(spider.archive, key, full=spider.full, revalidate=spider.revalidate,
                                        revalidate_days=settings.getfloat("ARCHIVE_REVALIDATE_DAYS", 0))
        self.listed = 0  # report entries seen on list pages (0 at the end: the column is empty or broken)
        self.owed = 0  # requests for what earlier crawls did not store
        self.failed: str | None = None  # why this walk failed, when it did
        self.counts: Counter = Counter()  # this walk's share of the crawl's figures (new, changed, …)
        # asked of every listed report, then of its page and its item: two URL parses a time
        self._canonical = functools.lru_cache(maxsize=1 << 16)(portal.canonical)

    # --- shared with the spider ---------------------------------------------------------------
    @property
    def settings(self):
        return self.spider.settings

    @property
    def logger(self):
        return self.spider.logger

    @property
    def archive(self):
        return self.spider.archive

    def inc(self, key: str, count: int = 1) -> None:
        """Count in the crawl's stats and in this walk's own figures."""
        self.spider.crawler.stats.inc_value(key, count)
        self.counts[key] += count

    # --- what belongs to the walk -------------------------------------------------------------
    def canonical(self, url: str) -> str:
        return self._canonical(url)

    def section_of(self, url: str) -> str | None:
        return self.portal.section_of(url)

    def wanted_section(self, url: str) -> bool:
        return self.sections is None or self.section_of(url) in self.sections

    def wanted_year(self, year: int | None) -> bool:
        return self.spider.wanted_year(year)

    def _wanted_folder(self, folder: str) -> bool:
        root = self.column_root
        below = folder[len(root) - 1:] if folder.startswith(root) else folder
        m = _FOLDER_YEAR.search(below)
        if m and not self.wanted_year(int(m.group(1))):
            self.inc("archive/skipped_year_folder")
            return False
        return True

    @property
    def walk_complete(self) -> bool:
        return self.policy.walk_complete and self.failed is None

    # --- requests -----------------------------------------------------------------------------
    def begin(self) -> str:
        """Decide the kind of walk; the line that says so in the log."""
        return self.policy.begin(self.job_id, filtered=self.spider.years is not None,
                                 resumed=bool(self.settings.get("JOBDIR")))

    def start_requests(self):
        # Always from the column root, with or without a section filter: sections hold year
        # folders whose names cannot be built (2019n/, mb2021/, 2023nd/…), only found on the
        # column's pages; the filter then keeps the wanted sections' sub-columns and reports.
        yield self.list_request(self.column_root, found_on=None)
        for state, found_on in self.policy.due_for_revalidation(self.wanted_section):
            self.inc("archive/revalidated")
            yield self.report_request(Entry(state.url, state.list_title or "", state.list_date), found_on, state)
        yield from self.owed_requests()

    def owed_requests(self):
        """What earlier crawls owe (``IncrementalPolicy.owed``): listed reports not stored, and
        attachments of stored pages not stored — requested whatever a resumed JOBDIR's duplicate
        filter remembers, since remembering a request is not having its response."""
        for (url, title, date), found_on, state in self.policy.owed(self.portal.name, self.canonical,
                                                                     self.wanted_section):
            if not self.wanted_year(report_year(title)):
                continue
            self.inc("archive/owed_reports")
            self.owed += 1
            request = self.report_request(Entry(url, title, date), found_on, state)
            yield request.replace(dont_filter=True)
        if not self.settings.getbool("ARCHIVE_ATTACHMENTS", True):
            return
        for a in self.archive.owed_attachments(self.portal.name):
            if not self.wanted_section(a["report_url"]):
                continue
            self.inc("archive/owed_attachments")
            self.owed += 1
            yield from self._attachment(a["url"], a["found_on"], a["report_url"], a.get("name"), again=True)

    def _request(self, url: str, callback, role: str, found_on: str | None, state: UrlState | None = None,
                 formdata: dict | None = None, **meta) -> scrapy.Request:
        """Every request of the walk: conditional where the URL is known, the same meta keys;
        ``formdata``: a POSTed form (Hanweb's further list pages)."""
        kind, extra = (scrapy.Request, {}) if formdata is None else (scrapy.FormRequest, {"formdata": formdata})
        meta.setdefault("download_maxsize", self.settings.getint("ARCHIVE_MAX_PAGE_BYTES"))  # pages; files set theirs
        self.counts["requests"] += 1
        return kind(url, callback=callback, errback=self.spider.on_error,
                    headers=self.policy.conditional_headers(state),
                    meta={"walk": self.key, "found_on": found_on, "role": role, "state": state,
                          "handle_httpstatus_list": SEE_STATUSES, **meta}, **extra)

    def _state(self, url: str, kind: str, fetch, **fields) -> UrlState:
        """What the next crawl needs to know of a URL just fetched."""
        return UrlState(url=url, kind=kind, spider=self.key, etag=fetch.etag, last_modified=fetch.last_modified,
                        sha256=fetch.sha256, last_status=fetch.status, **fields)

    def list_request(self, url: str, found_on: str | None) -> scrapy.Request:
        self.spider.lists_requested.add(list_url(url))
        return self._request(url, self.spider.parse_list, "list", found_on, self.archive.state(url))

    def _list_requests(self, urls, found_on: str):
        """Requests for the list pages among ``urls`` not yet requested in this crawl."""
        requested = self.spider.lists_requested
        for url in urls:
            if list_url(url) not in requested:
                yield self.list_request(url, found_on)

    def _newly_named(self, pages: list[str]) -> list[str]:
        """The pages of ``pages`` no earlier list page of this crawl named (what this one adds)."""
        named = self.spider.pages_named
        new = [p for p in pages if p not in named]
        named.update(new)
        return new

    def report_request(self, entry: Entry, found_on: str | None, state: UrlState | None) -> scrapy.Request:
        return self._request(entry.url, self.spider.parse_report, "report", found_on, state, entry=entry)

    def _fetch(self, response):
        return fetch_record(response, self.job_id, self.key)

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
        self.spider.reached_hosts.add(urlsplit(response.url).hostname)
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
            self.inc(f"archive/list_{verdict.kind}")
            self.logger.warning("List page %s not usable: %s", response.url, verdict.reason)
            yield FetchItem(fetch.but(outcome=f"list-{verdict.kind}", reason=verdict.reason))
            return
        yield from self._list(response, fetch, text)

    def _list(self, response, fetch, text: str):
        page = self.platform.parse_list(response.url, text, self.column_root)
        self.inc("archive/list_pages")
        # Decide everything before yielding: the pipeline updates state as items arrive.
        requests, listed, changed = self._decide(page.entries, response.url)
        for entry in page.skipped:
            self.inc("archive/skipped_not_report")
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
                yield self._request(page_request.url, self.spider.parse_list, "list", response.url,
                                    formdata=page_request.form)
        yield from requests

    def _decide(self, entries: list[Entry], found_on: str) -> tuple[list, list[str], int]:
        """Which listed reports to fetch (the policy decides), which are listed, how many are new
        or changed."""
        requests, listed, changed = [], [], 0
        skipped: Counter = Counter()  # counted once a list page (a stats count costs ~10 µs)
        self.listed += len(entries)
        for entry in entries:
            if not self.wanted_section(entry.url):
                continue
            if not self.wanted_year(report_year(entry.title)):
                skipped["archive/skipped_year"] += 1
                continue
            canonical = self.canonical(entry.url)
            listed.append(canonical)
            decision, state = self.policy.entry(canonical, entry.title, entry.date)
            # already requested from another list (a column root that shows each sub-column's
            # newest entries): still new on this list, so its next page may hold more new reports
            changed += decision in ("new", "changed", "again-fresh")
            if decision in ("new", "changed"):
                if decision == "changed":
                    self.inc("archive/list_entry_changed")
                requests.append(self.report_request(entry, found_on, state))
            elif decision == "unchanged":
                skipped["archive/skipped_unchanged"] += 1
        for key, count in skipped.items():
            self.inc(key, count)
        return requests, listed, changed

    def _unchanged_list(self, response, fetch, state: UrlState):
        """HTTP 304 on a list page: its entries are those stored last time. Follow its
        sub-columns; on a full walk also fetch any of its entries not stored yet (a crawl
        killed after this page was listed but before its reports were fetched)."""
        links = state.links
        self.inc("archive/list_not_modified")
        entries = [Entry(*e) for e in links.entries]
        if self.policy.full_walk:
            requests, listed, _ = self._decide(entries, response.url)
        else:
            requests, listed = [], [self.canonical(e.url) for e in entries]
            self.listed += len(entries)
        kept = UrlState(url=list_url(response.url), kind="list", spider=self.key, last_status=304)
        yield FetchItem(fetch.but(outcome="list-not-modified", reason="HTTP 304"), kept, listed)
        yield from self._list_requests(links.folders, found_on=response.url)
        self.spider.pages_named.update(links.pages)
        yield from self._follow_pages(response.url, links.pages, nothing_new=True)
        yield from requests

    def _follow_pages(self, url: str, pages: list[str], nothing_new: bool):
        follow = self.policy.next_pages(url, pages, nothing_new, self.platform.page_number)
        if not follow and pages and not self.policy.full_walk:
            self.inc("archive/pagination_stopped")
        yield from self._list_requests(follow, found_on=url)

    # --- report pages and files ------------------------------------------------------------------
    def _report(self, response, entry: Entry) -> Report:
        found_on = response.meta.get("found_on")
        return Report(
            url=self.canonical(response.url), portal=self.portal.name, column=self.column_root,
            # a file listed in a column may live elsewhere on the host (/attachment/…): the list tells
            section=self.section_of(response.url) or self.section_of(found_on or ""),
            list_title=entry.title, list_date=entry.date, found_on=found_on)

    async def parse_report(self, response) -> list:
        """A report page (or a file a list entry points at): its items and attachment requests."""
        if refused := self.refused(response):
            return [refused]
        self.spider.reached_hosts.add(urlsplit(response.url).hostname)
        entry: Entry = response.meta["entry"]
        fetch = self._fetch(response)
        previous: UrlState | None = response.meta.get("state")
        state = self._state(self.canonical(response.url), "report", fetch, list_title=entry.title,
                            list_date=entry.date)
        if response.status == 304:
            self.inc("archive/reports/not_modified")
            state.sha256 = None
            return [FetchItem(fetch.but(outcome="report-not-modified", reason="HTTP 304"), state)]
        report = self._report(response, entry)
        headers = fetch.response_headers  # normalised once, for the fetch's record
        if is_file_response(response.url, headers, response.body):
            # the list entry points straight at a file: the report is that file
            return [FileItem(fetch, response.body, header_value(headers, "Content-Type"), entry.title, state, report)]
        try:
            examined = await self._examine(response, headers)
        except CleaningError as exc:  # a defect of the cleaner: recorded; the next run fetches it again
            self.inc("archive/reports/cleaning_failed")
            self.logger.error("Cleaning %s failed: %s", response.url, exc)
            return [FetchItem(fetch.but(outcome="report-error", reason=f"cleaning failed: {exc}"))]
        out: list = [PageItem(fetch, state, report, examined, response.body)]
        if examined.is_report_page and self.settings.getbool("ARCHIVE_ATTACHMENTS", True):
            page_unchanged = previous is not None and previous.sha256 == fetch.sha256
            out.extend(self._attachment_requests(response, examined.cleaned.attachments, report.url, page_unchanged))
        return out

    async def _examine(self, response, headers: dict):
        """Decode and clean a report page: in the worker pool (within its budget), or here."""
        containers = list(self.portal.containers) + list(self.platform.containers)
        cleaner = self.spider.cleaner
        if cleaner is None:
            return examine(response.status, headers, response.body, response.url, containers)
        return await cleaner.examine(response.status, headers, response.body, response.url, containers)

    def _attachment_requests(self, response, attachments: list[dict], report_url: str, page_unchanged: bool):
        for attachment in attachments:
            url, name = attachment["url"], attachment.get("name")
            if page_unchanged and self.archive.state(url):
                continue  # same page as last time, file already fetched
            yield from self._attachment(url, response.url, report_url, name)

    def _attachment(self, url: str, found_on: str, report_url: str, name: str | None, again: bool = False):
        """A file a report links, downloaded once per crawl whichever reports (of whichever walk)
        link it: requested by the first, the others wait for it or, once it is stored, are linked
        to it. ``again``: a file owed from an earlier crawl (requested past the duplicate filter)."""
        waiting_for = self.spider.attachments_waiting
        key = safe_url_string(url)  # as the request will carry it
        waiting = waiting_for.get(key)
        if waiting is _DONE:
            yield LinkItem(report_url, key, name)
        elif waiting is not None:
            waiting.append((report_url, name))
        else:
            waiting_for[key] = []
            request = self._attachment_request(url, found_on, report_url, name)
            yield request.replace(dont_filter=True) if again else request

    def _attachment_request(self, url: str, found_on: str, report_url: str, name: str | None) -> scrapy.Request:
        return self._request(url, self.spider.parse_attachment, "attachment", found_on, report_url=report_url,
                             name=name, download_maxsize=self.settings.getint("ARCHIVE_MAX_ATTACHMENT_BYTES"))

    def parse_attachment(self, response):
        if refused := self.refused(response):
            yield refused
            return
        fetch = self._fetch(response)
        headers = normalise_headers(response.headers)
        asked = fetch.url  # as requested (the first URL of a redirect chain)
        waiting_for = self.spider.attachments_waiting
        others = waiting_for.get(asked) or []
        waiting_for[asked] = _DONE
        linked = [(response.meta.get("report_url"), response.meta.get("name")), *others]
        if response.status == 304:  # the file as stored: each report that links it is linked to it
            yield FetchItem(fetch.but(outcome="attachment-not-modified", reason="HTTP 304"))
            for report_url, name in linked:
                yield LinkItem(report_url, asked, name)
            return
        verdict = classify(response.status, headers, response.body) if response.status != 200 or not response.body else None
        if verdict:
            self.inc(f"archive/attachments/{verdict.kind}")
            yield FetchItem(fetch.but(outcome=f"attachment-{verdict.kind}", reason=verdict.reason))
            return
        state = self._state(response.url, "attachment", fetch)
        yield FileItem(fetch, response.body, header_value(headers, "Content-Type"), response.meta.get("name"),
                       state, linked_from=response.meta.get("report_url"), also_linked_from=others)

    # --- the end, and failures ---------------------------------------------------------------------
    def end(self, reason: str) -> str | None:
        """At the end of the crawl: why this walk failed (None if it did not), said once."""
        if reason != "finished" or self.listed or self.owed or self.failed:
            return self.failed
        if self.counts.get("archive/list_blocked"):
            self.failed = "blocked by an anti-bot challenge"
            self.logger.warning(
                "The column %s answered an anti-bot challenge (not its list): blocked by an anti-bot "
                "challenge. Nothing was stored; the fetch rows say which page and why.", self.column_root)
        else:
            self.failed = "no reports found"
            self.logger.warning(
                "No report found on %s: the column moved, its markup changed, or its list is loaded by "
                "JavaScript. Nothing was stored; check the column page.", self.column_root)
        return self.failed

    def on_error(self, failure) -> tuple[FetchItem, bool]:
        """A request that got no response: its fetch row, and whether the host is unreachable
        (never reached in this crawl, and the failure a network one)."""
        request = failure.request
        fetch = failed_fetch(request, self.job_id, self.key, failure_reason(failure))
        if request.meta.get("role") == "list":
            self.policy.walk_complete = False
        unreachable = False
        if failure.check(*NETWORK_ERRORS):
            self.inc("archive/unreachable")
            host = urlsplit(request.url).hostname
            if host not in self.spider.reached_hosts and self.failed is None:
                self.failed, unreachable = "host unreachable", True
                self.logger.error("Host %s is unreachable (%s) after %d retries. No network here? %s",
                                  host, failure.getErrorMessage(), self.settings.getint("RETRY_TIMES"),
                                  self.spider.offline_hint())
        else:
            self.inc("archive/fetch_errors")
        return FetchItem(fetch), unreachable


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
