"""One spider per portal (configuration of :class:`crawler.spiders.base.PortalSpider`)."""
