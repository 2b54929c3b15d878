"""``scrapy list``: Scrapy's own, refusing in one line a registry it cannot read."""

from scrapy.commands.list import Command as ScrapyList

from crawler.commands import check_registry


class Command(ScrapyList):
    def process_options(self, args, opts):
        super().process_options(args, opts)
        check_registry(self.settings)
