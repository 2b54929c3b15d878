"""Store what the spiders fetched, through the ``archive`` library."""

from __future__ import annotations

import logging
import os

from scrapy import signals

from archive.ingest import software_versions
from archive.meta import agency_from_title, report_year
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

    async def process_item(self, item):
        kind = item.get("kind")
        if kind == "fetch":
            self.archive.record_fetch(item["fetch"], item.get("state"), item.get("listed"))
            self.stats.inc_value(f"archive/fetch/{item['fetch'].get('outcome') or 'unknown'}")
            return item
        if kind == "file":
            return await self.process_file(item)
        if kind != "page":
            raise ValueError(f"unknown item kind {kind!r}")
        fetch = dict(item["fetch"])
        result = item["examined"]
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

    async def process_file(self, item):
        """A downloaded document: stored once per content, its text extracted; linked to the page
        it came from, or, when a list entry pointed straight at it, stored as the report itself.
        The parser runs in a child process that is awaited: downloads go on meanwhile."""
        from archive.files import extract_async

        fetch, body = dict(item["fetch"]), item["body"]
        content_type = (item["headers"].get("Content-Type") or item["headers"].get("content-type") or [None])[0]
        settings = self.crawler.settings
        extracted = await extract_async(body, item.get("name") or fetch.get("url"), content_type,
                                        max_bytes=settings.getint("ARCHIVE_MAX_ATTACHMENT_BYTES"),
                                        timeout=settings.getfloat("ARCHIVE_EXTRACT_TIMEOUT"))
        info = {**vars(extracted), "error": extracted.error, "software": software_versions()}
        self.stats.inc_value(f"archive/files/{extracted.kind}")
        if extracted.error:
            self.stats.inc_value("archive/files/errors")
            logger.warning("File %s stored without text: %s", fetch.get("url"), extracted.error)
        if extracted.scanned:
            self.stats.inc_value("archive/files/scanned")
        report = item.get("report")
        if report is None:  # an attachment of a report page
            digest, new = self.archive.store_file({**fetch, "outcome": "attachment"}, body, content_type, info,
                                                  report_url=item.get("linked_from"), name=item.get("name"),
                                                  state=item.get("state"))
            self.stats.inc_value("archive/attachments/new_file" if new else "archive/attachments/known_file")
            return item
        if extracted.error or not (extracted.text.strip() or extracted.scanned):
            # kept as a file with its error; not a report version (there is no text to show)
            self.archive.store_file({**fetch, "outcome": "file-unreadable", "reason": extracted.error or "no text"},
                                    body, content_type, info, report_url=None, name=item.get("name"))
            self.stats.inc_value("archive/rejected/unreadable-file")
            return item
        # the report is the file: its text is the current version's text (one exchange, one transaction)
        title = report.get("list_title")
        report = {**report, "title": title, "agency": agency_from_title(title), "report_year": report_year(title),
                  "pub_date": report.get("list_date"), "attachments": [{"url": fetch.get("final_url"), "name": title}]}
        version = {"raw": body, "text": extracted.text, "tables": extracted.tables, "content_type": content_type,
                   "extractor": extracted.extractor + (f" (error: {extracted.error})" if extracted.error else ""),
                   "software": software_versions(), "metadata": {"file": {k: info[k] for k in ("kind", "pages", "scanned", "error")}}}
        stored = self.archive.store_report({**fetch, "outcome": "report"}, report, version, item.get("state"),
                                           file={**info, "name": item.get("name")})
        self.stats.inc_value(f"archive/reports/{stored.outcome}")
        logger.info("%s report (file): %s (%s)", stored.outcome.capitalize(), title, report["url"])
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
