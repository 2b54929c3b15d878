"""Downloader middlewares of the archive's own.

``RedirectGuard`` sees every redirect before Scrapy's RedirectMiddleware follows it, and refuses
the hops that leave the portal — another host, another port of the same host, a scheme that is
not http(s), a metadata or other address the portal does not answer on — and loops. A refused
redirect is not dropped: its response goes to the spider's callback, marked, so that the fetch
is recorded with its status, its Location and why it was not followed.
"""

from __future__ import annotations

from urllib.parse import urljoin

from w3lib.url import safe_url_string

REDIRECTS = (301, 302, 303, 307, 308)
REFUSED = "refused_redirect"  # request meta key: why the redirect was not followed


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
        portal = getattr(spider, "portal", None)
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
