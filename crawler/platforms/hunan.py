"""Hunan intensive government-site platform (hengyang.gov.cn and its counties).

Detail pages ``/<site>/<path>/YYYYMMDD/i<id>.html`` (many old reports sit under a migration date
such as ``20200118/``, not their publication date). List pagination is not verified from a real
page: the pager's links (下一页, 尾页, ``index_N``) are followed.
"""

import re

from archive.vocab import CONTAINERS

from .common import Platform

PLATFORM = Platform(
    name="hunan",
    detail_url=re.compile(r"/\d{8}/i\d+\.html?$"),
    containers=CONTAINERS["hunan"],
)
