"""One fetched page → what the archive should do with it. No Scrapy here: bytes and headers in.

``examine(status, headers, body, url)`` decides whether a response is a report page and,
if so, decodes and cleans it. The crawler's pipeline and ``archive clean`` call the same code.
"""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import chardet
import lxml.etree
import trafilatura

from . import __version__
from .blocked import Verdict, classify
from .clean import Cleaned, NotAPage, clean_html
from .decode import DecodeError, Decoded, decode_html

MIN_BODY_CHARS = 20  # fewer characters of text (and no attachment) is no article
_TEXT_CHARS = re.compile(r"[\s|\u3000\xa0]+")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")
_LOOKS_HTML = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html|<head|<body|<meta|<div|<p\b|<table|<title)", re.I | re.S)


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def software_versions() -> dict[str, str]:
    return {
        "archive": __version__,
        "trafilatura": getattr(trafilatura, "__version__", "unknown"),
        "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
        "libxml2": ".".join(map(str, lxml.etree.LIBXML_VERSION)),
        "chardet": getattr(chardet, "__version__", "unknown"),
        "opencc": _version("opencc"),
        "python": platform.python_version(),
    }


@dataclass
class Examined:
    kind: str  # "page" or a Verdict kind: blocked | empty | not-found | http-error | not-html | no-body
    reason: str = ""
    decoded: Decoded | None = None
    cleaned: Cleaned | None = None
    extra: dict = field(default_factory=dict)

    @property
    def is_report_page(self) -> bool:
        return self.kind == "page"


def is_file_response(url: str, headers: Mapping, body: bytes) -> bool:
    """A document file (PDF, Office, WPS, OFD) rather than a web page: what ``archive.files.sniff``
    recognises (magic bytes, then the URL's extension, then Content-Type), unless the body is
    plainly HTML (a page served under a ``.pdf`` name)."""
    from urllib.parse import urlsplit

    from .files import sniff

    if _LOOKS_HTML.match(body[:2048]) and b"%PDF-" not in body[:1024]:
        return False
    return sniff(body, urlsplit(url).path, header_value(headers, "Content-Type")) != "unknown"


def header_value(headers: Mapping, name: str) -> str | None:
    for k, v in headers.items():
        key = k.decode("latin-1") if isinstance(k, bytes) else str(k)
        if key.lower() == name.lower():
            if isinstance(v, (list, tuple)):
                v = v[0] if v else None
            if isinstance(v, bytes):
                v = v.decode("latin-1")
            return v
    return None


def examine(status: int, headers: Mapping, body: bytes, url: str | None = None,
            containers: Sequence[str] = ()) -> Examined:
    """Classify, decode and clean one response body."""
    str_headers = {}
    for k, v in headers.items():
        key = k.decode("latin-1") if isinstance(k, bytes) else str(k)
        vals = v if isinstance(v, (list, tuple)) else [v]
        str_headers[key] = [x.decode("latin-1") if isinstance(x, bytes) else str(x) for x in vals]
    verdict: Verdict | None = classify(status, str_headers, body)
    if verdict:
        return Examined(verdict.kind, verdict.reason)
    content_type = header_value(str_headers, "Content-Type") or ""
    mime = content_type.split(";")[0].strip().lower()
    if mime and mime not in _HTML_TYPES and not _LOOKS_HTML.match(body[:2048]):
        return Examined("not-html", f"not an HTML page (Content-Type {mime}, {len(body)} bytes)")
    if not mime and not _LOOKS_HTML.match(body[:2048]) and b"\x00" in body[:1024] and not body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Examined("not-html", f"binary body without Content-Type ({len(body)} bytes)")
    try:
        decoded = decode_html(body, content_type)
    except DecodeError as exc:
        return Examined("not-html", str(exc))
    try:
        cleaned = clean_html(decoded.text, url, containers)
    except NotAPage as exc:
        return Examined("not-html", str(exc), decoded=decoded)
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
