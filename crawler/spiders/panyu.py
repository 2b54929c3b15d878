"""番禺区 panyu.gov.cn (Guangdong NFCMS): 区政府信息公开年报 bm/ (部门) and zj/ (镇街), year folders found on the pages."""

from crawler.portals import PORTALS
from crawler.spiders.base import PortalSpider


class PanyuSpider(PortalSpider):
    name = "panyu"
    portal = PORTALS["panyu"]
