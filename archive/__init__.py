"""The annual-report archive library: decode, clean, store and export reports.

Knows nothing of Scrapy; usable from a notebook::

    from archive.ingest import examine
    result = examine(200, {"Content-Type": "text/html"}, open("page.html", "rb").read())
    print(result.cleaned.text)
"""

__version__ = "0.1.0"
