"""Any annual-report column: ``scrapy crawl column -a url=<column URL> [-a platform=trs]``, or a
registered one by its id: ``scrapy crawl column -a portal=guangzhou`` (its column, platform and
sections from the registry; with ``-a url=`` one of its columns, e.g. an alternate).

The platform (CMS family) is detected from the first page — URL shape, markup, scripts — unless
``-a platform=`` names it; what was detected and why is logged. Only the hosts of the given URL
are followed. Everything else is the shared portal crawling (incremental, attachments, …).

A URL inside a registered portal's column (``crawler.portals.PORTALS``) is crawled as part of
that portal: its reports are stored under the portal's name and sections, whichever spider
finds them first. Any other column is its own portal, named after its host; its reports are
marked gone only by a walk of that column (``reports.column``), never by another column's.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

from archive.decode import DecodeError, decode_html
from crawler.platforms import get_platform
from crawler.platforms.common import folder_of
from crawler.platforms.detect import detect
from crawler.platforms.gkmlpt import api_url, category_of
from archive.registry import PLATFORMS
from crawler.portals import PORTALS, Portal, host_of, registered_portal
from crawler.spiders.base import PortalSpider


class ColumnSpider(PortalSpider):
    name = "column"
    portal = None  # made from -a url=…; crawlall skips this spider

    @staticmethod
    def registered(portal: str | None, url: str | None) -> str | None:
        """The column URL to crawl: ``url``, or the column of the registered ``portal`` (which
        ``url``, if given too, must belong to)."""
        if not portal:
            return url
        known = PORTALS.get(portal)
        if known is None:
            raise ValueError(f"no portal {portal!r} in the registry; known: {', '.join(sorted(PORTALS))}")
        if known.status == "retired":
            raise ValueError(f"the portal {portal} is retired in the registry: it is not crawled")
        if url and registered_portal(url) is not known:
            raise ValueError(f"{url} is not a column of the portal {portal} ({' '.join((known.column, *known.alternates))})")
        return url or known.column

    @classmethod
    def check_arguments(cls, url: str | None = None, platform: str | None = None, category: str | None = None,
                        portal: str | None = None, **others) -> None:
        url = cls.registered(portal, url)
        if not url:
            raise ValueError("the column spider needs -a url=<column URL> or -a portal=<registry id>")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        if platform and platform not in PLATFORMS:
            raise ValueError(f"unknown platform {platform!r}; known: {', '.join(PLATFORMS)}")
        if others.get("sections"):
            raise ValueError("the column spider crawls one column: -a sections= does not apply")
        if category is not None and not str(category).isdigit():
            raise ValueError(f"a gkmlpt category is a number, not {category!r}")
        if (platform == "gkmlpt" or "/gkmlpt/" in parts.path) and not (category or category_of(url)):
            raise ValueError("a gkmlpt column is one category of the 公开目录: give its id, as "
                             "…/gkmlpt/index#<id>, -a category=<id>, or the …/gkmlpt/api/all/<id>?sid=<SID> URL")
        super().check_arguments(**others)

    def __init__(self, *args, url: str | None = None, platform: str | None = None, category: str | None = None,
                 portal: str | None = None, **kwargs):
        self.check_arguments(url=url, platform=platform, category=category, portal=portal)
        url = self.registered(portal, url)
        parts = urlsplit(url)
        self.start_url = urlunsplit(parts._replace(fragment=""))
        self.forced_platform = platform
        self.category = str(category) if category else category_of(url)
        column = folder_of(url)
        if "/gkmlpt/" in parts.path:  # one category of a site's 公开目录, listed through its JSON API
            column = urlunsplit((parts.scheme, parts.netloc, "/gkmlpt/", "", ""))
        known = registered_portal(url)
        if known is not None:
            self.portal, self.forced_platform = known, platform or known.platform
            column = known.canonical(column)
        else:
            self.portal = Portal(name=parts.hostname, region="", platform=platform or "generic",
                                 column=column, hosts=(host_of(url),), scheme=parts.scheme)
        self.column_root = column
        super().__init__(*args, **kwargs)
        # crawl state and "previous crawl complete" are per column, not shared by all columns
        self.name = f"column:{column}" + (f"#{self.category}" if self.category else "")

    async def start(self):
        async for request in super().start():
            if request.url == self.column_root and request.callback == self.parse_list:
                request = request.replace(url=self.start_url, callback=self.parse_first)
            yield request

    def parse_first(self, response):
        try:
            text = decode_html(response.body, response.headers.get("Content-Type")).text if response.body else ""
        except DecodeError:
            text = None  # not text: parse_list records why
        if self.forced_platform:
            name, why = self.forced_platform, (f"the platform of the registered portal {self.portal.name}"
                                               if self.portal.name in PORTALS else "given with -a platform=")
        else:
            name, why = detect(response.url, text or "")
        platform = get_platform(name)
        if name == "gkmlpt":
            platform = replace(platform, category=self.category)
            if text and not text.lstrip().startswith("{") and api_url(response.url, text, self.category) is None:
                self.logger.warning("gkmlpt page %s shows no SID: cannot build the category's listing URL", response.url)
        self.walk_of(response).platform = platform
        self.crawler.stats.set_value("archive/platform", name)
        self.logger.info("Column %s: platform %s (%s)", response.url, name, why)
        yield from self.parse_list(response, text)
