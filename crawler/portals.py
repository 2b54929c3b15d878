"""What the archive knows about each portal: data, not code.

A portal names its annual-report column(s), the hosts that serve it, the CMS platform
that runs it (``crawler/platforms/<platform>.py``) and the main-text container of its
detail pages. Spiders are built from these records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit


def host_of(url: str) -> str:
    """``host[:port]`` of a URL, lower-case, without any ``user:password@``."""
    return urlsplit(url).netloc.rsplit("@", 1)[-1].lower()


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

    def serves(self, url: str) -> bool:
        parts = urlsplit(url)
        return host_of(url) in self.hosts or (parts.hostname or "") in self.hosts

    def answers(self, url: str) -> str | None:
        """Why a redirect target is off the portal (None if it is on it): an http(s) URL on one
        of its hosts — with that host's port when one is listed, else the scheme's default port
        (80 or 443: http → https upgrades are the portal's own)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return f"not http(s): {parts.scheme or 'no scheme'}"
        try:
            host, port = (parts.hostname or "").lower(), parts.port
        except ValueError:
            return "malformed port"
        for entry in self.hosts:
            name, _, fixed = entry.lower().partition(":")
            if host == name and (port == int(fixed) if fixed else port in (None, 80, 443)):
                return None
        return f"another host: {parts.netloc.rsplit('@', 1)[-1] or 'none'}"

    def canonical(self, url: str) -> str:
        """One URL per report: the portal's canonical scheme and host, no fragment."""
        parts = urlsplit(url)
        if self.serves(url):
            return urlunsplit((self.scheme, self.canonical_host, parts.path, parts.query, ""))
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))

    def covers(self, url: str) -> bool:
        """Is ``url`` this portal's column or a page below it?"""
        return self.serves(url) and urlsplit(self.canonical(url)).path.startswith(urlsplit(self.column).path)

    def section_of(self, url: str) -> str | None:
        """The section a URL below the column belongs to (its first folder), or None outside it."""
        if not self.covers(url):
            return None
        first = urlsplit(self.canonical(url)).path[len(urlsplit(self.column).path):].split("/", 1)[0]
        return first if first in self.sections else self.default_section


def registered_portal(url: str) -> Portal | None:
    """The registered portal whose column holds ``url``, if any (a column crawl of part of a
    known portal stores its reports under that portal's name and sections)."""
    return next((p for p in PORTALS.values() if p.covers(url)), None)


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
        column="https://www.jlsy.gov.cn/xxgk/sysrmzf/syrmzfbgs/ndbg/",  # host unverified (docs/portals.md)
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
