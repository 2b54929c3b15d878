"""Store what the spiders fetched, through the ``archive`` library."""

from __future__ import annotations

import logging
import os

from scrapy import signals

from archive.ingest import examine, software_versions
from archive.store import Archive, ArchiveError, default_path

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Writes fetches, reports and versions to the archive database (``ARCHIVE_DB``)."""

    def __init__(self, crawler, path: str):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.archive: Archive | None = None
        self.job_id: str | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("ARCHIVE_DB") or default_path()
        return cls(crawler, os.fspath(path))

    def open_spider(self):
        spider = self.crawler.spider
        try:
            self.archive = Archive(self.path)
        except ArchiveError as exc:
            self.stats.set_value("archive/failed", f"database: {exc}")
            raise
        self.job_id = spider.job_id
        self.archive.start_crawl(self.job_id, spider.name, software_versions())
        logger.info("Archiving into %s (crawl job %s)", self.path, self.job_id)

    def process_item(self, item):
        kind = item.get("kind")
        if kind == "fetch":
            self.archive.record_fetch(item["fetch"], item.get("state"), item.get("listed"))
            self.stats.inc_value(f"archive/fetch/{item['fetch'].get('outcome') or 'unknown'}")
            return item
        if kind != "page":
            raise ValueError(f"unknown item kind {kind!r}")
        fetch = dict(item["fetch"])
        result = examine(item["status"], item["headers"], item["body"], item["url"], item.get("containers", ()))
        if not result.is_report_page:
            fetch.update(outcome=result.kind, reason=result.reason)
            self.archive.record_fetch(fetch)
            self.stats.inc_value(f"archive/rejected/{result.kind}")
            logger.warning("Not stored: %s — %s", item["url"], result.reason)
            return item
        cleaned, decoded = result.cleaned, result.decoded
        md = cleaned.metadata
        report = dict(item["report"])
        report.update(
            title=md.get("title") or report.get("list_title"),
            agency=md.get("agency"),
            report_year=md.get("report_year"),
            pub_date=md.get("pub_date") or report.get("list_date"),
            source=md.get("source"),
            site_meta=md.get("meta"),
            attachments=cleaned.attachments,
        )
        version = {
            "raw": item["body"],
            "text": cleaned.text,
            "text_simplified": cleaned.text_simplified,
            "tables": cleaned.tables,
            "content_type": fetch.get("content_type"),
            **decoded.as_provenance(),
            "extractor": cleaned.extractor,
            "software": software_versions(),
            "container": cleaned.container,
            "removed": cleaned.removed,
            "metadata": md,
        }
        fetch["outcome"] = "report"
        stored = self.archive.store_report(fetch, report, version, item.get("state"))
        self.stats.inc_value(f"archive/reports/{stored.outcome}")
        self.stats.inc_value("archive/chrome_lines_removed", len(cleaned.removed))
        self.stats.inc_value(f"archive/encoding/{decoded.method}")
        logger.info("%s report: %s (%s)", stored.outcome.capitalize(), report["title"], report["url"])
        return item

    def response_received(self, response, request, spider):
        """Exchanges no spider callback sees (robots.txt) are provenance too."""
        if self.archive is None or not request.meta.get("dont_obey_robotstxt"):
            return
        if not request.url.endswith("/robots.txt"):
            return
        self.archive.record_fetch(spider.fetch_record(response) | {"outcome": "robots"})

    def spider_closed(self, spider, reason):
        if self.archive is None:
            return
        if reason == "finished" and getattr(spider, "walk_complete", False):
            gone = self.archive.mark_gone(spider.portal.name, self.job_id, spider.sections)
            self.stats.set_value("archive/reports/gone", len(gone))
            for url in gone:
                logger.warning("Report no longer listed (marked gone, kept): %s", url)
        stats = self.stats.get_stats()
        self.archive.finish_crawl(self.job_id, reason, stats)
        self.archive.close()
