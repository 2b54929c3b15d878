"""广州市人民政府门户网站 (gz.gov.cn): 政府信息公开年报 column, sub-columns sbj/ bm/{YYYY}n/ gq/."""

from crawler.portals import PORTALS
from crawler.spiders.base import PortalSpider


class GuangzhouSpider(PortalSpider):
    name = "guangzhou"
    portal = PORTALS["guangzhou"]
