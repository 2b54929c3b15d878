"""What the archive knows about each portal: data, not code.

A portal names its annual-report column(s), the hosts that serve it, the CMS platform
that runs it (``crawler/platforms/<platform>.py``) and the main-text container of its
detail pages. Spiders are built from these records.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Portal:
    name: str
    region: str  # the government the portal belongs to
    platform: str  # module in crawler.platforms
    column: str  # root URL of the annual-report column (trailing slash)
    sections: dict[str, str] = field(default_factory=dict)  # section key → label; URL = column + key + "/"
    hosts: tuple[str, ...] = ()  # every host (host:port if not default) the portal answers on; the first is canonical
    containers: tuple[str, ...] = ()  # main-text selectors tried before the platform's
    scheme: str = "https"

    @property
    def canonical_host(self) -> str:
        return self.hosts[0]

    def section_url(self, key: str) -> str:
        return f"{self.column}{key}/"


PORTALS: dict[str, Portal] = {
    "guangzhou": Portal(
        name="guangzhou",
        region="广州市",
        platform="nfcms",
        column="https://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/",
        sections={"sbj": "市本级", "bm": "市政府部门", "gq": "各区"},
        hosts=("www.gz.gov.cn", "gz.gov.cn"),
        containers=("#zoomcon",),
    ),
}
