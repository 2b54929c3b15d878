"""Every portal of the registry in one crawl: ``scrapy crawl portals`` (what ``scrapy crawlall`` runs).

One spider walks all the columns at once, each as a ``crawler.walk.Walk`` under its portal's own
name, so that its incremental state is the one ``scrapy crawl <portal>`` keeps. Politeness is per
host: Scrapy gives each host its own download slot — one request at a time
(``CONCURRENT_REQUESTS_PER_DOMAIN``), the polite delay and AutoThrottle per slot — while many
hosts are fetched at once (``ARCHIVE_HOSTS_AT_ONCE``). The scheduler hands out the requests of the
least busy hosts first (``DownloaderAwarePriorityQueue``), so a slow, failing or blocked host
holds one slot, never the crawl. A host that cannot be reached fails its own walk only.

    scrapy crawl portals [-a portals=guangzhou,panyu] [-a years=2019-2024] [-a full=1]
"""

from __future__ import annotations

from crawler.portals import PORTALS, Portal, platform_of, walk_root
from crawler.spiders.base import PortalSpider
from crawler.walk import Walk


class ManyPortalsSpider(PortalSpider):
    name = "portals"
    portal = None  # many: each walk has its own

    custom_settings = {
        # the least busy hosts first: one host's backlog never starves the others
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        "CONCURRENT_REQUESTS_PER_IP": 0,
        "REACTOR_THREADPOOL_MAXSIZE": 20,  # DNS lookups of many hosts
    }

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        # many hosts at once, each still one request at a time
        hosts = settings.getint("ARCHIVE_HOSTS_AT_ONCE", 64)
        if settings.getpriority("CONCURRENT_REQUESTS") <= 20:  # not given on the command line
            settings.set("CONCURRENT_REQUESTS", hosts, priority="spider")

    @classmethod
    def selected(cls, portals: str | None = None) -> list[Portal]:
        """The portals to walk: those named, else every portal of the registry that is not retired."""
        if not portals:
            return [p for p in PORTALS.values() if p.status != "retired"]
        names = [p.strip() for p in portals.split(",") if p.strip()]
        unknown = [n for n in names if n not in PORTALS]
        if unknown:
            raise ValueError(f"unknown portal(s) {', '.join(unknown)}; known: {', '.join(sorted(PORTALS))}")
        return [PORTALS[n] for n in names]

    @classmethod
    def check_arguments(cls, portals: str | None = None, **others) -> None:
        if others.get("sections"):
            raise ValueError("-a sections= applies to one portal's spider, not to a crawl of many")
        cls.selected(portals)
        super().check_arguments(**others)

    @classmethod
    def parse_sections(cls, sections: str | None):
        return None

    def __init__(self, *args, portals: str | None = None, **kwargs):
        self.portals = self.selected(portals)
        # what PortalSpider's constructor reads of "the" portal: the first one's, unused here
        self.portal = self.portals[0] if self.portals else Portal(name="none", region="", platform="generic",
                                                                   column="http://invalid/")
        super().__init__(*args, **kwargs)
        self.allowed_domains = sorted({h.split(":")[0] for p in self.portals for h in p.hosts})

    def make_walks(self) -> list[Walk]:
        return [Walk(self, portal, platform_of(portal), walk_root(portal), portal.name,
                     f"{self.job_id}:{portal.name}") for portal in self.portals]

    def offline_hint(self) -> str:
        return "replay a recorded crawl instead, portal by portal: scrapy crawl <portal> -s CASSETTE=cassettes/<portal>.yaml"

    def closed(self, reason):
        super().closed(reason)
        failed = {key: walk.failed for key, walk in self.walks.items() if walk.failed}
        if failed and len(failed) == len(self.walks):
            self.crawler.stats.set_value("archive/failed", f"every portal failed ({len(failed)})")
        self.crawler.stats.set_value("archive/walks", {key: walk_summary(walk, reason) for key, walk in self.walks.items()})


def walk_summary(walk: Walk, reason: str) -> dict:
    """A walk's figures in the shape ``crawler.summary.summarise`` reads from a crawl's stats."""
    return {**walk.counts, "downloader/request_count": walk.counts.get("requests", 0),
            "finish_reason": reason, "archive/failed": walk.failed}
