"""HTTP exchanges and the cassette: ``Date`` headers (``Clock``), nginx-like 200s (``ok``),
``robots.txt``, vcrpy interactions and their YAML."""

from __future__ import annotations

import contextlib
import gzip
import re
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import urljoin

import yaml

from .base import check


def http_date(dt: datetime) -> str:
    """An HTTP date (``Tue, 11 Mar 2025 02:14:10 GMT``)."""
    return format_datetime(dt.astimezone(timezone.utc), usegmt=True)


class Clock:
    """``Date`` header of each exchange: a few seconds apart, in crawl order."""

    def __init__(self, start: datetime):
        self.now = start

    def tick(self) -> datetime:
        self.now += timedelta(seconds=3)
        return self.now


def ok(url: str, body: bytes, content_type: str, last_modified: datetime, date: datetime,
       compress: bool = False) -> dict:
    """A 200 as nginx serves a static file: ETag ``"<mtime hex>-<size hex>"`` (weak when
    gzipped on the fly), Content-Length of the bytes on the wire."""
    etag = f'"{int(last_modified.timestamp()):x}-{len(body):x}"'
    wire = gzip.compress(body, compresslevel=1, mtime=0) if compress else body
    headers = {
        "Server": ["nginx"],
        "Date": [http_date(date)],
        "Content-Type": [content_type],
        "Content-Length": [str(len(wire))],
        "Last-Modified": [http_date(last_modified)],
        "ETag": ["W/" + etag if compress else etag],
    }
    if compress:
        headers["Content-Encoding"] = ["gzip"]
        headers["Vary"] = ["Accept-Encoding"]
    else:
        headers["Accept-Ranges"] = ["bytes"]
    return interaction(url, 200, "OK", headers, wire)


def interaction(url: str, code: int, message: str, headers: dict, wire: bytes) -> dict:
    """A vcrpy interaction. UTF-8 text bodies are stored as str (readable in the YAML),
    anything else (gzip) as bytes (``!!binary``)."""
    body: str | bytes = wire
    if "Content-Encoding" not in headers:
        with contextlib.suppress(UnicodeDecodeError):
            body = wire.decode("utf-8")
    return {"request": {"body": None, "headers": {}, "method": "GET", "uri": url},
            "response": {"status": {"code": code, "message": message}, "headers": headers, "body": {"string": body}}}


def dump_yaml(data) -> bytes:
    """The cassette as UTF-8 YAML, as vcrpy would write it (key order kept, no line folding)."""
    return yaml.dump(data, Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False,
                     width=float("inf")).encode("utf-8")

OPEN_ROBOTS = b"User-agent: *\nDisallow:\n"


def robots_txt(host: str, modified: datetime, date: datetime, body: bytes = OPEN_ROBOTS) -> dict:
    """The exchange for ``<host>/robots.txt`` (by default one that disallows nothing)."""
    return ok(host + "/robots.txt", body, "text/plain", modified, date)


def interaction_urls(interactions: list[dict]) -> set[str]:
    """The requested URLs; checks that no URL is in the cassette twice."""
    urls = [i["request"]["uri"] for i in interactions]
    check(len(urls) == len(set(urls)), "duplicate interaction")
    return set(urls)


def linked_reports(page_url: str, markup: str, by_url: dict) -> list:
    """The reports (of ``by_url``) that ``<a href>`` links in ``markup`` point to, in link order."""
    out = []
    for href in re.findall(r'<a href="([^"]+)"', markup):
        url = urljoin(page_url, href)
        if url in by_url:
            out.append(by_url[url])
    return out
