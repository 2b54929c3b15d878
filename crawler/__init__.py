"""The Scrapy project: settings, spiders, middlewares, pipelines. Storage is ``archive``'s job."""
