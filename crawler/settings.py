"""Scrapy settings for the annual-report archive.

Everything here can be overridden on the command line (``-s NAME=value``). Archive-specific:

``ARCHIVE_DB``            the archive database (default: the ``ARCHIVE_DB`` environment variable,
                          else ``archive.db`` in the working directory; ``archive.store.default_path``).
``ARCHIVE_CONTACT``       how a site operator reaches whoever runs the crawl (URL or e-mail; default:
                          the ``ARCHIVE_CONTACT`` environment variable); goes into the User-Agent,
                          which the spiders build when the crawl starts. Set it when you crawl live.
``ARCHIVE_REGISTRY``      the registry of portals (a CSV file, ``archive.registry``; default: the
                          ``ARCHIVE_REGISTRY`` environment variable, else ``crawler/registry.csv``):
                          one spider per row.
``ARCHIVE_CAPTURE``       keep every response as received, with its request (default on; the
                          archive's ``captures`` and ``payloads``, exported as WARC).
``CASSETTE``              replay/record HTTP from/to a vcrpy cassette (see ``crawler.cassette``).
``CASSETTE_RECORD_MODE``  ``none`` (default: replay only), ``once``, ``new_episodes``, ``all``.
"""

import os

BOT_NAME = "annual-report-archive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"
SPIDER_LOADER_CLASS = "crawler.spiderloader.RegistrySpiderLoader"  # a spider per row of ARCHIVE_REGISTRY

ARCHIVE_DB = None  # archive.store.default_path()
ARCHIVE_REGISTRY = None  # archive.registry.source_of(): $ARCHIVE_REGISTRY, else crawler/registry.csv
ARCHIVE_CONTACT = None  # USER_AGENT is built from it by crawler.spiders.base.PortalSpider.update_settings

# Politeness: small government servers.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
# A crawl of many portals (scrapy crawl portals, scrapy crawlall): hosts fetched at once, each
# still one request at a time with its own delay
ARCHIVE_HOSTS_AT_ONCE = 64
# What one response yields is handed on by this many asyncio tasks at a time (Scrapy makes them
# for every response; its default, 100, costs more than a list page's twenty links are worth)
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9",
    # every request revalidates: no cache on the way may answer with a stale list page
    "Cache-Control": "max-age=0",
}

DOWNLOADER_MIDDLEWARES = {
    # first: no download starts while ARCHIVE_CLEAN_BACKLOG pages wait for the cleaning workers
    "crawler.middlewares.CleaningBacklog": 50,
    # next to the downloader: sees wire bytes (before decompression) and each redirect hop
    "crawler.cassette.CassetteMiddleware": 950,
    # just above it: keeps every request and response as received (crawler.middlewares.Capture)
    "crawler.middlewares.Capture": 940,
    # before RedirectMiddleware (600) sees a 3xx: hops off the portal are refused, and recorded
    "crawler.middlewares.RedirectGuard": 650,
    # before RetryMiddleware (550) sees a 429/503: the retry waits what Retry-After asks
    "crawler.middlewares.RetryAfter": 560,
}
ITEM_PIPELINES = {
    "crawler.pipelines.ArchivePipeline": 300,
}
# The crawl's process collects reference cycles every this many container allocations (net)
# while a crawl runs, not CPython's 700 (crawler.extensions.CycleCollection); 0 = CPython's own.
GC_GEN0_THRESHOLD = 10_000
EXTENSIONS = {
    "crawler.extensions.QuietNetworkErrors": 0,
    "crawler.extensions.CycleCollection": 0,
    "scrapy.extensions.remote_control.RemoteControl": None,  # no open port on a crawl machine
}

# Incremental crawls: re-check a known report (conditional GET) after this many days; 0 = never
ARCHIVE_REVALIDATE_DAYS = 30

# Attachments (PDF, DOCX, …) linked from report pages are downloaded and their text extracted.
ARCHIVE_ATTACHMENTS = True
ARCHIVE_CAPTURE = True  # every response as received, with its request (captures, payloads; WARC export)
ARCHIVE_MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
ARCHIVE_MAX_PAGE_BYTES = 8 * 1024 * 1024  # list and report pages (archive.ingest.MAX_PAGE_BYTES)
ARCHIVE_MAX_RETRY_AFTER = 60  # seconds: a longer Retry-After is not waited for
ARCHIVE_EXTRACT_TIMEOUT = 120  # seconds per file

# Report pages are decoded and cleaned in a pool of worker processes (archive.workers), off the
# crawl's thread. Workers: 0 = one per core; -1 = clean in the crawl's own process (no budget).
# A page that takes longer, or more memory, than its budget is stored flagged (versions.incomplete).
ARCHIVE_CLEAN_WORKERS = 0
ARCHIVE_CLEAN_TIMEOUT = 60  # seconds per page
ARCHIVE_CLEAN_MEMORY = 1 << 30  # bytes of address space a worker may add for one page
ARCHIVE_CLEAN_BATCH = 8  # pages sent to a worker in one task at most (1: each page alone)
ARCHIVE_CLEAN_BACKLOG = 64  # pages waiting for cleaning before downloads wait too (0: no bound)

# Writes are grouped: one transaction (one sync to disk) per this many items or seconds, whichever
# comes first. A crash loses at most that much work, which the next run fetches again.
ARCHIVE_COMMIT_ITEMS = 200
ARCHIVE_COMMIT_SECONDS = 1.0
# The archive is written from a process of its own (archive.writer), off the crawl's thread;
# False writes from the crawl's thread (a debugger in the store, or where processes cannot start).
ARCHIVE_WRITER_PROCESS = True

# scrapy crawl discover: requests per site at most (robots.txt included), and links deep from the homepage
ARCHIVE_DISCOVER_BUDGET = 50
ARCHIVE_DISCOVER_DEPTH = 4

CASSETTE = None
CASSETTE_RECORD_MODE = "none"

LOG_LEVEL = os.environ.get("SCRAPY_LOG_LEVEL", "INFO")
# A crawl ends with its one-line summary (crawler.summary), not Scrapy's raw stats dict; the
# full stats are kept in the archive (crawls.stats).
STATS_DUMP = False
FEED_EXPORT_ENCODING = "utf-8"
