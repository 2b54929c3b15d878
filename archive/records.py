"""What crosses into the archive: one record type per thing stored, declared once.

``archive.store.Archive`` takes these as arguments; the crawler builds them from HTTP exchanges
(``crawler.provenance``), ``archive import``-style tools can build them from anything else.
Field names are the database's column names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timezone


def utcnow() -> str:
    """Now, UTC, ISO 8601 to the second: every timestamp the archive writes."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def sha256(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()



def shallow(record) -> dict:
    """A record's fields as a dict, values as they are (``dataclasses.asdict`` deep-copies every
    list and dict: a version's tables, cell by cell, once per write)."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


@dataclass
class Capture:
    """One HTTP request and the response to it as they crossed the wire: a redirect hop, a
    retried error, the final answer. The bytes are the body as received (before a gzip
    Content-Encoding was undone); the headers as the HTTP client gave them (names and values
    kept, their order only as far as the client keeps it, the reason phrase when one was heard)."""

    url: str  # the URL asked for in this hop
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes | None = None
    status: int | None = None
    reason: str | None = None  # the reason phrase as received; None: not known (the exporter fills it in)
    protocol: str | None = None  # "HTTP/1.1" as received; None: not known
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    payload: bytes = b""  # the body as received
    captured_at: str = field(default_factory=utcnow)
    ip_address: str | None = None
    cassette: bool = False  # replayed from a cassette, not fetched from the site
    truncated: str | None = None  # why the body is incomplete ("length": the connection ended early)
    source: str = "wire"  # wire (captured during a crawl) | warc (imported) | fetch (rebuilt from a fetch row)
    warc_file: str | None = None  # imported: the WARC file, the record's ID and offset
    warc_record_id: str | None = None
    warc_offset: int | None = None


@dataclass
class Fetch:
    """One HTTP exchange (or an attempt that got no response), whatever came of it."""

    url: str  # the URL asked for (the first of a redirect chain)
    job_id: str | None = None
    spider: str | None = None
    final_url: str | None = None
    redirect_chain: list[str] | None = None  # every URL of the chain, when redirected
    method: str = "GET"
    status: int | None = None
    outcome: str | None = None  # list | report | attachment | robots | error | blocked … (see README)
    reason: str | None = None
    content_type: str | None = None
    content_length: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    response_headers: dict[str, list[str]] | None = None
    bytes: int | None = None
    sha256: str | None = None
    fetched_at: str = field(default_factory=utcnow)
    duration_ms: int | None = None
    found_on: str | None = None  # the list page (or report page) that linked it
    flags: list[str] | None = None  # Scrapy response flags ("cassette" when replayed)
    # every hop on the wire (redirects, retries) with its bytes; stored in ``captures`` and ``payloads``
    captures: list[Capture] | None = field(default=None, repr=False)

    def but(self, **changes) -> "Fetch":
        """A copy with some fields changed (the outcome of a decision, say)."""
        return replace(self, **changes)

    def row(self) -> dict:
        """The ``fetches`` columns (the captures are rows of their own)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "captures"}


@dataclass
class ListLinks:
    """What a list page showed: kept so that a 304 next time still knows its entries."""

    entries: list[tuple[str, str, str | None]] = field(default_factory=list)  # (url, title, date)
    pages: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)


@dataclass
class UrlState:
    """What the next crawl needs to know about a URL to fetch it only if it changed."""

    url: str
    kind: str  # list | report | attachment
    spider: str
    etag: str | None = None
    last_modified: str | None = None
    sha256: str | None = None  # of the last body received
    clean_sha256: str | None = None  # of the last stored text + tables (reports)
    list_title: str | None = None  # the list entry the report was found under
    list_date: str | None = None
    links: ListLinks | None = None  # list pages
    last_status: int | None = None
    changed: bool = False  # the content changed with this fetch


@dataclass
class Report:
    """A report as its column lists it and its page describes it (one row per canonical URL)."""

    url: str
    portal: str
    section: str | None = None
    column: str | None = None  # the column root the walk that listed it started from
    agency: str | None = None
    title: str | None = None
    report_year: int | None = None
    pub_date: str | None = None
    source: str | None = None
    list_title: str | None = None
    list_date: str | None = None
    found_on: str | None = None
    site_meta: dict | None = None
    attachments: list[dict] = field(default_factory=list)


@dataclass
class Version:
    """One cleaned content of a report, with everything needed to redo it from the raw bytes."""

    raw: bytes
    text: str
    text_simplified: str | None = None
    tables: list[dict] = field(default_factory=list)
    content_type: str | None = None
    encoding: str | None = None
    encoding_method: str | None = None
    encoding_declared: str | None = None
    encoding_confidence: float | None = None
    encoding_errors: int = 0  # byte sequences of the declared codec that did not decode (now U+FFFD)
    extractor: str | None = None
    software: dict = field(default_factory=dict)
    container: str | None = None
    incomplete: str | None = None  # why the text is known to lack part of the page (stored, flagged)
    removed: list[dict] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)

    def clean_sha256(self) -> str:
        """The identity of the cleaned content: same text and tables, same version."""
        import json

        return sha256(self.text + "\x00" + json.dumps(self.tables or [], ensure_ascii=False, sort_keys=True))


@dataclass(frozen=True)
class Stored:
    """What storing a report did."""

    outcome: str  # "new" | "changed" | "unchanged"
    report_url: str
    version_id: int
    fetch_id: int
