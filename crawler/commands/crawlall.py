"""``scrapy crawlall``: every registered portal in one crawl, then a summary line per portal.

    scrapy crawlall [-a portals=guangzhou,panyu] [-a full=1] [-a revalidate=1] [-a years=2019-2024]
                    [-s ARCHIVE_DB=archive.db] [-s ARCHIVE_HOSTS_AT_ONCE=64] [-s LOG_FILE=crawl.log]

It runs the ``portals`` spider (``crawler.spiders.many``): all the columns are walked at once, each
host at its own polite pace, so one slow or failing portal never holds up the others. Each portal's
state is its own spider's (``scrapy crawl guangzhou`` and ``crawlall`` re-crawl incrementally from
each other's work). The summary (new, changed, unchanged, gone, failed, requests, status per portal)
is printed on standard output; the exit status is 1 if any portal failed.
"""

from __future__ import annotations

import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.utils.conf import arglist_to_dict

from archive.records import utcnow
from archive.store import ArchiveError, check_location, default_path
from crawler.summary import format_summary, summarise


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Crawl every registered portal at once and print a summary per portal"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE",
                            help="spider argument (portals=, full=, revalidate=, years=)")

    def process_options(self, args, opts):
        super().process_options(args, opts)
        try:
            opts.spargs = arglist_to_dict(opts.spargs)
        except ValueError as exc:
            raise UsageError("Invalid -a value, use -a NAME=VALUE", print_help=False) from exc
        from crawler.commands import check_registry

        check_registry(self.settings)

    def run(self, args, opts):
        from scrapy.utils.log import configure_logging

        from crawler.run import run_crawl
        from crawler.spiders.many import ManyPortalsSpider

        configure_logging(self.settings)  # LOG_FILE, LOG_LEVEL from -s apply to the crawl
        try:
            check_location(self.settings.get("ARCHIVE_DB") or default_path())
            ManyPortalsSpider.check_arguments(**opts.spargs)
        except (ArchiveError, ValueError) as exc:
            raise UsageError(str(exc), print_help=False) from exc
        settings = {k: self.settings[k] for k in self._cmdline_settings()}
        started = utcnow()
        stats = run_crawl(ManyPortalsSpider, settings, **opts.spargs)
        walks = stats.get("archive/walks") or {}
        rows = [(name, summarise(figures)) for name, figures in sorted(walks.items())]
        if not rows:  # the crawl ended before any walk began
            rows = [("portals", summarise(stats))]
        print(format_summary(rows, started, utcnow()))
        if any(s["error"] for _, s in rows) or stats.get("finish_reason") != "finished":
            self.exitcode = 1

    def _cmdline_settings(self):
        """Settings given with -s / in the environment: passed on to the crawl."""
        from scrapy.settings import SETTINGS_PRIORITIES

        for key in self.settings:
            if self.settings.getpriority(key) >= SETTINGS_PRIORITIES["cmdline"]:
                yield key


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: scrapy crawlall")
