"""One spider per portal of the registry (``scrapy crawl guangzhou``, …).

A portal is data — a row of the registry (``crawler.portals``): column, hosts, sections, CMS
platform — and its spider is :class:`crawler.spiders.base.PortalSpider` configured with it: adding a
row adds its spider, with no code. A retired row has none. The spiders of the registry given with
``-s ARCHIVE_REGISTRY=…`` are made by ``crawler.spiderloader``; those made here, when this module is
imported, are the registry's in ``$ARCHIVE_REGISTRY`` or the shipped one.
"""

from __future__ import annotations

import re

from crawler.portals import PORTALS, Portal
from crawler.spiders.base import PortalSpider


def class_name(portal: Portal) -> str:
    return "".join(p.capitalize() for p in re.split(r"[^a-z0-9]+", portal.name) if p) + "Spider"


def spider_for(portal: Portal) -> type[PortalSpider]:
    attrs = {"name": portal.name, "portal": portal, "__module__": __name__, "from_registry": True,
             "__doc__": f"{portal.region}: the annual-report column {portal.column} ({portal.platform} platform)."}
    return type(class_name(portal), (PortalSpider,), attrs)


def crawled(portals: dict[str, Portal]) -> list[Portal]:
    """The portals that have a spider: every row but the retired ones."""
    return [p for p in portals.values() if p.status != "retired"]


for _portal in crawled(PORTALS):
    globals()[class_name(_portal)] = spider_for(_portal)
