"""Guangdong NFCMS portal (gz.gov.cn, panyu.gov.cn, gd.gov.cn …).

Detail pages ``…/content/post_<id>.html``; lists ``index.html``, ``index_2.html`` …;
main text ``div.content_article#zoomcon`` (hp.gov.cn: ``#zhengwen``); attachments in
``ul#ul_xgfj`` under 相关附件.
"""

import re

from archive.vocab import CONTAINERS

from .common import Platform

PLATFORM = Platform(
    name="nfcms",
    detail_url=re.compile(r"/content/(?:\d+/)*post_\d+\.html$"),
    containers=CONTAINERS["nfcms"],
    )
