"""衡阳 hengyang.gov.cn (Hunan intensive platform): zfxxgkndbg/ department lists, YYYYMMDD/i<id>.html reports."""

from crawler.portals import PORTALS
from crawler.spiders.base import PortalSpider


class HengyangSpider(PortalSpider):
    name = "hengyang"
    portal = PORTALS["hengyang"]
