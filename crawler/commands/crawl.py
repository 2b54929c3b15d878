"""``scrapy crawl`` with an honest exit status and a one-line summary.

Scrapy exits 0 whenever the crawl ran, even if nothing could be fetched. Here the process
exits 1 when the spider finished for any reason other than ``finished``, or when a component
marked the crawl as failed (stat ``archive/failed``: host unreachable, cassette miss, …). The
crawl ends with the summary ``crawlall`` prints (new, changed, unchanged, gone, failed,
requests). Feed exports (``-o``/``-O``) are refused: what a crawl produces is the archive, and
``archive export`` writes its reports with their provenance.
"""

from __future__ import annotations

import logging

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from archive.records import utcnow
from archive.store import ArchiveError, check_location, default_path
from crawler.cassette import check_cassette
from crawler.commands import check_registry
from crawler.summary import crawl_failure, format_summary, summarise

logger = logging.getLogger(__name__)


class Command(ScrapyCrawl):
    def process_options(self, args, opts):
        super().process_options(args, opts)
        check_registry(self.settings)

    def run(self, args, opts):
        if len(args) != 1:
            raise UsageError("usage: scrapy crawl <spider> [-a name=value] [-s SETTING=value]")
        if opts.output or opts.overwrite_output:
            raise UsageError("feed exports (-o/-O) are not used here: the crawl stores into the archive "
                             "(ARCHIVE_DB); write its reports with: archive export --format jsonl -o reports.jsonl",
                             print_help=False)
        try:
            check_location(self.settings.get("ARCHIVE_DB") or default_path())
        except ArchiveError as exc:
            raise UsageError(str(exc), print_help=False) from exc
        cassette = self.settings.get("CASSETTE")
        if cassette:
            try:
                check_cassette(cassette, self.settings.get("CASSETTE_RECORD_MODE", "none"))
            except (ValueError, FileNotFoundError) as exc:
                raise UsageError(str(exc), print_help=False) from exc
        spidercls = self.crawler_process.spider_loader.load(args[0])
        check = getattr(spidercls, "check_arguments", None)
        if check is not None:
            try:
                check(**opts.spargs)
            except ValueError as exc:
                raise UsageError(str(exc), print_help=False) from exc
        crawler = self._create_crawler(spidercls)
        started = utcnow()
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        stats = crawler.stats.get_stats() if crawler.stats else {}
        print(format_summary([(getattr(crawler.spider, "name", args[0]), summarise(stats))], started, utcnow()))
        failure = crawl_failure(stats)
        if failure:
            logger.error("Crawl %s failed: %s", args[0], failure)
            self.exitcode = 1
