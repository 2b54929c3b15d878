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
import time
from datetime import datetime, timezone

import scrapy
from scrapy.exceptions import CloseSpider
from scrapy.settings import SETTINGS_PRIORITIES

from archive import __version__
from archive.meta import parse_years
from archive.store import Archive, default_path
from archive.workers import BATCH, DEFAULT_MEMORY, DEFAULT_TIMEOUT, Budget, shared as shared_workers
from crawler.portals import Portal, platform_of, walk_root
from crawler.walk import Walk

_FLAGS = ("0", "1", "true", "false", "yes", "no", "on", "off", "")
NO_CONTACT = "contact unset"


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


def identify(settings) -> None:
    """The User-Agent names whoever runs the crawl (``-s ARCHIVE_CONTACT=…`` or the
    ``ARCHIVE_CONTACT`` environment variable), unless ``USER_AGENT`` itself is given."""
    if not settings.get("ARCHIVE_CONTACT") and os.environ.get("ARCHIVE_CONTACT"):
        settings.set("ARCHIVE_CONTACT", os.environ["ARCHIVE_CONTACT"], priority="spider")
    if (settings.getpriority("USER_AGENT") or 0) <= SETTINGS_PRIORITIES["project"]:
        settings.set("USER_AGENT", user_agent(settings.get("ARCHIVE_CONTACT")), priority="spider")


def new_job_id(name: str, settings) -> str:
    """A crawl job's id: ``ARCHIVE_JOB_ID``, else the spider's name and the time it started."""
    return settings.get("ARCHIVE_JOB_ID") or (
        f"{name}-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{int(time.time() * 1000) % 100000:05d}")


class PortalSpider(scrapy.Spider):
    portal: Portal  # set by each portal spider

    custom_settings: dict = {}

    def __init__(self, *args, years: str | None = None, sections: str | None = None,
                 full: str | None = None, revalidate: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.full = _flag(full)
        self.revalidate = _flag(revalidate)
        self.platform = platform_of(self.portal)  # a gkmlpt column's with its category
        self.column_root = getattr(self, "column_root", None) or walk_root(self.portal)  # where the walk starts
        self.years = parse_years(years)
        self.sections = self.parse_sections(sections)
        self.allowed_domains = [h.split(":")[0] for h in self.portal.hosts]
        self.walks: dict[str, Walk] = {}  # made when the crawl starts
        # What the walks share (URLs are the same for every walk that meets them):
        self.attachments_waiting: dict[str, list | object] = {}  # URL → reports waiting for its download, or done
        # list pages requested in this crawl, and those any list page has named: a numbered list
        # names all its pages on every page (createPageHTML); each is requested, and stored as
        # one of a page's links, once — not once per page that names it
        self.lists_requested: set[str] = set()
        self.pages_named: set[str] = set()
        self.reached_hosts: set[str] = set()

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        identify(settings)

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
        spider.job_id = new_job_id(spider.name, crawler.settings)
        return spider

    # --- what the crawl's walks share -----------------------------------------------------------
    def wanted_year(self, year: int | None) -> bool:
        if self.years is None or year is None:
            return True
        return self.years[0] <= year <= self.years[1]

    def make_walks(self) -> list[Walk]:
        """The columns this crawl walks: a portal spider walks its portal's, under its own name."""
        return [Walk(self, self.portal, self.platform, self.column_root, self.name, self.job_id, self.sections)]

    def walk_of(self, response_or_request) -> Walk:
        return self.walks[response_or_request.meta["walk"]]

    def portal_for(self, request) -> Portal | None:
        """The portal a request belongs to (RedirectGuard refuses hops off it)."""
        walk = self.walks.get(request.meta.get("walk")) if getattr(self, "walks", None) else None
        return walk.portal if walk is not None else getattr(self, "portal", None)

    # --- requests ---------------------------------------------------------------------------
    async def start(self):
        self.archive = Archive(self.settings.get("ARCHIVE_DB") or default_path())
        self.cleaner = self._cleaner()
        if self.cleaner is not None:
            self.cleaner.start()  # a second's stall now, not in the middle of the walks' timing
        self.walks = {w.key: w for w in self.make_walks()}
        for walk in self.walks.values():
            line = walk.begin()
            if len(self.walks) == 1:
                self.logger.info("%s", line)
        if not self.settings.get("ARCHIVE_CONTACT") and not self.replaying:
            self.logger.warning("ARCHIVE_CONTACT is not set: site operators cannot tell who runs this crawl. "
                                "Set it (-s ARCHIVE_CONTACT=you@example.org, or the environment variable).")
        for walk in self.walks.values():
            for request in walk.start_requests():
                yield request

    def _cleaner(self):
        """The pool that cleans report pages (``archive.workers``), or None to clean in this process."""
        workers = self.settings.getint("ARCHIVE_CLEAN_WORKERS", 0)
        if workers < 0:
            return None
        return shared_workers(workers or None, Budget(self.settings.getfloat("ARCHIVE_CLEAN_TIMEOUT", DEFAULT_TIMEOUT),
                                                      self.settings.getint("ARCHIVE_CLEAN_MEMORY", DEFAULT_MEMORY)),
                              batch=self.settings.getint("ARCHIVE_CLEAN_BATCH", BATCH))

    @property
    def replaying(self) -> bool:
        return bool(self.settings.get("CASSETTE")) and self.settings.get("CASSETTE_RECORD_MODE", "none") == "none"

    def offline_hint(self) -> str:
        return offline_hint(self.name)

    # --- callbacks: each response goes to the walk its request belongs to -----------------------
    def parse_list(self, response, text: str | None = None):
        return self.walk_of(response).parse_list(response, text)

    async def parse_report(self, response):
        return await self.walk_of(response).parse_report(response)

    def parse_attachment(self, response):
        return self.walk_of(response).parse_attachment(response)

    def on_error(self, failure):
        walk = self.walk_of(failure.request)
        item, unreachable = walk.on_error(failure)
        yield item
        if unreachable and len(self.walks) == 1:  # the crawl's one host: nothing more can be done
            if not self.crawler.stats.get_value("archive/failed"):
                self.crawler.stats.set_value("archive/failed", walk.failed)
            raise CloseSpider("host_unreachable")

    # --- the end --------------------------------------------------------------------------------
    @property
    def walk_complete(self) -> bool:
        walks = getattr(self, "walks", None)
        return bool(walks) and all(w.walk_complete for w in walks.values())

    def closed(self, reason):
        try:
            for walk in getattr(self, "walks", {}).values():
                if len(self.walks) == 1 and self.crawler.stats.get_value("archive/failed"):
                    return  # the crawl failed already (storage, a cassette miss…): said where it happened
                failed = walk.end(reason)
                if failed and len(self.walks) == 1:
                    self.crawler.stats.set_value("archive/failed", failed)
        finally:
            if getattr(self, "archive", None) is not None:
                self.archive.close()  # the reading connection (the pipeline writes through its own)


def _flag(value) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")
