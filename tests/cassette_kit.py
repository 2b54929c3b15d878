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

# Anti-bot answers as the WAFs send them (瑞数 412 $_ts, 加速乐 521 cookie script, a 200 'please wait')
TS_BODY = (b'<html><head><meta charset="utf-8"><script type="text/javascript">$_ts=window[\'$_ts\'];'
           b"if(!$_ts)$_ts={};$_ts.nsd=12345;$_ts.cd=\"qqqq\";</script>"
           b'<script type="text/javascript" r="m" src="/abc.js"></script></head><body></body></html>')
JSL_BODY = (b"<script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')"
            b"+('a')+('n')+('c')+('e')+('_s=')+(+new Date())+'|0|'+'abc';location.href=location.pathname"
            b"+location.search</script>")
CHALLENGE_200 = b'<html><head><title>\xe8\xaf\xb7\xe7\xa8\x8d\xe5\x80\x99</title></head><body><script>var a=1;setTimeout(function(){location.reload()},1000);</script></body></html>'


def write_exchanges(path, exchanges) -> str:
    """``exchanges``: [(vcrpy Request, response dict)] in order — POSTs and repeated requests too."""
    Utf8FilePersister.save_cassette(str(path), {"requests": [r for r, _ in exchanges],
                                                "responses": [x for _, x in exchanges]}, ReadableYamlSerializer)
    return str(path)


def vcrpy_cassette(path, repeats: bool = True, record_mode: str = "none"):
    """The same file loaded by vcrpy's own ``Cassette`` (its loader, its matchers: method, uri, body):
    the reference the project's index is compared with."""
    from vcr.cassette import Cassette
    from vcr.matchers import body, method, uri

    return Cassette.load(path=str(path), record_mode=record_mode, match_on=(method, uri, body),
                         allow_playback_repeats=repeats, serializer=ReadableYamlSerializer,
                         persister=Utf8FilePersister)


def vcrpy_play(cassette, request):
    """What vcrpy answers: the response it plays (and marks played), or None."""
    if not cassette.can_play_response_for(request):
        return None
    try:
        return cassette.play_response(request)
    except Exception:  # noqa: BLE001 - vcrpy: matched, but every match was played already
        return None
