"""What the archive knows about each portal: data, not code.

A portal is one row of the registry (``archive.registry``; the shipped ``crawler/registry.csv``, or
the file in ``-s ARCHIVE_REGISTRY=…`` / ``$ARCHIVE_REGISTRY``): its annual-report column, the hosts
that serve it, the CMS platform that runs it (``crawler/platforms/<platform>.py``) and the main-text
container of its detail pages. Spiders are built from these records (``crawler.spiders.portals``,
``crawler.spiderloader``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from archive import registry as registry_mod


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
    alternates: tuple[str, ...] = ()  # other URLs of the same column (a column crawl of one is this portal's)
    agency: str = ""  # the registry's facts about the agency (coverage reads them)
    region_code: str = ""
    level: str = ""
    parent: str = ""
    homepage: str = ""
    status: str = "active"

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

    def column_of(self, url: str) -> str | None:
        """The column (or alternate) whose folder holds ``url``, if any."""
        if not self.serves(url):
            return None
        path = urlsplit(self.canonical(url)).path
        for column in (self.column, *self.alternates):
            if path.startswith(urlsplit(registry_mod.column_folder(column)).path):
                return column
        return None

    def covers(self, url: str) -> bool:
        """Is ``url`` this portal's column (or one of its alternates) or a page below it?"""
        return self.column_of(url) is not None

    def section_of(self, url: str) -> str | None:
        """The section a URL below the column belongs to (its first folder), or None outside it."""
        column = self.column_of(url)
        if column is None:
            return None
        root = urlsplit(registry_mod.column_folder(column)).path
        first = urlsplit(self.canonical(url)).path[len(root):].split("/", 1)[0]
        return first if first in self.sections else self.default_section


def platform_of(portal: Portal):
    """The platform module a portal's walk lists with: a gkmlpt column's with its category (named
    in the column URL, ``…/gkmlpt/index#2801``)."""
    from dataclasses import replace

    from crawler.platforms import get_platform

    platform = get_platform(portal.platform)
    if portal.platform == "gkmlpt":
        platform = replace(platform, category=registry_mod.gkmlpt_category(portal.column))
    return platform


def walk_root(portal: Portal) -> str:
    """Where a portal's walk starts: its column URL without a fragment (a gkmlpt category's
    ``#id`` is the platform's, not part of the page asked for)."""
    return portal.column.split("#", 1)[0]


def registered_portal(url: str) -> Portal | None:
    """The registered portal whose column holds ``url``, if any (a column crawl of part of a
    known portal stores its reports under that portal's name and sections)."""
    return next((p for p in PORTALS.values() if p.covers(url)), None)


def portal_of(row: registry_mod.Row) -> Portal:
    """The crawler's record of a registry row."""
    return Portal(name=row.id, region=row.region or row.agency, platform=row.platform, column=row.column,
                  sections=dict(row.sections), default_section=row.default_section or None, hosts=row.hosts,
                  containers=row.containers, scheme=row.scheme or "https", alternates=row.alternates,
                  agency=row.agency, region_code=row.region_code, level=row.level, parent=row.parent,
                  homepage=row.homepage, status=row.status)


def load_portals(path: str | None = None) -> dict[str, Portal]:
    """The portals of a registry (``path``; None: ``$ARCHIVE_REGISTRY``, else the shipped one);
    ``archive.registry.RegistryError`` if it cannot be read or has problems."""
    from crawler.platforms import PLATFORM_NAMES

    return {row.id: portal_of(row) for row in registry_mod.load(path, PLATFORM_NAMES).rows}


def use_registry(path: str | None = None) -> str:
    """Make ``PORTALS`` the portals of this registry (in place: every module holding ``PORTALS``
    sees them); returns where they came from."""
    portals = load_portals(path)
    PORTALS.clear()
    PORTALS.update(portals)
    global REGISTRY_SOURCE
    REGISTRY_SOURCE = registry_mod.source_of(path)
    return REGISTRY_SOURCE


# every portal of the registry in use (retired ones too: their stored reports keep their portal)
PORTALS: dict[str, Portal] = {}
REGISTRY_SOURCE: str = ""
use_registry()
