"""松原 (Jilin, TRS WCM, GBK pages): xxgk/sysrmzf/syrmzfbgs/ndbg/ list, index_N paging."""

from crawler.portals import PORTALS
from crawler.spiders.base import PortalSpider


class SongyuanSpider(PortalSpider):
    name = "songyuan"
    portal = PORTALS["songyuan"]
