"""``scrapy crawlall``: every portal spider, one after the other, then a summary.

    scrapy crawlall [-a full=1] [-a revalidate=1] [-s ARCHIVE_DB=archive.db] [-s LOG_FILE=crawl.log]

Spider arguments given with ``-a`` go to every spider. The summary (one line per spider:
new, changed, unchanged, failed) is printed on standard output; the exit status is 1 if
any crawl failed. Spiders that need their own arguments (``column``) are not run.
"""

from __future__ import annotations

import sys

from scrapy.commands import ScrapyCommand
from scrapy.utils.conf import arglist_to_dict
from scrapy.exceptions import UsageError

from archive.records import utcnow
from archive.store import ArchiveError, check_location, default_path
from crawler.summary import format_summary, summarise


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[options]"

    def short_desc(self) -> str:
        return "Run every portal spider in turn and print a summary"

    def add_options(self, parser):
        super().add_options(parser)
        parser.add_argument("-a", dest="spargs", action="append", default=[], metavar="NAME=VALUE",
                            help="spider argument for every spider (may be repeated)")

    def process_options(self, args, opts):
        super().process_options(args, opts)
        try:
            opts.spargs = arglist_to_dict(opts.spargs)
        except ValueError as exc:
            raise UsageError("Invalid -a value, use -a NAME=VALUE", print_help=False) from exc
        from crawler.commands import check_registry

        check_registry(self.settings)

    def run(self, args, opts):
        from scrapy.spiderloader import get_spider_loader
        from scrapy.utils.log import configure_logging

        from crawler.run import run_crawl

        configure_logging(self.settings)  # LOG_FILE, LOG_LEVEL from -s apply to every crawl

        try:
            check_location(self.settings.get("ARCHIVE_DB") or default_path())
        except ArchiveError as exc:
            raise UsageError(str(exc), print_help=False) from exc
        loader = get_spider_loader(self.settings)
        names = [n for n in sorted(loader.list()) if getattr(loader.load(n), "portal", None) is not None]
        for name in names:
            check = getattr(loader.load(name), "check_arguments", None)
            if check:
                try:
                    check(**opts.spargs)
                except ValueError as exc:
                    raise UsageError(f"{name}: {exc}", print_help=False) from exc
        rows, started = [], utcnow()
        for name in names:
            settings = {k: self.settings[k] for k in self._cmdline_settings()}
            stats = run_crawl(name, settings, **opts.spargs)
            rows.append((name, summarise(stats)))
        print(format_summary(rows, started, utcnow()))
        if any(s["error"] for _, s in rows):
            self.exitcode = 1

    def _cmdline_settings(self):
        """Settings given with -s / in the environment: passed on to each crawl."""
        from scrapy.settings import SETTINGS_PRIORITIES

        for key in self.settings:
            if self.settings.getpriority(key) >= SETTINGS_PRIORITIES["cmdline"]:
                yield key


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: scrapy crawlall")
