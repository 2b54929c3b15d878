"""crawler.walk.Walk's decisions that need no crawl to check."""

from __future__ import annotations

from types import SimpleNamespace

import scrapy

from crawler.items import LinkItem
from crawler.walk import _DONE, Walk


def _walk_with(waiting: dict):
    """Just what ``Walk._attachment`` reads: the crawl's shared table of files, a request maker."""
    requested = []

    def request(url, found_on, report_url, name):
        requested.append(url)
        return scrapy.Request(url)

    return SimpleNamespace(spider=SimpleNamespace(attachments_waiting=waiting), _attachment_request=request), requested


def test_a_file_is_requested_once_whoever_links_it_and_whenever():
    url = "http://example.gov.cn/a/report.pdf"
    waiting: dict = {}
    walk, requested = _walk_with(waiting)
    first = list(Walk._attachment(walk, url, "list", "http://example.gov.cn/r1.html", "r1.pdf"))
    assert [r.url for r in first] == [url] and not first[0].dont_filter
    # a second report linking it while it downloads waits for it
    assert list(Walk._attachment(walk, url, "list", "http://example.gov.cn/r2.html", "r2.pdf")) == []
    assert waiting[url] == [("http://example.gov.cn/r2.html", "r2.pdf")]
    # once stored, a page that links it — or an attachment owed from an earlier crawl — is linked to it
    waiting[url] = _DONE
    for again in (False, True):
        out = list(Walk._attachment(walk, url, "list", "http://example.gov.cn/r3.html", "r3.pdf", again=again))
        assert out == [LinkItem("http://example.gov.cn/r3.html", url, "r3.pdf")]
    assert requested == [url]


def test_an_owed_file_passes_the_duplicate_filter():
    walk, _ = _walk_with({})
    (request,) = Walk._attachment(walk, "http://example.gov.cn/b.pdf", "list", "http://example.gov.cn/r.html", None,
                                  again=True)
    assert request.dont_filter
