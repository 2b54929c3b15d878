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
    sections: dict[str, str] = field(default_factory=dict)  # section key (first folder below the column) → label
    default_section: str | None = None  # section of reports directly in the column
    hosts: tuple[str, ...] = ()  # every host (host:port if not default) the portal answers on; the first is canonical
    containers: tuple[str, ...] = ()  # main-text selectors tried before the platform's
    scheme: str = "https"

    @property
    def canonical_host(self) -> str:
        return self.hosts[0]


PORTALS: dict[str, Portal] = {
    "panyu": Portal(
        name="panyu",
        region="广州市番禺区",
        platform="nfcms",
        column="https://www.panyu.gov.cn/zwgk/zfxxgk/zfxxgknb/",  # year folders named inconsistently: found, not built
        sections={"bm": "部门", "zj": "镇街"},
        hosts=("www.panyu.gov.cn", "panyu.gov.cn"),
        containers=("#zoomcon",),
    ),
    "tongxin": Portal(
        name="tongxin",
        region="同心县",
        platform="trs",
        column="https://www.tongxin.gov.cn/zwgk/zfxxgknb/",  # TRS name_id folders: 2021_72801/bmzsjg/
        sections={"2021_72801": "2023年度（部门直属机构）"},
        hosts=("www.tongxin.gov.cn", "tongxin.gov.cn"),
    ),
    "songyuan": Portal(
        name="songyuan",
        region="松原市",
        platform="trs",
        column="https://www.jlsy.gov.cn/xxgk/sysrmzf/syrmzfbgs/ndbg/",  # host unverified (notes/portals.md)
        default_section="ndbg",
        hosts=("www.jlsy.gov.cn", "jlsy.gov.cn"),
    ),
    "hengyang": Portal(
        name="hengyang",
        region="衡阳市",
        platform="hunan",
        column="https://www.hengyang.gov.cn/xxgk/szfxxgkml/zfxxgkndbg/",  # old reports under 20200118/
        sections={"szfgzbmndbg": "市政府工作部门（2020年前）", "szfxxgk": "2022年起（szfxxgk/<YYYY>nd/…）"},
        hosts=("www.hengyang.gov.cn", "hengyang.gov.cn"),
    ),
    "guangzhou": Portal(
        name="guangzhou",
        region="广州市",
        platform="nfcms",
        column="https://www.gz.gov.cn/zfjgzy/gzsrmzfbgt/zfxxgknb/",  # year folders bm/{YYYY}n/
        sections={"sbj": "市本级", "bm": "市政府部门", "gq": "各区"},
        hosts=("www.gz.gov.cn", "gz.gov.cn"),
        containers=("#zoomcon",),
    ),
}
