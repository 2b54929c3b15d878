"""Scrapy's spider loader, with the spiders of the registry in use (``SPIDER_LOADER_CLASS``).

``-s ARCHIVE_REGISTRY=FILE`` (or ``$ARCHIVE_REGISTRY``) names the registry; the loader makes it the
one ``crawler.portals.PORTALS`` holds and replaces the portal spiders found in the spider modules
by one per row of it, so that ``scrapy list``, ``scrapy crawl ID`` and ``scrapy crawlall`` all see the
same registry. A registry that cannot be read or has problems stops the command with one line
(``archive.registry.RegistryError``).
"""

from __future__ import annotations

from scrapy.spiderloader import SpiderLoader

from crawler import portals


class RegistrySpiderLoader(SpiderLoader):
    def __init__(self, settings):
        portals.use_registry(settings.get("ARCHIVE_REGISTRY") or None)
        super().__init__(settings)
        from crawler.spiders.portals import crawled, spider_for

        for name, cls in list(self._spiders.items()):
            if getattr(cls, "from_registry", False):
                del self._spiders[name]
                self._found.pop(name, None)
        for portal in crawled(portals.PORTALS):
            if portal.name in self._spiders:  # an id the registry check refuses; never shadow a spider
                continue
            self._spiders[portal.name] = spider_for(portal)
