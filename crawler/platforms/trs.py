"""TRS WCM (拓尔思): tongxin.gov.cn, Jilin's xxgk sites, many provincial portals.

Detail pages ``…/YYYYMM/tYYYYMMDD_<id>.html`` (also .htm/.shtml); list pages paginated by
``createPageHTML(count, current, "index", "html")``: page 1 is ``index.html``, page k is
``index_{k-1}.html``; main text ``div.TRS_Editor`` (may be nested), ``.Custom_UnionStyle``, ``#zoom``.
Some TRS lists carry only their first items in the HTML and load the rest by JavaScript
(the pingtan list page in the corpus); those later items are not reachable without the list API.
"""

import re

from archive.vocab import CONTAINERS

from .common import Platform

PLATFORM = Platform(
    name="trs",
    detail_url=re.compile(r"/t\d{8}_\d+\.s?html?$"),
    containers=CONTAINERS["trs"],
    page_offset=-1,  # page k → index_{k-1}
)
