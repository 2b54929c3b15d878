"""``scrapy crawl`` with an honest exit status.

Scrapy exits 0 whenever the crawl ran, even if nothing could be fetched. Here the process
exits 1 when the spider finished for any reason other than ``finished``, or when a component
marked the crawl as failed (stat ``archive/failed``: host unreachable, cassette miss, …).
"""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

logger = logging.getLogger(__name__)


def crawl_failure(stats: dict) -> str | None:
    """Why a finished crawl counts as failed, or None."""
    failed = stats.get("archive/failed")
    if failed:
        return str(failed)
    reason = stats.get("finish_reason")
    if reason and reason != "finished":
        return f"finish reason {reason}"
    if stats.get("cassette/miss"):
        return f"{stats['cassette/miss']} request(s) missing from the cassette"
    return None


class Command(ScrapyCrawl):
    def run(self, args, opts):
        if len(args) != 1:
            raise UsageError("usage: scrapy crawl <spider> [-a name=value] [-s SETTING=value]")
        cassette = self.settings.get("CASSETTE")
        mode = self.settings.get("CASSETTE_RECORD_MODE", "none")
        if cassette and mode == "none" and not Path(cassette).is_file():
            raise UsageError(f"cassette not found: {cassette} (record mode 'none' only replays an existing cassette)",
                             print_help=False)
        spidercls = self.crawler_process.spider_loader.load(args[0])
        check = getattr(spidercls, "check_arguments", None)
        if check is not None:
            try:
                check(**opts.spargs)
            except ValueError as exc:
                raise UsageError(str(exc), print_help=False) from exc
        crawler = self._create_crawler(spidercls)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        stats = crawler.stats.get_stats() if crawler.stats else {}
        failure = crawl_failure(stats)
        if failure:
            logger.error("Crawl %s failed: %s", args[0], failure)
            self.exitcode = 1
