"""Running crawls in tests: fast settings and a spider for a local test portal."""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.portals import Portal as PortalConfig
from crawler.spiders.base import PortalSpider

# no politeness delays against a local server; retries off unless a test is about them
FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
        "LOG_LEVEL": "WARNING", "RETRY_ENABLED": False}


def spider_for(url: str) -> type[PortalSpider]:
    """A portal spider for the NFCMS-style test portal of ``tests/portal_server.py`` at ``url``."""
    netloc = urlsplit(url).netloc
    config = PortalConfig(name="testportal", region="测试市", platform="nfcms", column=url,
                          sections={"bm": "市政府部门"}, hosts=(netloc,), containers=("#zoomcon",), scheme="http")
    return type("TestPortalSpider", (PortalSpider,), {"name": "testportal", "portal": config})
