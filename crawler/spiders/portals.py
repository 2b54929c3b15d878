"""One spider per portal of ``crawler.portals.PORTALS`` (``scrapy crawl guangzhou``, …).

A portal is data — column, hosts, sections, CMS platform — and its spider is
:class:`crawler.spiders.base.PortalSpider` configured with it: adding a portal to ``PORTALS``
adds its spider, with no code.
"""

from crawler.portals import PORTALS, Portal
from crawler.spiders.base import PortalSpider


def spider_for(portal: Portal) -> type[PortalSpider]:
    return type(f"{portal.name.capitalize()}Spider", (PortalSpider,), {
        "name": portal.name, "portal": portal, "__module__": __name__,
        "__doc__": f"{portal.region}: the annual-report column {portal.column} ({portal.platform} platform).",
    })


for _portal in PORTALS.values():
    globals()[f"{_portal.name.capitalize()}Spider"] = spider_for(_portal)
