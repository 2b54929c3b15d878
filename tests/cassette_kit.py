"""Build small cassettes inside tests (vcrpy format, through the project's own persister)."""

from __future__ import annotations

import http

from vcr.request import Request as VcrRequest

from crawler.cassette import ReadableYamlSerializer, Utf8FilePersister


def response(status=200, body: bytes | str = b"", headers: dict | None = None) -> dict:
    if isinstance(body, str):
        body = body.encode("utf-8")
    hdrs = {"Content-Type": ["text/html; charset=utf-8"]}
    for k, v in (headers or {}).items():
        hdrs[k] = v if isinstance(v, list) else [v]
    try:
        message = http.HTTPStatus(status).phrase
    except ValueError:
        message = ""
    return {"status": {"code": status, "message": message}, "headers": hdrs, "body": {"string": body}}


def write(path, exchanges: dict[str, dict]) -> str:
    """``exchanges``: URL → response dict (GET)."""
    requests = [VcrRequest("GET", url, None, {}) for url in exchanges]
    Utf8FilePersister.save_cassette(
        str(path), {"requests": requests, "responses": list(exchanges.values())}, ReadableYamlSerializer
    )
    return str(path)


ROBOTS_OK = response(200, "User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
