"""What a spider hands the pipeline: one item type per thing to store (Scrapy accepts dataclass
items). ``crawler.pipelines.ArchivePipeline`` dispatches on the type."""

from __future__ import annotations

from dataclasses import dataclass, field

from archive.ingest import Examined
from archive.records import Fetch, Report, UrlState


@dataclass
class FetchItem:
    """An exchange that yields no report version: a list page, a 304, a failure, robots.txt.
    ``listed``: the report URLs a list page shows (listed in this crawl, so not gone)."""

    fetch: Fetch
    state: UrlState | None = None
    listed: list[str] = field(default_factory=list)


@dataclass
class PageItem:
    """A report page, examined (decoded and cleaned, or rejected with a reason)."""

    fetch: Fetch
    state: UrlState
    report: Report
    examined: Examined = field(repr=False)
    body: bytes = field(repr=False)  # never in a log line


@dataclass
class FileItem:
    """A downloaded document: an attachment of the report page ``linked_from``, or — when a list
    entry points straight at a file — the report itself (``report`` set)."""

    fetch: Fetch
    body: bytes = field(repr=False)  # never in a log line
    content_type: str | None
    name: str | None
    state: UrlState | None = None
    report: Report | None = None
    linked_from: str | None = None
    also_linked_from: list[tuple[str, str | None]] = field(default_factory=list)  # (report URL, name)


@dataclass
class LinkItem:
    """A report page links a file already stored under ``url`` (the same file linked by several
    reports, or answered 304): the link is recorded, the file is not downloaded again."""

    report_url: str
    url: str
    name: str | None = None
