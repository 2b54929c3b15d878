"""Build small cassettes inside tests (vcrpy format, through the project's own persister), the
requests and exchanges the cassette tests ask for and record, and vcrpy's own Cassette to compare with."""

from __future__ import annotations

import gzip
import http
import json
import os
import random
from urllib.parse import urlencode

from scrapy import FormRequest, Request, Spider
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from vcr.request import Request as VcrRequest

from crawler.cassette import Cassette, CassetteMiddleware, ReadableYamlSerializer, Utf8FilePersister


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


# --- building requests, exchanges and middlewares for tests/test_cassette.py ---------------------

FORM = {"Content-Type": ["application/x-www-form-urlencoded"]}
JSON = {"Content-Type": ["application/json; charset=utf-8"]}
CHUNKED = {"Transfer-Encoding": ["chunked"]}
PROXY = "https://jyt.zj.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15"


def marked(i: int) -> dict:
    """A response whose body says which interaction it is."""
    return response(200, f"#{i}")


def number_of(response) -> int | None:
    """The interaction a played response came from (the body's mark), from our Recorded or vcrpy's dict."""
    if response is None:
        return None
    body = response.body if hasattr(response, "body") else response["body"]["string"]
    return int(body.decode()[1:])


def random_request(rng: random.Random) -> VcrRequest:
    """GETs and HEADs (query strings, an empty path, a b'' body), form POSTs to one URI with and
    without the form's Content-Type (parameters shuffled, a blank one), JSON POSTs (keys
    reordered, spaced), chunked bodies — the cases vcrpy's matchers treat differently."""
    host = rng.choice(["https://a.gov.cn", "http://b.gov.cn:8080"])
    kind = rng.choice(["get", "get", "get", "root", "head", "form", "form", "bare-form", "json", "chunked"])
    if kind in ("get", "head"):
        uri = f"{host}/zwgk/{rng.randrange(30)}.html" + rng.choice(["", "", "?a=1", "?b=2&a=1"])
        return VcrRequest("GET" if kind == "get" else "HEAD", uri, rng.choice([None, None, None, b""]), {})
    if kind == "root":
        return VcrRequest("GET", host + rng.choice(["", "/", "?x=1", "/?x=1"]), None, {})
    if kind in ("form", "bare-form"):
        params = [("startrecord", str(rng.randrange(4))), ("col", "1"), ("webname", "浙江")]
        if rng.random() < 0.3:
            params.append(("blank", ""))
        rng.shuffle(params)
        return VcrRequest("POST", rng.choice([PROXY, host + "/proxy"]), urlencode(params).encode(),
                          FORM if kind == "form" else {})
    if kind == "json":
        doc = {"page": rng.randrange(3), "size": 15, "q": "年报"}
        text = json.dumps(doc, sort_keys=rng.random() < 0.5, separators=rng.choice([(",", ":"), (", ", ": ")]))
        return VcrRequest("POST", host + "/api/list", text.encode(), JSON)
    body = rng.choice([b"5\r\nhello\r\n0\r\n\r\n", b"3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n", b"hello"])
    return VcrRequest("POST", host + "/upload", body, CHUNKED)


def middleware(path, mode="none", **settings) -> CassetteMiddleware:
    """The middleware as a crawl builds it, with these settings (no crawl running)."""
    crawler = get_crawler(Spider, {"CASSETTE": str(path), "CASSETTE_RECORD_MODE": mode, **settings})
    return CassetteMiddleware.from_crawler(crawler)


GBK_PAGE = "<html><head><meta charset='gb2312'></head><body>二〇一四年 政府信息公开年度报告</body></html>".encode("gbk")
ODD_TEXT = "line\r\nNEL\x85 LS\u2028 BOM\ufeff tab\t trailing \n\n".encode("utf-8")


def exchanges_to_record(base: str) -> list[tuple[Request, Response]]:
    """Wire bytes of several kinds: GBK, gzip, a PDF, UTF-8 text with characters YAML folds or
    escapes, an empty body, a redirect, a form POST."""
    return [
        (Request(base + "gbk.html"), HtmlResponse(base + "gbk.html", body=GBK_PAGE, headers={"Content-Type": "text/html"})),
        (Request(base + "gz.html"), Response(base + "gz.html", body=gzip.compress(b"<p>zipped</p>", mtime=0),
                                             headers={"Content-Encoding": "gzip", "Content-Type": "text/html"})),
        (Request(base + "a.pdf"), Response(base + "a.pdf", body=b"%PDF-1.4\n\x00\xff\xfe binary", headers={"Content-Type": "application/pdf"})),
        (Request(base + "odd.txt"), Response(base + "odd.txt", body=ODD_TEXT, headers={"Content-Type": "text/plain"})),
        (Request(base + "empty.html"), Response(base + "empty.html", body=b"", status=204)),
        (Request(base + "old"), Response(base + "old", status=301, headers={"Location": base + "new"})),
        (FormRequest(base + "proxy.jsp", formdata={"startrecord": "1", "col": "浙江"}),
         Response(base + "proxy.jsp", body=b"<datastore/>", headers={"Content-Type": "text/xml"})),
    ]


def record(path, mode: str, pairs, **settings) -> CassetteMiddleware:
    """A crawl's exchanges through the middleware: each request asked for, the ones it does not
    play answered by "the network" (its response), then the crawl's close."""
    mw = middleware(path, mode, **settings)
    for request, response in pairs:
        if mw.process_request(request) is None:  # not played: "the network" answers
            mw.process_response(request, response)
    mw.spider_closed(None, "finished")
    return mw


def vcrpy_reads(path) -> list[tuple]:
    """The interactions as vcrpy's own loader reads the file: method, uri, body, status, headers, body."""
    cassette = vcrpy_cassette(path)
    return [(q.method, q.uri, q.body, s["status"]["code"], s["headers"], s["body"]["string"]) for q, s in cassette.data]


def expected(pairs) -> list[tuple]:
    """The same, from the exchanges recorded (header values as Latin-1 text, as recorded)."""
    return [(q.method, q.url, q.body or None, s.status,
             {k.decode(): [v.decode("latin-1") for v in vs] for k, vs in s.headers.items()}, s.body) for q, s in pairs]


def umask() -> int:
    """The process's umask (what new files' permissions are made from)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def both_load(path, repeats: bool):
    """The same file opened by the project (index) and by vcrpy's own Cassette."""
    return Cassette.load(path, "none", repeats), vcrpy_cassette(path, repeats)


def our_play(cassette: Cassette, r: VcrRequest):
    """The project's answer to a vcrpy request (its response, marked played), or None."""
    return cassette.play(r.method, r.uri, r.body, {k: [v] for k, v in r.headers.items()})
