"""Downloader middlewares of the archive's own.

``Capture`` keeps every HTTP request and response as they crossed the wire (each redirect hop,
each retried error, robots.txt, the final answer): it sits just above the cassette middleware
(950), below HTTP compression (590) and redirects (600), so it sees a gzip body still compressed
with its ``Content-Encoding`` and every hop before it is followed. Each becomes an
``archive.records.Capture`` in the request's meta (``CAPTURES``), which ``crawler.provenance``
puts on the fetch the spider records; the archive stores them (``captures``, ``payloads``).

``RetryAfter`` makes Scrapy's retry of a 429 or 503 wait what the server asked (``Retry-After``,
seconds or an HTTP date; at most ``ARCHIVE_MAX_RETRY_AFTER`` seconds) instead of retrying at once.

``CleaningBacklog`` holds back a download while ``ARCHIVE_CLEAN_BACKLOG`` report pages wait for
the cleaning workers (``archive.workers``): Scrapy stops taking requests from its scheduler while
the requests held fill its concurrency, so a crawl that downloads faster than its pages are
cleaned keeps a bounded number of pages in memory instead of every page downloaded ahead.
(Scrapy's own bound, ``SCRAPER_SLOT_MAX_ACTIVE_SIZE``, counts bytes: 5 MB of short pages is
thousands of responses, each with its request, provenance and cleaning task.)

``RedirectGuard`` sees every redirect before Scrapy's RedirectMiddleware follows it, and refuses
the hops that leave the portal — another host, another port of the same host, a scheme that is
not http(s), a metadata or other address the portal does not answer on — and loops. A refused
redirect is not dropped: its response goes to the spider's callback, marked, so that the fetch
is recorded with its status, its Location and why it was not followed.
"""

from __future__ import annotations

import asyncio
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from w3lib.url import safe_url_string

from archive.records import Capture as CaptureRecord
from archive.records import utcnow
from crawler.provenance import CAPTURES  # request meta key: the hops captured so far (redirects, retries carry it)

REDIRECTS = (301, 302, 303, 307, 308)
REFUSED = "refused_redirect"  # request meta key: why the redirect was not followed


SECRET_HEADERS = (b"authorization", b"proxy-authorization")  # credentials: kept as their scheme only


def header_pairs(headers, redact: bool = False) -> list[tuple[str, str]]:
    """Scrapy ``Headers`` as ``[(name, value), …]``: names as Scrapy keeps them, every value;
    ``redact``: an Authorization header keeps its scheme, not the credentials (the archive and
    its WARC export are published)."""
    out = []
    for key, values in headers.items():
        for value in values:
            if redact and key.lower() in SECRET_HEADERS:
                value = value.split(b" ", 1)[0] + b" [redacted]"
            out.append((key.decode("latin-1"), value.decode("latin-1")))
    return out


class Capture:
    """Downloader middleware (priority 940): every response as received, with its request."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.enabled = crawler.settings.getbool("ARCHIVE_CAPTURE", True)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        if not self.enabled:
            return response
        ip = getattr(response, "ip_address", None)
        capture = CaptureRecord(
            url=request.url, method=request.method, request_headers=header_pairs(request.headers, redact=True),
            request_body=request.body or None, status=response.status,
            protocol=getattr(response, "protocol", None), response_headers=header_pairs(response.headers),
            payload=response.body, captured_at=utcnow(), ip_address=str(ip) if ip else None,
            cassette="cassette" in response.flags,
            truncated="length" if ("dataloss" in response.flags or "partial" in response.flags) else None)
        # a new list each hop: the redirected or retried request gets a shallow copy of this meta
        request.meta[CAPTURES] = [*request.meta.get(CAPTURES, []), capture]
        self.crawler.stats.inc_value("archive/captures")
        return response


class CleaningBacklog:
    """Downloader middleware (priority 50, first): a request waits while the cleaning backlog is full."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.limit = crawler.settings.getint("ARCHIVE_CLEAN_BACKLOG", 64)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        cleaner = getattr(self.crawler.spider, "cleaner", None)
        if cleaner is None or self.limit <= 0 or cleaner.backlog < self.limit:
            return None
        return self._wait(cleaner)  # Scrapy awaits it (a coroutine) before the download

    async def _wait(self, cleaner) -> None:
        self.crawler.stats.inc_value("archive/clean/backlog_waits")
        await cleaner.room(self.limit)


class RedirectGuard:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        spider = self.crawler.spider
        if response.status not in REDIRECTS or request.meta.get("dont_redirect"):
            return response
        location = response.headers.get("Location")
        portal_for = getattr(spider, "portal_for", None)
        portal = portal_for(request) if portal_for is not None else getattr(spider, "portal", None)
        if not location or portal is None:
            return response
        target = safe_url_string(urljoin(request.url, location.decode("latin-1")))
        reason = portal.answers(target)
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if reason is None and target in chain:
            reason = "a redirect loop"
        if reason is None:
            return response
        request.meta[REFUSED] = f"redirect to {target} not followed: {reason}"
        request.meta["dont_redirect"] = True
        request.meta["handle_httpstatus_list"] = [*request.meta.get("handle_httpstatus_list", []), response.status]
        self.crawler.stats.inc_value("archive/redirects_refused")
        return response


class RetryAfter:
    """Runs before RetryMiddleware (550) sees the response: waits, then lets it retry."""

    STATUSES = (429, 503)

    def __init__(self, crawler):
        self.crawler = crawler
        self.limit = crawler.settings.getfloat("ARCHIVE_MAX_RETRY_AFTER", 60)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_response(self, request, response):
        if response.status not in self.STATUSES or not self.crawler.settings.getbool("RETRY_ENABLED"):
            return response
        retries = request.meta.get("retry_times", 0)
        if retries >= request.meta.get("max_retry_times", self.crawler.settings.getint("RETRY_TIMES")):
            return response
        delay = retry_after(response.headers.get("Retry-After"))
        if delay is None:
            return response
        if delay > self.limit:
            self.crawler.stats.inc_value("archive/retry_after_too_long")
            return response
        self.crawler.stats.inc_value("archive/retry_after_waits")
        await asyncio.sleep(delay)
        return response


def retry_after(value) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date), None if unreadable."""
    if not value:
        return None
    text = value.decode("latin-1").strip() if isinstance(value, bytes) else str(value).strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - time.time())
    except (TypeError, ValueError, IndexError):
        return None
