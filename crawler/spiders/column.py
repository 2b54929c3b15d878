"""Any annual-report column: ``scrapy crawl column -a url=<column URL> [-a platform=trs]``.

The platform (CMS family) is detected from the first page — URL shape, markup, scripts — unless
``-a platform=`` names it; what was detected and why is logged. Only the hosts of the given URL
are followed. Everything else is the shared portal crawling (incremental, attachments, …).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from archive.decode import decode_html
from crawler.platforms import get_platform
from crawler.platforms.common import folder_of
from crawler.platforms.detect import detect
from crawler.portals import Portal
from crawler.spiders.base import PortalSpider

PLATFORMS = ("nfcms", "trs", "hanweb", "hunan", "gkmlpt", "generic")


class ColumnSpider(PortalSpider):
    name = "column"
    portal = None  # made from -a url=…; crawlall skips this spider

    @classmethod
    def check_arguments(cls, url: str | None = None, platform: str | None = None, **others) -> None:
        if not url:
            raise ValueError("the column spider needs -a url=<column URL>")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        if platform and platform not in PLATFORMS:
            raise ValueError(f"unknown platform {platform!r}; known: {', '.join(PLATFORMS)}")
        if others.get("sections"):
            raise ValueError("the column spider crawls one column: -a sections= does not apply")
        super().check_arguments(**others)

    def __init__(self, *args, url: str | None = None, platform: str | None = None, **kwargs):
        self.check_arguments(url=url, platform=platform)
        parts = urlsplit(url)
        self.start_url = url
        self.forced_platform = platform
        self.portal = Portal(name=parts.hostname, region="", platform=platform or "generic",
                             column=folder_of(url), hosts=(parts.netloc,), scheme=parts.scheme)
        super().__init__(*args, **kwargs)
        # crawl state and "previous crawl complete" are per column, not shared by all columns
        self.name = f"column:{folder_of(url)}"

    async def start(self):
        async for request in super().start():
            if request.url == self.portal.column and request.callback == self.parse_list:
                request = request.replace(url=self.start_url, callback=self.parse_first)
            yield request

    def parse_first(self, response):
        if self.forced_platform:
            name, why = self.forced_platform, "given with -a platform="
        else:
            text = decode_html(response.body, response.headers.get("Content-Type")).text if response.body else ""
            name, why = detect(response.url, text)
        self.platform = get_platform(name)
        self.crawler.stats.set_value("archive/platform", name)
        self.logger.info("Column %s: platform %s (%s)", response.url, name, why)
        yield from self.parse_list(response)
