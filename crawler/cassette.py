"""Record and replay whole crawls in vcrpy's cassette format (YAML, ``version: 1``).

vcrpy patches http.client and friends, not Twisted, so it never sees Scrapy's downloads.
``CassetteMiddleware`` sits next to the downloader (priority 950: after HTTP compression
and redirects) and uses vcrpy's own ``Cassette`` to serve and record exchanges. It therefore
keeps wire bytes: a gzip body stays compressed with its ``Content-Encoding``, and each
redirect hop is its own interaction.

Settings
--------
``CASSETTE``              path of the cassette file; unset = middleware off.
``CASSETTE_RECORD_MODE``  vcrpy's modes: ``none`` (replay only; a request the cassette lacks
                          is an error), ``once`` (record only if the file does not exist yet),
                          ``new_episodes`` (replay what is there, record the rest), ``all``
                          (record everything again, keeping interactions not re-recorded).
"""

from __future__ import annotations

import http
import logging
from pathlib import Path

import yaml
from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from vcr.cassette import Cassette
from vcr.matchers import body as match_body
from vcr.matchers import method as match_method
from vcr.matchers import uri as match_uri
from vcr.persisters.filesystem import CassetteNotFoundError
from vcr.record_mode import RecordMode
from vcr.request import Request as VcrRequest
from vcr.serialize import deserialize, serialize
from vcr.serializers import yamlserializer

logger = logging.getLogger(__name__)
# vcrpy logs every interaction, bodies included, at INFO
logging.getLogger("vcr").setLevel(logging.WARNING)

RECORD_MODES = {m.value: m for m in RecordMode}


class CassetteMiss(IgnoreRequest):
    """A request that a replay-only cassette does not hold."""


class ReadableYamlSerializer:
    """vcrpy's YAML loader; dumping keeps Chinese readable (``allow_unicode``)."""

    @staticmethod
    def deserialize(cassette_string: str):
        return yamlserializer.deserialize(cassette_string)

    @staticmethod
    def serialize(cassette_dict) -> str:
        return yaml.dump(cassette_dict, Dumper=yaml.SafeDumper, allow_unicode=True, sort_keys=False, width=1 << 20)


class Utf8FilePersister:
    """vcrpy's filesystem persister, but never dependent on the machine's locale."""

    @classmethod
    def load_cassette(cls, cassette_path, serializer):
        path = Path(cassette_path)
        if not path.is_file():
            raise CassetteNotFoundError()
        data = path.read_bytes().decode("utf-8")
        if not data.strip():
            raise CassetteNotFoundError()
        return deserialize(data, serializer)

    @staticmethod
    def save_cassette(cassette_path, cassette_dict, serializer):
        path = Path(cassette_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(serialize(cassette_dict, serializer).encode("utf-8"))
        tmp.replace(path)  # atomic: a crash never leaves half a cassette


def check_cassette(path: str, record_mode: str = "none") -> None:
    """Raise ValueError / FileNotFoundError when a cassette cannot be used as asked."""
    if record_mode not in RECORD_MODES:
        raise ValueError(f"CASSETTE_RECORD_MODE must be one of {sorted(RECORD_MODES)}, not {record_mode!r}")
    if record_mode == "none" and not Path(path).is_file():
        raise FileNotFoundError(f"cassette not found: {path} (record mode 'none' only replays an existing cassette)")


def load_cassette(path: str, record_mode: str = "none") -> Cassette:
    check_cassette(path, record_mode)
    return Cassette.load(
        path=path,
        record_mode=RECORD_MODES[record_mode],
        match_on=(match_method, match_uri, match_body),
        allow_playback_repeats=True,
        serializer=ReadableYamlSerializer,
        persister=Utf8FilePersister,
    )


def save_cassette(cassette: Cassette, path: str) -> None:
    """Write the cassette; in ``all`` mode re-recorded interactions replace the old ones."""
    data = list(cassette.data)
    if cassette.record_mode == RecordMode.ALL:
        # newest wins for each (method, uri, body)
        newest: dict = {}
        for req, resp in data:
            newest[(req.method, req.uri, req.body)] = (req, resp)
        data = list(newest.values())
    Utf8FilePersister.save_cassette(
        path,
        {"requests": [r for r, _ in data], "responses": [s for _, s in data]},
        ReadableYamlSerializer,
    )


def to_vcr_request(request) -> VcrRequest:
    headers = {k.decode("latin-1"): [v.decode("latin-1") for v in vs] for k, vs in request.headers.items()}
    return VcrRequest(request.method, request.url, request.body or None, headers)


def to_scrapy_response(request, recorded: dict):
    status = int(recorded["status"]["code"])
    headers = Headers()
    for key, values in (recorded.get("headers") or {}).items():
        for v in values if isinstance(values, list) else [values]:
            headers.appendlist(key, v)
    body = (recorded.get("body") or {}).get("string") or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    cls = responsetypes.from_args(headers=headers, url=request.url)
    return cls(url=request.url, status=status, headers=headers, body=body, request=request, flags=["cassette"])


def from_scrapy_response(response) -> dict:
    try:
        message = http.HTTPStatus(response.status).phrase
    except ValueError:
        message = ""
    return {
        "status": {"code": response.status, "message": message},
        "headers": {k.decode("latin-1"): [v.decode("latin-1") for v in vs] for k, vs in response.headers.items()},
        "body": {"string": response.body},
    }


class CassetteMiddleware:
    """Downloader middleware serving and recording requests from/to a vcrpy cassette."""

    def __init__(self, crawler, path: str, record_mode: str):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.record_mode = record_mode
        self.cassette = load_cassette(path, record_mode)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        logger.info("Cassette %s: %d interactions, record mode %s", path, len(self.cassette.data), record_mode)

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("CASSETTE")
        if not path:
            raise NotConfigured
        return cls(crawler, path, crawler.settings.get("CASSETTE_RECORD_MODE", "none"))

    def process_request(self, request, spider=None):
        vreq = to_vcr_request(request)
        if self.cassette.can_play_response_for(vreq):
            self.stats.inc_value("cassette/played")
            return to_scrapy_response(request, self.cassette.play_response(vreq))
        if self.cassette.write_protected:
            self.stats.inc_value("cassette/miss")
            self.stats.set_value("archive/failed", "cassette miss")
            logger.error(
                "Cassette miss: %s %s is not in %s (record mode %s). Record it with "
                "-s CASSETTE_RECORD_MODE=new_episodes on a machine that can reach the site.",
                request.method, request.url, self.path, self.record_mode,
            )
            raise CassetteMiss(f"not in cassette: {request.method} {request.url}")
        return None  # goes to the network; recorded in process_response

    def process_response(self, request, response, spider=None):
        if "cassette" in response.flags:  # served by us, not the network
            return response
        if not self.cassette.write_protected:
            self.cassette.append(to_vcr_request(request), from_scrapy_response(response))
            self.stats.inc_value("cassette/recorded")
        return response

    def spider_closed(self, spider, reason):
        if self.cassette.dirty:
            save_cassette(self.cassette, self.path)
            logger.info("Cassette %s saved: %d interactions", self.path, len(self.cassette.data))
