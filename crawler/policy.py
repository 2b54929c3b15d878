"""What an incremental crawl fetches, decided in one place: the spider asks, the policy answers
from what the archive remembers (as Scrapy's HttpCacheMiddleware asks its cache policy).

* A walk is *full* (every list page) on the first crawl, after a crawl that did not finish
  (killed: early stops would miss what it never reached), or when asked (``-a full=1``);
  otherwise *incremental*: a list's next page is fetched only if this one showed something new.
* A listed report is fetched when it is new, or when its list entry (title, date) changed.
* Requests for known URLs are conditional (``If-None-Match`` / ``If-Modified-Since``).
* Known reports are revalidated (a conditional GET wherever they are listed) after
  ``ARCHIVE_REVALIDATE_DAYS``, or all of them with ``-a revalidate=1``.
* What an earlier crawl owed is fetched first, without walking the lists for it: listed reports
  never stored or whose last fetch failed, attachments of stored pages never stored (a crawl
  killed mid-way, a server that failed and recovered).
* Only a full walk of the whole column (no year filter, not a resumed JOBDIR) can tell that a
  report is gone.
"""

from __future__ import annotations

from typing import Callable, Iterator

from archive.records import UrlState
from archive.store import Archive


class IncrementalPolicy:
    def __init__(self, archive: Archive, spider: str, *, full: bool = False, revalidate: bool = False,
                 revalidate_days: float = 0):
        self.archive, self.spider = archive, spider
        self.full, self.revalidate, self.revalidate_days = full, revalidate, revalidate_days
        self.full_walk = True
        self.walk_complete = False
        self.seen: set[str] = set()  # reports requested in this crawl
        self.fresh: set[str] = set()  # … of which found new or changed on a list
        self.skipped: set[str] = set()  # listed, known and unchanged: not requested from a list

    def begin(self, job_id: str, *, filtered: bool, resumed: bool) -> str:
        """Decide the kind of walk; returns the line that says so in the log."""
        previous = self.archive.last_crawl_complete(self.spider, exclude_job=job_id)
        self.full_walk = self.full or previous is not True
        self.walk_complete = self.full_walk and not filtered and not resumed
        if previous is None:
            why = " (first crawl of this column)"
        elif not previous:
            why = " (previous crawl did not finish)"
        else:
            why = " (asked for with -a full=1)" if self.full else ""
        return (f"{'Full' if self.full_walk else 'Incremental'} walk{why}"
                f"{', revalidating every report' if self.revalidate else ''}")

    @staticmethod
    def conditional_headers(state: UrlState | None) -> dict[str, str] | None:
        """The validators of a known URL (``Cache-Control: max-age=0``, which asks any cache on the
        way to revalidate, is sent with every request: ``DEFAULT_REQUEST_HEADERS``). None for a new
        URL: a queued request carries no headers of its own until it is sent."""
        if not state or not (state.etag or state.last_modified):
            return None
        headers = {}
        if state and state.etag:
            headers["If-None-Match"] = state.etag
        if state and state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        return headers

    def entry(self, url: str, title: str, date: str | None) -> tuple[str, UrlState | None]:
        """A listed report (canonical URL): ``new`` or ``changed`` (fetch it, with the state
        returned), ``unchanged`` (skip it), ``again`` / ``again-fresh`` (already requested in
        this crawl from another list; fresh if it was new or changed there)."""
        if url in self.seen:
            return ("again-fresh" if url in self.fresh else "again"), None
        if url in self.skipped:
            return "again", None
        state = self.archive.state(url)
        if state is None or self.archive.known_report(url) is None:
            decision, state = "new", None
        elif (title, date) != (state.list_title, state.list_date):
            decision = "changed"
        else:
            # skipped, not requested: revalidation may still ask for it
            self.skipped.add(url)
            return "unchanged", state
        self.seen.add(url)
        self.fresh.add(url)
        return decision, state

    def next_pages(self, here: str, pages: list[str], nothing_new: bool,
                   page_number: Callable[[str], int]) -> list[str]:
        """Which further pages of a list to fetch: all on a full walk; else the next one, unless
        this page showed nothing new (an empty list means the walk stopped early here)."""
        if self.full_walk:
            return list(pages)
        if nothing_new:
            return []
        n = page_number(here)
        later = sorted((page_number(p), p) for p in pages if page_number(p) > n)
        return [later[0][1]] if later else []

    def follow_more_pages(self, changed: int) -> bool:
        """POSTed further pages (Hanweb) carry no page number: all or none."""
        return self.full_walk or changed > 0

    def owed(self, portal: str, canonical: Callable[[str], str], wanted: Callable[[str], bool]
             ) -> Iterator[tuple[tuple[str, str, str | None], str, UrlState | None]]:
        """Listed reports (``wanted`` ones) an earlier crawl did not store: ``(entry, list page,
        state)``, marked as requested."""
        failed, done, stored = self.archive.unfinished(self.spider, portal)
        for list_url, url, title, date in self.archive.listed_entries(self.spider):
            key = canonical(url)
            if key in self.seen or not wanted(key):
                continue
            if url not in failed and key not in failed and (key in stored or url in done):
                continue
            self.seen.add(key)
            self.fresh.add(key)
            yield (url, title, date), list_url, self.archive.state(key)

    def due_for_revalidation(self, wanted: Callable[[str], bool]) -> Iterator[tuple[UrlState, str | None]]:
        """Known reports (``wanted`` ones) due for a conditional GET, wherever they sit in the
        lists (an early-stopped walk never reaches old pages), with the list page they were
        found on; marked as requested."""
        days = 0 if self.revalidate else self.revalidate_days
        if not self.revalidate and not days:
            return
        for row in self.archive.states_to_revalidate(self.spider, days):
            if row["url"] in self.seen or not wanted(row["url"]):
                continue
            self.seen.add(row["url"])
            yield UrlState(url=row["url"], kind="report", spider=self.spider, etag=row["etag"],
                           last_modified=row["last_modified"], list_title=row["list_title"],
                           list_date=row["list_date"]), row["found_on"]
