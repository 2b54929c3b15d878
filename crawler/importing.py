"""The portal registry as ``archive import-warc`` asks it: where does a URL belong?

``resolve(url, claimed)`` returns an ``archive.warc.ingest.Site`` for a URL under a registered
portal's column — the portal's name, the report's canonical URL, its section and column, the
main-text containers its crawl uses (the portal's, then its platform's) — or None (the import
then files the URL under ``warc:<host>``). ``claimed``: the portal a WARC's own metadata names
(this archive's export does; a report published as a file may live outside the column, under
``/attachment/…``): believed only for a URL on one of that portal's hosts. The archive library never imports the crawler: the command line
finds this function by name (``--portals crawler.importing:resolve``, the default).
"""

from __future__ import annotations

from archive.warc.ingest import Site
from crawler.platforms import get_platform
from crawler.portals import PORTALS, registered_portal


def resolve(url: str, claimed: str | None = None) -> Site | None:
    portal = registered_portal(url)
    if portal is None and claimed in PORTALS and PORTALS[claimed].serves(url):
        portal = PORTALS[claimed]
    if portal is None:
        return None
    platform = get_platform(portal.platform)
    return Site(portal=portal.name, canonical=portal.canonical(url), section=portal.section_of(url),
                column=portal.column, containers=(*portal.containers, *platform.containers))
