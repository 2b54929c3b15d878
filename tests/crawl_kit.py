"""Running crawls in tests: fast settings, a spider for a local test portal, and reading what a
crawl stored (``rows``, ``value``: a connection of their own, closed after each query)."""

from __future__ import annotations

import sqlite3
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


def rows(db_path, sql: str, *params) -> list[dict]:
    """The rows of a query on the archive at ``db_path``, as dicts."""
    con = sqlite3.connect(db_path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute(sql, params)]
    finally:
        con.close()


def value(db_path, sql: str, *params):
    """The first column of the first row of a query on the archive at ``db_path``."""
    con = sqlite3.connect(db_path)
    try:
        return con.execute(sql, params).fetchone()[0]
    finally:
        con.close()
