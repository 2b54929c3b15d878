"""One fetched response → what the archive should do with it. No Scrapy here: bytes and headers in.

``examine(status, headers, body, url)`` decides whether a response is a report page and, if so,
decodes and cleans it; ``is_file_response`` tells a document file (PDF, Office …) from a page.
The crawler's pipeline and ``archive clean`` call the same code; ``read_saved`` reads a saved file
exactly as the crawl would read the same bytes.
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence
from urllib.parse import urlsplit

from .blocked import classify
from .clean import Cleaned, NotAPage, clean_html
from .decode import DecodeError, Decoded, decode_html
from .http import header_value, mime_type, normalise_headers
from .meta import agency_from_title, report_year
from .records import Report, Version
from .software import software_versions

MIN_BODY_CHARS = 20  # fewer characters of text (and no attachment) is no article
_TEXT_CHARS = re.compile(r"[\s|\u3000\xa0]+")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")
_LOOKS_HTML = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html|<head|<body|<meta|<div|<p\b|<table|<title)",
                         re.I | re.S)


@dataclass
class Examined:
    kind: str  # "page" or a Verdict kind: blocked | empty | not-found | http-error | not-html | no-body
    reason: str = ""
    decoded: Decoded | None = None
    cleaned: Cleaned | None = None

    @property
    def is_report_page(self) -> bool:
        return self.kind == "page"


def is_file_response(url: str, headers: Mapping, body: bytes) -> bool:
    """A document file (PDF, Office, WPS, OFD) rather than a web page: what ``archive.files.sniff``
    recognises (magic bytes, then the URL's extension, then Content-Type), unless the body is
    plainly HTML (a page served under a ``.pdf`` name)."""
    from .files import sniff

    if _LOOKS_HTML.match(body[:2048]) and b"%PDF-" not in body[:1024]:
        return False
    return sniff(body, urlsplit(url).path, header_value(headers, "Content-Type")) != "unknown"


def examine(status: int, headers: Mapping, body: bytes, url: str | None = None,
            containers: Sequence[str] = ()) -> Examined:
    """Classify, decode and clean one response body."""
    headers = normalise_headers(headers)
    verdict = classify(status, headers, body)
    if verdict:
        return Examined(verdict.kind, verdict.reason)
    mime = mime_type(headers)
    if mime and mime not in _HTML_TYPES and not _LOOKS_HTML.match(body[:2048]):
        return Examined("not-html", f"not an HTML page (Content-Type {mime}, {len(body)} bytes)")
    if not mime and not _LOOKS_HTML.match(body[:2048]) and b"\x00" in body[:1024] and \
            not body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Examined("not-html", f"binary body without Content-Type ({len(body)} bytes)")
    try:
        decoded = decode_html(body, header_value(headers, "Content-Type"))
    except DecodeError as exc:
        return Examined("not-html", str(exc))
    try:
        cleaned = clean_html(decoded.text, url, containers)
    except NotAPage as exc:
        return Examined("not-html", str(exc), decoded=decoded)
    return _judge(decoded, cleaned)


def _judge(decoded: Decoded, cleaned: Cleaned) -> Examined:
    """Is what the cleaner found an article?"""
    if cleaned.empty:
        return Examined("no-body", "no article text found on the page", decoded=decoded, cleaned=cleaned)
    size = len(_TEXT_CHARS.sub("", cleaned.text))
    if size < MIN_BODY_CHARS and not cleaned.attachments:
        # a navigation fragment or an empty template; a short 详见附件 page has its attachment
        return Examined("no-body", f"only {size} characters of text and no attachment: not an article",
                        decoded=decoded, cleaned=cleaned)
    if cleaned.link_ratio >= 0.7:
        return Examined("no-body", f"looks like a list page: {cleaned.link_ratio:.0%} of its text is link text",
                        decoded=decoded, cleaned=cleaned)
    return Examined("page", decoded=decoded, cleaned=cleaned)


class NotReadable(ValueError):
    """A path that is not a readable saved file (a directory, a device, a FIFO, too large)."""


MAX_SAVED_BYTES = 200 * 1024 * 1024
# a web page is read up to this size (the crawl's ARCHIVE_MAX_PAGE_BYTES): past it, parsing costs
# gigabytes, and no report page is this large unless its markup is broken or endless
MAX_PAGE_BYTES = 8 * 1024 * 1024


def read_saved(path: str | Path, url: str | None = None, content_type: str | None = None,
               max_bytes: int = MAX_SAVED_BYTES):
    """A saved page or file read as the crawl reads the same bytes: an ``Examined`` for a web
    page, an ``archive.files.Extracted`` for a document (PDF, Word, Excel, WPS, OFD)."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise NotReadable(f"no such file: {path}" if not path.exists() else f"{path}: {exc.strerror}") from exc
    if stat.S_ISDIR(mode):
        raise NotReadable(f"{path} is a directory: give a saved page or file")
    if not stat.S_ISREG(mode):
        what = "a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"
        raise NotReadable(f"{path} is {what}, not a saved page or file")
    if mode and path.stat().st_size > max_bytes:
        raise NotReadable(f"{path} is {path.stat().st_size} bytes, more than the {max_bytes} read")
    body = path.read_bytes()
    headers = {"Content-Type": [content_type]} if content_type else {}
    if is_file_response(url or path.name, headers, body):
        from .files import extract

        return extract(body, path.name, content_type)
    if len(body) > MAX_PAGE_BYTES:
        raise NotReadable(f"{path} is {len(body)} bytes: more than the {MAX_PAGE_BYTES} bytes a web page is read "
                          "up to (no report page is this large unless its markup is broken)")
    return examine(200, headers, body, url)


# --- a downloaded document (``archive.files.Extracted``) as the store keeps it ------------------
def file_info(extracted) -> dict:
    """What the ``files`` table keeps of an extraction."""
    return {"kind": extracted.kind, "text": extracted.text, "tables": extracted.tables, "pages": extracted.pages,
            "scanned": extracted.scanned, "extractor": extracted.extractor, "software": software_versions(),
            "error": extracted.error, "error_kind": extracted.error_kind}


def unreadable(extracted) -> bool:
    """A file with no text to show (an error, or nothing read and not a scan): kept as a file,
    never as a report version."""
    return bool(extracted.error_kind) or not (extracted.text.strip() or extracted.scanned)


def file_report(report: Report, title: str | None, url: str, extracted, body: bytes,
                content_type: str | None) -> Version:
    """A list entry that points straight at a document: the report is the file. Fills ``report``
    from the entry's title and returns the version the file's text makes."""
    report.title, report.agency, report.report_year = title, agency_from_title(title), report_year(title)
    report.pub_date = report.list_date
    report.attachments = [{"url": url, "name": title}]
    return Version(raw=body, text=extracted.text, tables=extracted.tables, content_type=content_type,
                   extractor=extracted.extractor, software=software_versions(),
                   metadata={"file": {"kind": extracted.kind, "pages": extracted.pages, "scanned": extracted.scanned}})
