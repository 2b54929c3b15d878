"""Store what the spiders fetched, through the ``archive`` library: one method per item type.

The archive is written from a process of its own (``archive.writer``; ``ARCHIVE_WRITER_PROCESS``):
each item's storing is submitted there, in the order items arrive, and awaited, so the crawl's
thread goes on downloading meanwhile."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3

from scrapy import signals
from twisted.internet import task

from archive.files import Extracted, extract_async
from archive.ingest import file_info, file_report, unreadable
from archive.records import Version
from archive.software import software_versions
from archive.store import ArchiveError, default_path
from archive.writer import Writer, WriterGone
from crawler.items import FetchItem, FileItem, LinkItem, PageItem
from crawler.provenance import fetch_record

logger = logging.getLogger(__name__)

# what says that nothing more can be stored: SQLite's errors, the file system's, the writer's end
STORAGE_ERRORS = (sqlite3.OperationalError, sqlite3.DatabaseError, OSError, WriterGone)


def shared_writer(settings) -> Writer:
    """This process's writer of the crawl's archive (``ARCHIVE_DB``): in a process of its own
    unless ``ARCHIVE_WRITER_PROCESS`` is off; the pipeline and a spider that stores what it found
    share it (give it back with ``release``)."""
    return Writer.shared(settings.get("ARCHIVE_DB") or default_path(),
                         in_process=not settings.getbool("ARCHIVE_WRITER_PROCESS", True))


class ArchivePipeline:
    """Writes fetches, reports and versions to the archive database (``ARCHIVE_DB``)."""

    def __init__(self, crawler, path: str):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.archive: Writer | None = None
        self.job_id: str | None = None
        self.storage_error: str | None = None
        # files being read (URL as requested → done): a link to one waits until it is stored
        self._files_in_flight: dict[str, asyncio.Future] = {}
        self._walks_begun: set[str] = set()
        self._flushing = False  # a commit of a quiet spell is on its way to the writer
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, os.fspath(crawler.settings.get("ARCHIVE_DB") or default_path()))

    def open_spider(self):
        spider = self.crawler.spider
        settings = self.crawler.settings
        try:  # one writer per file in this process
            self.archive = shared_writer(settings)
        except ArchiveError as exc:
            self.stats.set_value("archive/failed", f"database: {exc}")
            raise
        self.job_id = spider.job_id
        seconds = settings.getfloat("ARCHIVE_COMMIT_SECONDS", 1.0)
        self.archive.call("start_crawl", self.job_id, spider.name, software_versions())
        self.archive.call("batch", settings.getint("ARCHIVE_COMMIT_ITEMS", 200), seconds)
        self._ticker = task.LoopingCall(self._flush)  # a quiet spell still commits what is pending
        self._ticker.start(max(seconds, 0.05), now=False)
        logger.info("Archiving into %s (crawl job %s)", self.path, self.job_id)

    def _flush(self) -> None:
        if self.archive is None or self.storage_error is not None or self._flushing:
            return
        self._flushing = True
        asyncio.ensure_future(self._guarded(self._do("flush", only_if_due=True))).add_done_callback(self._flushed)

    def _flushed(self, _) -> None:
        self._flushing = False

    def _do(self, method: str, *args, **kwargs) -> asyncio.Future:
        """``Archive.<method>`` submitted to the writer now (done after what was submitted
        before it): the future of its answer."""
        return asyncio.wrap_future(self.archive.submit(method, *args, **kwargs))

    async def _guarded(self, write: asyncio.Future) -> None:
        """A write nothing else waits for (robots.txt, the commit of a quiet spell): a failure is
        a storage failure all the same."""
        try:
            await write
        except STORAGE_ERRORS as exc:
            if self.storage_error is None:
                self._storage_failed(exc)

    async def process_item(self, item):
        if self.storage_error is not None:  # nothing more can be stored: the crawl is stopping
            self.stats.inc_value("archive/not_stored")
            return item
        try:
            await self._store(item)
        except STORAGE_ERRORS as exc:
            if self.storage_error is None:
                self._storage_failed(exc)
            else:  # items in flight when the storage failed: said once already
                self.stats.inc_value("archive/not_stored")
        return item

    def _storage_failed(self, exc: BaseException) -> None:
        """The archive cannot be written (disk full, file too large, I/O error, read-only): stop
        the crawl now, say so once, in one line (never the page), and let the next run fetch what
        was not stored (the crawl is not recorded as finished)."""
        self.storage_error = f"{type(exc).__name__}: {exc}"
        self.stats.set_value("archive/failed", f"storage failed: {self.storage_error}")
        self.stats.inc_value("archive/not_stored")
        logger.error("Cannot store into %s (%s): stopping the crawl. Nothing stored is lost; the next run "
                     "fetches what this one could not store.", self.path, self.storage_error)
        engine = self.crawler.engine
        if engine is not None:
            asyncio.ensure_future(engine.close_spider_async(reason="storage-failed"))

    def _count(self, fetch, key: str) -> None:
        """A figure of the crawl, and of the walk the exchange belongs to (``fetch.spider``)."""
        walk = self._walks().get(fetch.spider)
        if walk is not None:
            walk.inc(key)
        else:
            self.stats.inc_value(key)

    def _walks(self) -> dict:
        return getattr(self.crawler.spider, "walks", None) or {}

    def _begin_walk(self, fetch):
        """A crawl of many columns keeps one ``crawls`` row per column walked (under the key its
        state is kept under), begun with the walk's first stored exchange: the future of that
        write, or None."""
        walk = self._walks().get(fetch.spider) if fetch is not None else None
        if walk is None or walk.job_id == self.job_id or walk.key in self._walks_begun:
            return None
        self._walks_begun.add(walk.key)
        return self._do("start_crawl", walk.job_id, walk.key, software_versions())

    async def _store(self, item):
        if (begun := self._begin_walk(getattr(item, "fetch", None))) is not None:
            await begun
        if isinstance(item, FetchItem):
            await self._do("record_fetch", item.fetch, item.state, item.listed)
            self._count(item.fetch, f"archive/fetch/{item.fetch.outcome or 'unknown'}")
        elif isinstance(item, PageItem):
            await self.process_page(item)
        elif isinstance(item, FileItem):
            await self._process_file_once(item)
        elif isinstance(item, LinkItem):
            in_flight = self._files_in_flight.get(item.url)
            if in_flight is not None:  # the file is still being read: link it once it is stored
                await asyncio.shield(in_flight)
            linked = await self._do("link_attachment", item.report_url, item.url, item.name)
            self.stats.inc_value("archive/attachments/linked" if linked else "archive/attachments/link_pending")
        else:
            raise TypeError(f"the archive pipeline stores FetchItem, PageItem, FileItem and LinkItem, not {type(item).__name__}")

    async def process_page(self, item: PageItem) -> None:
        result = item.examined
        if not result.is_report_page:
            await self._do("record_fetch", item.fetch.but(outcome=result.kind, reason=result.reason))
            self._count(item.fetch, f"archive/rejected/{result.kind}")
            logger.warning("Not stored: %s — %s", item.fetch.final_url or item.fetch.url, result.reason)
            return
        cleaned, decoded = result.cleaned, result.decoded
        md = cleaned.metadata
        report = item.report
        report.title = md.get("title") or report.list_title
        report.agency, report.report_year, report.source = md.get("agency"), md.get("report_year"), md.get("source")
        report.pub_date = md.get("pub_date") or report.list_date
        report.site_meta, report.attachments = md.get("meta"), cleaned.attachments
        version = Version(raw=item.body, text=cleaned.text, text_simplified=cleaned.text_simplified,
                          tables=cleaned.tables, content_type=item.fetch.content_type, **decoded.as_provenance(),
                          extractor=cleaned.extractor, software=software_versions(), container=cleaned.container,
                          incomplete=cleaned.incomplete,
                          removed=cleaned.removed, metadata=md)
        stored = await self._do("store_report", item.fetch.but(outcome="report"), report, version, item.state)
        self._count(item.fetch, f"archive/reports/{stored.outcome}")
        if cleaned.incomplete:
            self._count(item.fetch, "archive/reports/incomplete")
            logger.warning("Stored flagged incomplete: %s — %s", report.url, cleaned.incomplete)
        self.stats.inc_value("archive/chrome_lines_removed", len(cleaned.removed))
        self.stats.inc_value(f"archive/encoding/{decoded.method}")
        if decoded.errors:
            self.stats.inc_value("archive/encoding/damaged")
            logger.warning("%s: %d byte sequence(s) not valid %s, kept as U+FFFD (declared %s)", report.url,
                           decoded.errors, decoded.encoding, decoded.declared)
        logger.info("%s report: %s (%s)", stored.outcome.capitalize(), report.title, report.url)

    async def _process_file_once(self, item: FileItem) -> None:
        key = item.fetch.url
        done = asyncio.get_running_loop().create_future()
        self._files_in_flight[key] = done
        try:
            await self.process_file(item)
        finally:
            if self._files_in_flight.get(key) is done:
                del self._files_in_flight[key]
            done.set_result(None)

    async def process_file(self, item: FileItem) -> None:
        """A downloaded document: stored once per content, its text extracted; linked to the page
        it came from, or, when a list entry pointed straight at it, stored as the report itself.
        The parser runs in a child process that is awaited: downloads go on meanwhile."""
        settings = self.crawler.settings
        extracted = await extract_async(item.body, item.name or item.fetch.url, item.content_type,
                                        max_bytes=settings.getint("ARCHIVE_MAX_ATTACHMENT_BYTES"),
                                        timeout=settings.getfloat("ARCHIVE_EXTRACT_TIMEOUT"))
        info = file_info(extracted)
        self.stats.inc_value(f"archive/files/{extracted.kind}")
        if extracted.error_kind:
            self.stats.inc_value("archive/files/errors")
            self.stats.inc_value(f"archive/files/error/{extracted.error_kind}")
            logger.warning("File %s stored without text: %s", item.fetch.url, extracted.error)
        if extracted.scanned:
            self.stats.inc_value("archive/files/scanned")
        if item.report is None:  # an attachment of a report page
            _, new = await self._do("store_file", item.fetch.but(outcome="attachment"), item.body, item.content_type,
                                    info, report_url=item.linked_from, name=item.name, state=item.state)
            self.stats.inc_value("archive/attachments/new_file" if new else "archive/attachments/known_file")
            for report_url, name in item.also_linked_from:  # the same file, linked by other reports
                await self._do("link_attachment", report_url, item.fetch.final_url or item.fetch.url, name)
                self.stats.inc_value("archive/attachments/linked")
        elif unreadable(extracted):
            # kept as a file with its error; not a report version (there is no text to show)
            await self._do("store_file", item.fetch.but(outcome="file-unreadable", reason=extracted.error or "no text"),
                           item.body, item.content_type, info, report_url=None, name=item.name)
            self._count(item.fetch, "archive/rejected/unreadable-file")
        else:
            await self._store_file_report(item, extracted, info)

    async def _store_file_report(self, item: FileItem, extracted: Extracted, info: dict) -> None:
        """The report is the file: its text is the current version's (one exchange, one transaction)."""
        report, title = item.report, item.report.list_title
        version = file_report(report, title, item.fetch.final_url, extracted, item.body, item.content_type)
        stored = await self._do("store_report", item.fetch.but(outcome="report"), report, version, item.state,
                                file={**info, "name": item.name})
        self._count(item.fetch, f"archive/reports/{stored.outcome}")
        logger.info("%s report (file): %s (%s)", stored.outcome.capitalize(), title, report.url)

    def response_received(self, response, request, spider):
        """Exchanges no spider callback sees (robots.txt) are provenance too."""
        if self.archive is None or not request.meta.get("dont_obey_robotstxt"):
            return
        if not request.url.endswith("/robots.txt"):
            return
        walk = next((w for w in self._walks().values() if w.portal.serves(request.url)), None)
        job, key = (walk.job_id, walk.key) if walk is not None else (self.job_id, spider.name)
        if walk is not None:
            if (begun := self._begin_walk(fetch_record(response, job, key))) is not None:
                asyncio.ensure_future(self._guarded(begun))  # submitted first: done first
        asyncio.ensure_future(self._guarded(self._do("record_fetch", fetch_record(response, job, key).but(outcome="robots"))))

    def spider_closed(self, spider, reason):
        if self.archive is None:
            return
        if getattr(self, "_ticker", None) is not None and self._ticker.running:
            self._ticker.stop()
        try:
            self._close(spider, reason)
        except STORAGE_ERRORS as exc:
            # the crawl row stays unfinished: the next run walks the whole column again
            logger.error("Cannot record the end of crawl %s in %s: %s", self.job_id, self.path, exc)
        finally:
            try:
                used = self.archive.release()  # commits what is pending
                for key, value in (used or {}).items():  # after the crawl's row: for who runs it
                    self.stats.set_value(f"archive/writer/{key}", value)
            except STORAGE_ERRORS as exc:
                logger.error("Cannot store the last writes of crawl %s in %s (%s): the next run fetches "
                             "what they held.", self.job_id, self.path, exc)

    def _close(self, spider, reason):
        if self.storage_error is not None:
            reason = "storage-failed"
        gone_total, walked = 0, False
        for walk in self._walks().values():
            if reason == "finished" and walk.walk_complete:
                walked = True
                gone = self.archive.call("mark_gone", walk.portal.name, walk.column_root, walk.job_id, walk.sections)
                walk.counts["archive/reports/gone"] = len(gone)
                gone_total += len(gone)
                for url in gone:
                    logger.warning("Report no longer listed (marked gone, kept): %s", url)
            if walk.job_id != self.job_id and walk.key in self._walks_begun:
                # a column of a crawl of many: finished only if it did, with its own figures
                self.archive.call("finish_crawl", walk.job_id, walk.failed or reason, dict(walk.counts))
        if walked:
            self.stats.set_value("archive/reports/gone", gone_total)
        self.archive.call("finish_crawl", self.job_id, reason, self.stats.get_stats())
