"""Small extensions: failures made readable, the collector of reference cycles tuned for a crawl."""

from __future__ import annotations

import gc
import logging
import threading

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


class CycleCollection:
    """Runs Python's collector of reference cycles less often while a crawl runs (the first
    generation collected every ``GC_GEN0_THRESHOLD`` container allocations net, not CPython's
    700); the previous thresholds come back when the last crawl of the process stops.

    A crawl keeps thousands of young objects alive at a time (requests waiting in the scheduler,
    their deferreds and futures, responses being read). At CPython's default each of them is
    traversed by many young collections, survives them and swells the old generation, whose full
    collections then traverse everything (60-70 ms each at 5,000-10,000 reports, the reactor
    stopped meanwhile). Measured on 2 cores over the test portal at 10,000 reports: the collector
    took 4.0 s of the crawl thread's CPU at the default and 1.3 s at 10,000 (a bare spider's: 2.3
    and 0.5 s). Cycles are still collected, in fewer, larger passes; what waits for collection is
    bounded by the threshold (a few MB).
    ``GC_GEN0_THRESHOLD = 0`` leaves the collector as it is."""

    _lock = threading.Lock()
    _running = 0
    _saved: tuple[int, int, int] | None = None

    def __init__(self, threshold: int):
        self.threshold = threshold
        self._started = False  # engine_stopped without engine_started (a crawl that failed to open) does nothing

    @classmethod
    def from_crawler(cls, crawler):
        threshold = crawler.settings.getint("GC_GEN0_THRESHOLD", 10_000)
        if threshold < 0:
            raise ValueError(f"GC_GEN0_THRESHOLD must be 0 (leave the collector alone) or more, not {threshold}")
        extension = cls(threshold)
        if threshold:
            crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
            crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_started(self) -> None:
        cls = type(self)
        with cls._lock:
            if self._started:
                return
            self._started = True
            if cls._running == 0:
                cls._saved = gc.get_threshold()
            cls._running += 1
            _, older, oldest = cls._saved
            gc.set_threshold(max(self.threshold, gc.get_threshold()[0]), older, oldest)

    def engine_stopped(self) -> None:
        cls = type(self)
        with cls._lock:
            if not self._started:
                return
            self._started = False
            cls._running -= 1
            if cls._running == 0 and cls._saved is not None:
                gc.set_threshold(*cls._saved)
                cls._saved = None
