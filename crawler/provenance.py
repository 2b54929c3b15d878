"""An HTTP exchange (or a failed attempt) → the ``archive.records.Fetch`` kept as its provenance."""

from __future__ import annotations

from archive.http import header_value, normalise_headers
from archive.records import Fetch, sha256, utcnow

CAPTURES = "archive_captures"  # request meta key set by crawler.middlewares.Capture


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def fetch_record(response, job_id: str | None, spider: str | None) -> Fetch:
    """Where and when a response was fetched and what the server said: the URL asked for, every
    redirect hop, status, headers as sent, size and SHA-256 of the body, latency, flags."""
    request = response.request
    chain = list(request.meta.get("redirect_urls", [])) + [response.url]
    headers = normalise_headers(response.headers)
    latency = request.meta.get("download_latency")
    return Fetch(
        url=chain[0], job_id=job_id, spider=spider, final_url=response.url,
        redirect_chain=chain if len(chain) > 1 else None, method=request.method, status=response.status,
        content_type=header_value(headers, "Content-Type"),
        content_length=_int(header_value(headers, "Content-Length")),
        etag=header_value(headers, "ETag"), last_modified=header_value(headers, "Last-Modified"),
        response_headers=headers, bytes=len(response.body), sha256=sha256(response.body), fetched_at=utcnow(),
        duration_ms=int(latency * 1000) if latency is not None else None,
        found_on=request.meta.get("found_on"), flags=list(response.flags),
        captures=list(request.meta.get(CAPTURES) or []) or None,
    )


def failed_fetch(request, job_id: str | None, spider: str | None, reason: str) -> Fetch:
    """A request that got no usable response (DNS, refused, timeout, a download error)."""
    return Fetch(url=request.url, job_id=job_id, spider=spider, method=request.method, outcome="error",
                 reason=reason, found_on=request.meta.get("found_on"), fetched_at=utcnow(),
                 captures=list(request.meta.get(CAPTURES) or []) or None)  # hops answered before it failed
