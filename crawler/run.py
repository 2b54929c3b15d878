"""Run crawls from Python (tests, scheduled runs): the same spiders, middlewares and pipelines
as ``scrapy crawl``, several crawls one after the other in one process.

    from crawler.run import run_crawl

    if __name__ == "__main__":  # required: the cleaning workers import the script's module
        stats = run_crawl("guangzhou", {"CASSETTE": "cassettes/guangzhou.yaml", "ARCHIVE_DB": "x.db"})
"""

from __future__ import annotations

import asyncio
import sys

from scrapy.utils.reactor import install_reactor, is_asyncio_reactor_installed

REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def _loop() -> asyncio.AbstractEventLoop:
    """The asyncio loop driven by Twisted's asyncio reactor, installing it if needed."""
    if "twisted.internet.reactor" not in sys.modules:
        install_reactor(REACTOR)
    if not is_asyncio_reactor_installed():
        raise RuntimeError("another Twisted reactor is installed; crawler.run needs the asyncio reactor")
    from twisted.internet import reactor

    if not reactor.running:
        # fire the reactor's startup triggers (its thread pool, used for DNS) without blocking in run()
        reactor.startRunning(installSignalHandlers=False)
    loop = reactor._asyncioEventloop
    # the thread's current loop (Scrapy asks for it): an earlier asyncio.run() in this thread unset it
    asyncio.set_event_loop(loop)
    return loop


def run_crawl(spider, settings: dict | None = None, **spider_args) -> dict:
    """Run one crawl (spider name or class) to its end and return its stats (with ``finish_reason``)."""
    loop = _loop()
    from scrapy.crawler import AsyncCrawlerRunner
    from scrapy.settings import Settings

    project = Settings()
    project.setmodule("crawler.settings", priority="project")
    for key, value in (settings or {}).items():
        project.set(key, value, priority="cmdline")
    runner = AsyncCrawlerRunner(project)
    crawler = runner.create_crawler(spider)
    try:
        loop.run_until_complete(runner.crawl(crawler, **spider_args))
    finally:
        _stop_thread_pool()
    return dict(crawler.stats.get_stats())


def _stop_thread_pool() -> None:
    """The reactor's thread pool (DNS lookups) has non-daemon threads: stop it after each crawl,
    or the interpreter waits for them forever at exit. The next crawl starts a new one."""
    from twisted.internet import reactor

    pool = getattr(reactor, "threadpool", None)
    if pool is not None:
        pool.stop()
        reactor.threadpool = None
