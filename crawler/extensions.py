"""Small extensions that make failures readable."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError
from twisted.internet.error import ConnectError, DNSLookupError, NoRouteError, TCPTimedOutError, TimeoutError

# Failures that mean "the host cannot be reached", as Twisted and Scrapy (≥ 2.19) raise them.
NETWORK_ERRORS = (
    CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError,
    DNSLookupError, ConnectError, NoRouteError, TCPTimedOutError, TimeoutError,
)


class _StripNetworkTracebacks(logging.Filter):
    """A network failure is a one-line message, not a page of traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, NETWORK_ERRORS):
            record.exc_info = None
            record.exc_text = None
        return True


class QuietNetworkErrors:
    """Drops tracebacks of DNS/connection errors from Scrapy's logs (robots.txt, retries) while
    a crawl runs; the filters go when it closes (several crawls in one process add none twice)."""

    LOGGERS = (
        "scrapy.downloadermiddlewares.robotstxt",
        "scrapy.downloadermiddlewares.retry",
        "scrapy.core.scraper",
        "scrapy.core.engine",
    )

    def __init__(self):
        self.filter = _StripNetworkTracebacks()
        for name in self.LOGGERS:
            logging.getLogger(name).addFilter(self.filter)

    @classmethod
    def from_crawler(cls, crawler):
        extension = cls()
        crawler.signals.connect(extension.remove, signal=signals.engine_stopped)
        return extension

    def remove(self) -> None:
        for name in self.LOGGERS:
            logging.getLogger(name).removeFilter(self.filter)
