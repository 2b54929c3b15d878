"""同心县 tongxin.gov.cn (Ningxia, TRS WCM): zfxxgknb/<name_id>/bmzsjg/ lists, createPageHTML paging."""

from crawler.portals import PORTALS
from crawler.spiders.base import PortalSpider


class TongxinSpider(PortalSpider):
    name = "tongxin"
    portal = PORTALS["tongxin"]
